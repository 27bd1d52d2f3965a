"""A live demo for teaching: type a tweet, watch models rank hashtags, seen and unseen, and why.

``tagzsl demo`` serves a local Gradio page on 127.0.0.1 (nothing is sent anywhere: analytics
off, no share link, system fonts instead of web fonts). Its models are trained once and
cached (:mod:`tagzsl.demo_models`).

For each tweet the page shows the top-k hashtags with their scores, each marked trained-on
or unseen; the cleaned text the model saw; and, as highlighted text, how much the top
hashtag's score drops when each word is removed (occlusion: red words supported it). A long
text is cut to :data:`MAX_CHARS` characters and only its first :data:`MAX_EXPLAINED` words are
explained (the page says so), so one request cannot hold the page; several requests are
answered at once (:data:`CONCURRENCY`).

``build_app(models)`` returns the ``gr.Blocks`` app, so a notebook can show it inline
(``launch(app, inline=True, block=False)``); the tests drive it in headless Chromium.
"""
from __future__ import annotations

import os
import re
import socket
import sys
import threading
import time
import warnings

from tagzsl import config, folders
from tagzsl.demo_models import (DemoModels, LazyRecommenders, _slug, cache_path, load,  # noqa: F401
                                 load_or_train, methods_for, pick_examples, train)

# Before gradio is imported: no usage statistics, no version check, no hub telemetry.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

#: methods that rank any candidate hashtags (given none, the demo offers its candidate pool)
ZERO_SHOT = frozenset({"conse", "eszsl", "dem"})
#: a longer text is cut to this many characters (a tweet has at most 280)
MAX_CHARS = 2000
#: occlusion explains at most this many words (one re-scored copy of the text per word)
MAX_EXPLAINED = 40
#: requests answered at the same time
CONCURRENCY = 4
PORTS = range(7860, 7960)
_TAG = re.compile(r"^[a-z0-9_]*[a-z][a-z0-9_]*$")


# --------------------------------------------------------------------------- ranking and why
def parse_candidates(text) -> tuple[list[str], list[str]]:
    """``"#WorldCup, nba brexit"`` -> (normalised hashtags, pieces that are not hashtags)."""
    pieces = [p.strip().lstrip("#＃").lower() for p in re.split(r"[,\s]+", text or "") if p.strip()]
    good = list(dict.fromkeys(p for p in pieces if _TAG.match(p)))
    return good, [p for p in pieces if not _TAG.match(p)]


def _scores(results, tag) -> list[float]:
    return [dict(r).get(tag, 0.0) if isinstance(r, list) else 0.0 for r in results]


