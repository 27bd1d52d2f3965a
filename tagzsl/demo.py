"""A live demo for teaching: type a tweet, watch models rank hashtags, seen and unseen, and why.

``tagzsl demo`` serves a local Gradio page on 127.0.0.1 (nothing is sent anywhere: analytics
off, no share link, system fonts instead of web fonts). The first start (or ``--train``)
trains the models of :func:`methods_for` (the notebooks' lesson sizes) on the default corpus's top-50
tweets outside the corpus's test split, with a progress bar, and caches them under
``<tagzsl cache>/demo/``; later starts load them. The example tweets are picked by code from
the test split and pass a profanity filter.

For each tweet the page shows the top-k hashtags with their scores, each marked trained-on
or unseen; the cleaned text the model saw; and, as highlighted text, how much the top
hashtag's score drops when each word is removed (occlusion: red words supported it).

``build_app(models)`` returns the ``gr.Blocks`` app, so a notebook can show it inline
(``launch(app, inline=True, block=False)``); the tests drive it in headless Chromium.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import shutil
import sys
import threading
import time
import warnings

import numpy as np

from tagzsl import config, display

# Before gradio is imported: no usage statistics, no version check, no hub telemetry.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")



def methods_for(mode: str = "lesson") -> dict:
    """label shown in the app -> (recommender method, hyper-parameters), in the notebooks' sizes
    for ``mode`` (``"lesson"``: :mod:`tagzsl.experiments` supervised/tagspace/zero_shot ``LESSON``)."""
    from tagzsl import experiments
    from tagzsl.experiments import supervised, tagspace, zero_shot

    sup, ts, zs = (experiments.settings_for(m, mode) for m in (supervised, tagspace, zero_shot))

    spec = dict(sup.models[sup.demo_row])
    supervised = (spec.pop("model"), {"epochs": sup.epochs, "patience": sup.patience,
                                      "sequence_length": sup.sequence_length, **spec})
    zero_shot = {k: getattr(zs, k) for k in ("units", "features", "sequence_length", "epochs", "dem_epochs")}
    tagspace = {"dim": ts.dims[0], "min_count": ts.min_count,
                **ts.train_kwargs("tagspace"), **ts.picked("tagspace")}
    methods = {"GRU with attention (supervised)": supervised, "#TagSpace (WARP)": ("tagspace", tagspace),
               "ConSE (zero-shot)": ("conse", zero_shot), "DEM in the word space (zero-shot)": ("dem", zero_shot)}
    return methods


#: methods that rank any candidate hashtags (given none, the demo offers its candidate pool)
ZERO_SHOT = frozenset({"conse", "eszsl", "dem"})
FORMAT_VERSION = 1
N_EXAMPLES, N_POOL = 6, 30
_TAG = re.compile(r"^[a-z0-9_]*[a-z][a-z0-9_]*$")


@dataclasses.dataclass
class DemoModels:
    """What the app serves: fitted recommenders by label, example tweets, a candidate pool."""

    recommenders: dict           # label -> fitted recommender (the PLAN's Recommender API)
    methods: dict                # label -> recommender method name
    examples: list               # [[tweet, candidate hashtags], ...] from the test split
    pool: list                   # hashtags zero-shot rankers rank when no candidates are typed


# --------------------------------------------------------------------------- the adapter
class Unusable(str):
    """A text that cleans to nothing; ``str()`` is the one-line reason."""


def recommender_class():
    """The one switch between the demo and the recommender: :class:`tagzsl.recommender.Recommender`."""
    from tagzsl.recommender import Recommender

    return Recommender


# --------------------------------------------------------------------------- ranking and why
def parse_candidates(text) -> tuple[list[str], list[str]]:
    """``"#WorldCup, nba brexit"`` -> (normalised hashtags, pieces that are not hashtags)."""
    pieces = [p.strip().lstrip("#＃").lower() for p in re.split(r"[,\s]+", text or "") if p.strip()]
    good = list(dict.fromkeys(p for p in pieces if _TAG.match(p)))
    return good, [p for p in pieces if not _TAG.match(p)]


def _scores(results, tag) -> list[float]:
    return [dict(r).get(tag, 0.0) if isinstance(r, list) else 0.0 for r in results]


def occlusion(rec, tokens, tag, candidates=None) -> list[float]:
    """How much ``tag``'s score drops when each of the cleaned ``tokens`` is removed."""
    variants = [" ".join(tokens[:i] + tokens[i + 1:]) for i in range(len(tokens))]
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
    tokens = preprocess.clean_text(tweet)
    out["cleaned"] = " ".join(tokens)
    if not tokens:
        out["message"] = ("**No words left after cleaning:** hashtags, URLs, numbers, punctuation and "
                          "stop words are removed. Type a sentence with some content words.")
        return out
    if label not in models.recommenders:
        out["message"] = f"**Unknown method {label!r}:** choose one of {', '.join(models.recommenders)}."
        return out
    rec, method = models.recommenders[label], models.methods[label]
    candidates, bad = parse_candidates(candidates_text)
    notes = [f"Not hashtags, ignored: {', '.join(bad)}."] if bad else []
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
    out["message"] = " ".join(notes)
    return out


# --------------------------------------------------------------------------- the page
INTRO = """# tagzsl: hashtag recommendation, live
Type a tweet, pick a method, optionally list candidate hashtags (any hashtags, also ones no
model was trained on). The models were trained on the label set of seven public tweet sources (lesson sizes, a few
minutes of CPU training); the examples come from the corpus's test split."""


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
        gr.Examples(models.examples, inputs=[tweet, cands], label="Example tweets (test split)")
        outputs = [message, ranking, table, cleaned, why]
        submit.click(respond, [tweet, method, cands, k], outputs)
        tweet.submit(respond, [tweet, method, cands, k], outputs)
    return app


def launch(app, port=None, inline=False, block=True, quiet=True) -> str:
    """Serve ``app`` on 127.0.0.1 (``port`` None: the first free one from 7860); returns its URL."""
    import gradio as gr

    system = ["ui-sans-serif", "system-ui", "sans-serif"]
    theme = gr.themes.Default(font=system, font_mono=["ui-monospace", "monospace"])
    _, url, _ = app.launch(server_name="127.0.0.1", server_port=port, share=False, inline=inline,
                           prevent_thread_lock=True, quiet=quiet, ssr_mode=False, theme=theme,
                           footer_links=[], pwa=False, mcp_server=False, enable_monitoring=False)
    if block:
        print(f"tagzsl demo: serving on {url} (Ctrl+C stops it)", flush=True)
        app.block_thread()
    return url


# --------------------------------------------------------------------------- training and cache
def pick_examples(test, trained, kv, seed=config.DEFAULT_SEED, n=N_EXAMPLES, n_pool=N_POOL):
    """Example tweets and the zero-shot candidate pool, chosen from the ``test`` rows (columns
    ``raw``, ``tokens``, ``hashtags``): tweets with 6-20 words passing the profanity filter,
    shown without their hashtags; two thirds carry a trained-on hashtag, the rest only unseen
    ones (offered as candidates among distractors). The pool: ``trained`` plus the ``n_pool``
    most frequent unseen test hashtags with a word vector."""
    from tagzsl import preprocess

    rng = np.random.default_rng(seed)
    trained = set(trained)
    ok = test[test["tokens"].map(len).between(6, 20)]
    ok = ok.sample(frac=1.0, random_state=int(rng.integers(2**31)))  # the filter is slow: check lazily
    counts = ok["hashtags"].explode().value_counts()
    unseen = []
    for tag in (t for t in counts.index if t not in trained and t in kv.key_to_index):
        if len(unseen) == n_pool:
            break
        if display.is_clean(tag):
            unseen.append(tag)
    pool = sorted(trained) + unseen
    n_seen, examples, unseen_examples = n - n // 3, [], []
    for raw, tags in zip(ok["raw"], ok["hashtags"]):
        seen = any(t in trained for t in tags)
        wanted = len(examples) < n_seen if seen else len(unseen_examples) < n - n_seen and tags[0] in unseen
        if wanted and all(display.is_clean(t) for t in tags) and display.is_clean(raw):
            (examples if seen else unseen_examples).append((preprocess.remove_hashtags(raw), tags[0]))
        if len(examples) == n_seen and len(unseen_examples) == n - n_seen:
            break
    examples = [[text, ""] for text, _ in examples]
    for text, tag in unseen_examples:
        shown = [tag] + list(rng.choice(sorted(set(pool) - {tag}), size=4, replace=False))
        examples.append([text, ", ".join("#" + t for t in rng.permutation(shown))])
    return examples, pool


def _slug(label) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def cache_path(seed=config.DEFAULT_SEED, methods=None) -> pathlib.Path:
    """Where the demo models for these settings live (the key changes with any setting)."""
    methods = methods_for() if methods is None else methods
    key = json.dumps([FORMAT_VERSION, config.VERSION, recommender_class().__name__, seed, methods], sort_keys=True)
    return config.cache_dir() / "demo" / hashlib.sha256(key.encode()).hexdigest()[:12]