def occlusion(rec, tokens, tag, candidates=None, limit=MAX_EXPLAINED) -> list[float]:
    """How much ``tag``'s score drops when each of the first ``limit`` cleaned ``tokens`` is
    removed (all copies scored in one batch)."""
    shown = min(len(tokens), limit)
    variants = [" ".join(tokens[:i] + tokens[i + 1:]) for i in range(shown)]
    k = len(candidates) if candidates else len(rec.hashtags_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full, *rest = _scores(rec.recommend([" ".join(tokens)] + variants, k=k, candidates=candidates), tag)
    return [full - s for s in rest]


def answer(models: DemoModels, tweet, label, candidates_text="", k=5) -> dict:
    """Everything the page shows for one request (a pure function: the tests call it).

    Keys: ``message`` (markdown; empty when all went well), ``ranking`` (list of
    ``(hashtag, score, "trained-on" | "unseen")``), ``cleaned`` (str), ``why``
    (``[(word, drop in [-1, 1])]``).
    """
    from tagzsl import preprocess

    out = {"message": "", "ranking": [], "cleaned": "", "why": []}
    if not isinstance(tweet, str) or not tweet.strip():
        out["message"] = "**Type a tweet first** (or click one of the examples below)."
        return out
    notes = []
    if len(tweet) > MAX_CHARS:
        tweet = tweet[:MAX_CHARS]
        notes.append(f"Only the first {MAX_CHARS:,} characters were used (a tweet has at most 280).")
    tokens = preprocess.clean_text(tweet)
    out["cleaned"] = " ".join(tokens)
    if not tokens:
        out["message"] = ("**No words left after cleaning:** hashtags, URLs, numbers, punctuation and "
                          "stop words are removed. Type a sentence with some content words.")
        return out
    if label not in models.recommenders:
        out["message"] = f"**Unknown method {label!r}:** choose one of {', '.join(models.recommenders)}."
        return out
    try:
        rec, method = models.recommenders[label], models.methods[label]
    except (ValueError, OSError) as err:
        out["message"] = (f"**This model could not be loaded:** {err}. Restart the demo with "
                          "`tagzsl demo --train` to train it again.")
        return out
    candidates, bad = parse_candidates(candidates_text)
    notes += [f"Not hashtags, ignored: {', '.join(bad)}."] if bad else []
    if not candidates and method in ZERO_SHOT:
        candidates = list(models.pool)
        notes.append(f"A zero-shot ranker needs candidates; ranking the demo's {len(candidates)} "
                     "(trained-on and unseen) hashtags. Type your own to change them.")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = rec.recommend([tweet], k=int(k), candidates=candidates or None)[0]
        except ValueError as err:
            out["message"] = f"**Cannot rank these candidates:** {err}"
            return out
    notes += [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if not isinstance(result, list):
        out["message"] = f"**This tweet cannot be used:** {result}"
        return out
    seen = set(rec.hashtags_)
    out["ranking"] = [(t, float(s), "trained-on" if t in seen else "unseen") for t, s in result]
    if result:
        drops = occlusion(rec, tokens, result[0][0], candidates or None)
        scale = max(max(abs(d) for d in drops), 1e-12)
        out["why"] = [(w, round(float(d / scale), 3)) for w, d in zip(tokens, drops)]
        if len(tokens) > len(drops):
            notes.append(f"Why: only the first {len(drops)} of the {len(tokens)} words are explained.")
    out["message"] = " ".join(notes)
    return out


# --------------------------------------------------------------------------- the page
INTRO = """# tagzsl: hashtag recommendation, live
Type a tweet, pick a method, optionally list candidate hashtags (any hashtags, also ones no
model was trained on). The models were trained on the label set of seven public tweet sources (lesson sizes, a few
minutes of CPU training); the examples come from the corpus's test split. Long texts: the first
%s characters are used and the first %d words explained.""" % (f"{MAX_CHARS:,}", MAX_EXPLAINED)


def build_app(models: DemoModels):
    """The Gradio app (``gr.Blocks``) serving ``models``; launch it with :func:`launch`."""
    import gradio as gr

    labels = list(models.recommenders)

    def respond(tweet, label, candidates_text, k):
        res = answer(models, tweet, label, candidates_text, k)
        scores = [s for _, s, _ in res["ranking"]]
        if scores and not 0.0 <= min(scores) <= max(scores) <= 1.0:  # cosines, distances: bars rescaled
            low, high = min(scores), max(scores)
            scores = [0.05 + 0.95 * (s - low) / ((high - low) or 1.0) for s in scores]
        bars = {f"#{t} ({kind})": b for (t, _, kind), b in zip(res["ranking"], scores)} or None
        rows = "\n".join(f"| {i} | #{t} | {s:.3f} | {kind} |" for i, (t, s, kind) in enumerate(res["ranking"], 1))
        table = f"| rank | hashtag | score | |\n|---|---|---|---|\n{rows}" if rows else ""
        return res["message"], bars, table, res["cleaned"], res["why"] or None

    with gr.Blocks(title="tagzsl demo", analytics_enabled=False) as app:
        gr.Markdown(INTRO)
        with gr.Row():
            with gr.Column():
                tweet = gr.Textbox(label="Tweet", lines=3, elem_id="tweet",
                                   placeholder="what a goal in the last minute, the stadium went wild")
                method = gr.Dropdown(labels, value=labels[0], label="Method", elem_id="method")
                cands = gr.Textbox(label="Candidate hashtags (optional; comma or space separated)",
                                   elem_id="candidates", placeholder="#football, #worldcup, #nba")
                k = gr.Slider(1, 10, value=5, step=1, label="How many hashtags", elem_id="k")
                submit = gr.Button("Recommend hashtags", variant="primary", elem_id="submit")
            with gr.Column():
                message = gr.Markdown(elem_id="message")
                ranking = gr.Label(label="Top hashtags (bars: scores, rescaled to 0-1 when outside it; table: raw scores)", elem_id="ranking")
                table = gr.Markdown(elem_id="table")
                cleaned = gr.Textbox(label="What the model saw (cleaned text)", interactive=False,
                                     elem_id="cleaned")
                why = gr.HighlightedText(label="Why: score drop of the top hashtag when each word is "
                                               "removed (red: the word supported it, blue: it spoke against it)", elem_id="why")
        if models.examples:  # a user's own model (`tagzsl demo --model`) comes without examples
            gr.Examples(models.examples, inputs=[tweet, cands], label="Example tweets (test split)")
        outputs = [message, ranking, table, cleaned, why]
        for event in (submit.click, tweet.submit):
            event(respond, [tweet, method, cands, k], outputs, concurrency_limit=CONCURRENCY,
                  concurrency_id="answer")
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def free_port(port=None) -> int:
    """``port`` if it is free on 127.0.0.1, else the first free one from 7860 (any free one
    when all are taken); :class:`OSError` saying what to do when a given ``port`` is taken."""
    def free(p):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                return False
            return True

    if port is not None:
        if not free(port):
            raise OSError(f"port {port} on 127.0.0.1 is in use or not allowed; choose another with --port "
                          "(or leave --port out to take a free one)")
        return port
    for p in PORTS:
        if free(p):
            return p
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(app, port=None, inline=False, block=True, quiet=True) -> str:
    """Serve ``app`` on 127.0.0.1 (``port`` None: the first free one from 7860); returns its URL."""
    import gradio as gr

    system = ["ui-sans-serif", "system-ui", "sans-serif"]
    theme = gr.themes.Default(font=system, font_mono=["ui-monospace", "monospace"])
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=free_port(port), share=False, inline=inline,
                           prevent_thread_lock=True, quiet=quiet, ssr_mode=False, theme=theme,
                           footer_links=[], pwa=False, mcp_server=False, enable_monitoring=False)
    if block:
        print(f"tagzsl demo: serving on {url} (Ctrl+C stops it)", flush=True)
        app.block_thread()
    return url


# --------------------------------------------------------------------------- command line
def add_subcommand(sub, port_type=int) -> None:
    """Register ``tagzsl demo`` on the CLI's subparsers (``port_type`` checks ``--port``)."""
    p = sub.add_parser("demo", help="serve the live demo page on 127.0.0.1 (trains its models on first start)")
    p.add_argument("--train", action="store_true", help="retrain the demo models even when cached")
    p.add_argument("--port", type=port_type, help="port on 127.0.0.1 (default: the first free one from 7860)")
    p.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    p.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    p.add_argument("--model", help="serve this model folder (written by `tagzsl train`, e.g. on your own "
                                   "posts with --data) instead of the demo's own models")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    import logging

    logging.getLogger("tagzsl").setLevel(logging.ERROR)
    start = time.perf_counter()
    try:
        with folders.interrupts():
            if args.port is not None:
                free_port(args.port)  # before minutes of training
            if getattr(args, "model", None):
                from tagzsl.demo_models import from_folder

                models = from_folder(args.model)
            else:
                models = load_or_train(args.seed, args.data, retrain=args.train)
            first = next(iter(models.recommenders))
            models.recommenders[first]  # the page's default method is ready when the page is
            app = build_app(models)
            url = launch(app, port=args.port, block=False)
            if isinstance(models.recommenders, LazyRecommenders):
                threading.Thread(target=models.recommenders.load_all, daemon=True).start()
            print(f"tagzsl demo: serving on {url} (ready in {time.perf_counter() - start:.1f} s; "
                  "Ctrl+C stops it)", flush=True)
            try:
                while True:
                    time.sleep(0.2)
            finally:
                app.close()
    except KeyboardInterrupt as err:
        print("tagzsl demo: interrupted", file=sys.stderr)
        return folders.exit_code(err)
    except (ValueError, OSError, RuntimeError) as err:
        print(f"tagzsl demo: {' '.join(str(err).split())}", file=sys.stderr)
        return 1
    return 0