def train(texts, hashtags, vectors, directory, examples, pool, methods=None, hashtag_lists=None,
          seed=config.DEFAULT_SEED, progress=True) -> DemoModels:
    """Fit every method on raw ``texts`` and one of ``hashtags`` each (#TagSpace: all of
    ``hashtag_lists`` when given); save them with the examples under ``directory``."""
    from tqdm.auto import tqdm

    methods = methods_for() if methods is None else methods
    directory = pathlib.Path(directory)
    tmp = directory.with_name(f".{directory.name}.training-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cls, recs = recommender_class(), {}
    try:
        for label in (bar := tqdm(methods, desc="training the demo models", disable=not progress, file=sys.stdout)):
            bar.set_postfix_str(label)
            method, hparams = methods[label]
            tags = hashtag_lists if hashtag_lists is not None and method in ("tagspace", "wsabie") else hashtags
            recs[label] = cls(method=method, vectors=vectors, seed=seed, **hparams).fit(texts, tags)
            recs[label].save(tmp / _slug(label))
        manifest = {"methods": {label: m for label, (m, _) in methods.items()}, "examples": examples, "pool": pool}
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))  # last: marks a complete dir
        shutil.rmtree(directory, ignore_errors=True)
        tmp.rename(directory)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return DemoModels(recs, manifest["methods"], examples, pool)


class LazyRecommenders(collections.abc.Mapping):
    """Saved recommenders by label, each loaded on first use (a zero-shot model with the whole
    word2vec vocabulary takes seconds to load), so the page is up before all are loaded."""

    def __init__(self, directory, labels):
        self.directory, self.labels, self.loaded = pathlib.Path(directory), list(labels), {}
        self.lock = threading.Lock()

    def __getitem__(self, label):
        if label not in self.labels:
            raise KeyError(label)
        with self.lock:
            if label not in self.loaded:
                self.loaded[label] = recommender_class().load(self.directory / _slug(label))
            return self.loaded[label]

    def __iter__(self):
        return iter(self.labels)

    def __len__(self):
        return len(self.labels)

    def load_all(self):
        """Load every recommender (call it in a background thread after the page is up)."""
        for label in self.labels:
            self[label]


def load(directory) -> DemoModels:
    """The demo models saved by :func:`train`, loaded lazily (``FileNotFoundError`` when there are none)."""
    directory = pathlib.Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    recs = LazyRecommenders(directory, manifest["methods"])
    return DemoModels(recs, manifest["methods"], manifest["examples"], manifest["pool"])


def train_on_corpus(seed=config.DEFAULT_SEED, data_root=None, mode="lesson", progress=True) -> DemoModels:
    """Train the demo on the default corpus's top-50 tweets outside the test split; examples from the test split."""
    from tagzsl import corpus

    prep = corpus.prepare(root=data_root, seed=seed, quick=mode == "quick")
    clean = prep.clean.set_index("id")
    in_test = prep.clean["id"].str.contains(r"(?:^|[:/])test/", regex=True)  # "tweeteval:emoji/test/7"
    top = prep.top[~prep.top["id"].isin(set(prep.clean["id"][in_test]))]
    texts, tags = clean.loc[top["id"], "raw"].tolist(), top["hashtag"].tolist()
    examples, pool = pick_examples(prep.clean[in_test], set(tags), prep.vectors, seed)
    print(f"tagzsl demo: training the models on {len(texts)} tweets, {len(set(tags))} hashtags "
          "(once; cached afterwards)", flush=True)
    methods = methods_for(mode)
    return train(texts, tags, prep.vectors, cache_path(seed, methods), examples, pool, methods=methods,
                 hashtag_lists=top["hashtags"].tolist(), seed=seed, progress=progress)


def load_or_train(seed=config.DEFAULT_SEED, data_root=None, mode="lesson", retrain=False) -> DemoModels:
    """The cached demo models for ``mode`` (``"lesson"``, or ``"quick"`` for a smoke run), trained first if needed."""
    path = cache_path(seed, methods_for(mode))
    if retrain or not (path / "manifest.json").is_file():
        return train_on_corpus(seed, data_root, mode)
    return load(path)


# --------------------------------------------------------------------------- command line
def add_subcommand(sub) -> None:
    """Register ``tagzsl demo`` on the CLI's subparsers."""
    p = sub.add_parser("demo", help="serve the live demo page on 127.0.0.1 (trains its models on first start)")
    p.add_argument("--train", action="store_true", help="retrain the demo models even when cached")
    p.add_argument("--port", type=int, help="port on 127.0.0.1 (default: the first free one from 7860)")
    p.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    p.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args) -> int:
    import logging

    logging.getLogger("tagzsl").setLevel(logging.ERROR)
    start = time.perf_counter()
    try:
        models = load_or_train(args.seed, args.data, retrain=args.train)
        first = next(iter(models.recommenders))
        models.recommenders[first]  # the page's default method is ready when the page is
        app = build_app(models)
        url = launch(app, port=args.port, block=False)
        if isinstance(models.recommenders, LazyRecommenders):
            threading.Thread(target=models.recommenders.load_all, daemon=True).start()
    except (ValueError, OSError, RuntimeError) as err:
        print(f"tagzsl demo: {err}", file=sys.stderr)
        return 1
    print(f"tagzsl demo: serving on {url} (ready in {time.perf_counter() - start:.1f} s; Ctrl+C stops it)",
          flush=True)
    try:
        app.block_thread()
    except KeyboardInterrupt:
        pass
    return 0
