"""The ``tagzsl`` command line: ``reproduce`` (run the notebooks), ``train``, ``recommend`` and ``demo``.

A person's mistake (a missing corpus, a damaged model folder, an unwritable ``--out``) is one
line on standard error and exit status 1. Ctrl-C and SIGTERM print "interrupted", leave
nothing half-written and exit with 130 and 143. ``train`` replaces only a folder that holds a
tagzsl model, and only with ``--force``; two runs cannot write the same ``--out``.
"""
from __future__ import annotations

import argparse
import os
import sys

from tagzsl import config, folders


class UserError(Exception):
    """A problem the person running the command can fix; printed as one line, exit 1."""


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; give a number of at least 1")
    return value


def port_number(text: str) -> int:
    """An argparse type: a TCP port, 1-65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port; give one from 1 to 65535")
    return value


def non_empty(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty; give part of a notebook's name, e.g. 01")
    return text


def _one_line(err) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.split())


def _interrupted(command: str, err: KeyboardInterrupt, note: str = "") -> int:
    print(f"tagzsl {command}: interrupted{note}", file=sys.stderr)
    return folders.exit_code(err)


# --------------------------------------------------------------------------- reproduce
def cmd_reproduce(args) -> int:
    from tagzsl import reproduce

    try:
        if args.out:
            _check_out_dir(args.out)
        results = reproduce.run(only=args.only, mode="lesson" if args.lesson else ("quick" if args.quick else None),
                                seed=args.seed, data_root=args.data, out_dir=args.out, notebooks_dir=args.notebooks,
                                data_files=args.files)
    except KeyboardInterrupt as err:
        return _interrupted("reproduce", err)
    except (reproduce.NotebookFailed, ValueError, UserError, OSError) as err:
        print(f"tagzsl reproduce: {err}", file=sys.stderr)
        return 1
    total = sum(r["seconds"] for r in results)
    print(f"{len(results)} notebook(s) executed in {total:.0f} s")
    return 0


def _check_out_dir(path) -> None:
    """Fail before a long run if ``path`` cannot hold files."""
    import pathlib
    import tempfile

    path = pathlib.Path(path).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as err:
        raise UserError(f"cannot write to --out {path}: {err.strerror or err}") from None


# --------------------------------------------------------------------------- train
def _data_errors():
    from tagzsl.data.tweeteval import ChecksumError, CorpusUnavailableError
    from tagzsl.own_data import DataError

    return (CorpusUnavailableError, ChecksumError, DataError)


def training_data(method: str, quick: bool, root=None, seed: int = config.DEFAULT_SEED):
    """``(tokens, hashtags, hparams, vectors)`` for ``tagzsl train --method``: the default corpus's
    cleaned tokens (fit with ``cleaned=True``: never cleaned twice) and the notebooks' settings for
    that method (:func:`tagzsl.hparams.for_method`; quick mode with ``quick``)."""
    from tagzsl import experiments, hparams
    from tagzsl.experiments import supervised as exp

    mode = "quick" if quick else "full"
    settings = experiments.settings_for(hparams.experiment_module(method), mode)
    prep, _, tags = exp.top50(exp.QUICK if quick else exp.FULL, root=root, seed=seed)
    hp = hparams.for_method(method, settings)
    if hparams.family(method) != "tagspace":  # the corpus is cleaned once: its tokens, not its raw text
        tokens = prep.clean.set_index("id")["tokens"].loc[prep.top["id"]].tolist()
        return tokens, tags, hp, prep.vectors
    rows = hparams.sample_rows(len(prep.clean), hparams.train_limit(method, settings), seed)
    clean = prep.clean.iloc[rows]
    return clean["tokens"].tolist(), clean["hashtags"].tolist(), hp, prep.vectors


def _out_path(text: str):
    import pathlib

    if not text.strip():
        raise UserError("--out is empty; give the model folder to write")
    return pathlib.Path(os.path.abspath(os.path.expanduser(text)))


def _stamp(out):
    try:
        return (out / "config.json").stat().st_mtime_ns
    except OSError:
        return None


def cmd_train(args) -> int:
    import logging

    from tagzsl import recommender, storage

    logging.getLogger("tagzsl").setLevel(logging.ERROR)
    if args.method not in recommender.METHODS:
        print(f"tagzsl train: unknown method {args.method!r}; choose one of {', '.join(recommender.METHODS)}",
              file=sys.stderr)
        return 1
    is_model = folders.has_marker(storage.CONFIG, "format", storage.FORMAT)
    out = before = None
    try:
        with folders.interrupts():
            out = _out_path(args.out)
            with folders.locked(out):  # held until the model is saved: one writer per folder
                folders.check_target(out, overwrite=args.force, is_ours=is_model)  # before any training
                before = _stamp(out)
                own = None
                if args.data:
                    from tagzsl import own_data_cli

                    own, hp = own_data_cli.training_data(args)
                    texts, tags, vectors = own.texts, own.hashtags, own.vectors
                else:
                    texts, tags, hp, vectors = training_data(args.method, args.quick, root=args.data_root,
                                                             seed=args.seed)
                hp.update({k: v for k, v in (("epochs", args.epochs), ("units", args.units)) if v is not None})
                shown = ", ".join(f"{k}={v}" for k, v in hp.items())
                n = len(own.labels.rows) if own is not None else len(texts)
                print(f"training {args.method} on {n} tweets ({'quick' if args.quick else 'full'} "
                      f"settings: {shown}; seed {args.seed}) ...", flush=True)
                rec = recommender.Recommender(args.method, vectors=vectors, seed=args.seed, **hp)
                try:
                    if texts is None:  # tagspace/wsabie on own posts: streamed from the encoded corpus
                        rec.fit_encoded(own.encoded, own.labels, verbose=1 if sys.stdout.isatty() else 2)
                    else:
                        rec.fit(texts, tags, cleaned=True)  # both data paths hand over cleaned text
                except ValueError as err:
                    raise UserError(f"cannot train {args.method} on {n} tweet(s) "
                                    f"({_one_line(err)}); give more posts with --data") from None
                rec.mode_ = "quick" if args.quick else "full"
                rec.save(out)  # one atomic write: a temporary sibling, then a rename
    except KeyboardInterrupt as err:
        saved = out is not None and _stamp(out) not in (None, before)
        return _interrupted("train", err, f" (after saving {out})" if saved else " (nothing written)")
    except (UserError, ValueError, OSError, *_data_errors()) as err:
        print(f"tagzsl train: {_one_line(err)}", file=sys.stderr)
        return 1
    print(f"saved to {out} ({len(rec.hashtags_)} hashtags)")
    return 0


# --------------------------------------------------------------------------- recommend
def _decode(data: bytes, where: str) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UserError(f"cannot read {where}: not UTF-8 text (byte 0x{data[err.start]:02x} at offset "
                        f"{err.start}); give tweets as UTF-8 text, one per line") from None
    if "\x00" in text:
        raise UserError(f"cannot read {where}: it holds binary data (NUL bytes); give tweets as UTF-8 "
                        "text, one per line")
    return text.splitlines()


def read_texts(args) -> list[str]:
    """Tweets from the arguments, ``--file`` (one per line; ``-`` is standard input) or standard input."""
    if args.texts and args.file:
        raise UserError("give tweets as arguments or with --file, not both")
    if args.texts:
        for n, text in enumerate(args.texts, 1):
            _decode(os.fsencode(text), f"tweet {n} of the arguments")
        return list(args.texts)
    if args.file and args.file != "-":
        try:
            with open(args.file, "rb") as fh:
                lines = _decode(fh.read(), args.file)
        except OSError as err:
            raise UserError(f"cannot read {args.file}: {err.strerror or err}") from None
    else:
        if sys.stdin is None or sys.stdin.closed:
            raise UserError("standard input is closed; give tweets as arguments or with --file")
        if sys.stdin.isatty():
            print("tagzsl recommend: type tweets, one per line; end with Ctrl-D (Ctrl-C cancels)",
                  file=sys.stderr, flush=True)
        try:
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
        except OSError as err:
            raise UserError(f"cannot read standard input: {err.strerror or err}; give tweets as arguments "
                            "or with --file") from None
        lines = _decode(data, "standard input")
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise UserError(f"no tweets in {args.file or 'standard input'}; give one tweet per line")
    return lines


def _candidates(text):
    if text is None:
        return None
    candidates = [c.strip() for c in text.split(",") if c.strip()]
    if not candidates:
        raise UserError("--candidates is empty; give comma-separated hashtags")
    spaced = [c for c in candidates if len(c.split()) > 1]
    if spaced:
        raise UserError(f"--candidates: {spaced[0]!r} is not a hashtag (a hashtag has no spaces); "
                        f"write it as {''.join(spaced[0].split())!r} and separate hashtags with commas")
    return candidates


def _lines(texts, results, as_json: bool, unusable_type) -> list[str]:
    import json

    lines = []
    for n, (text, ranked) in enumerate(zip(texts, results), 1):
        if as_json:
            item = ({"text": text, "unusable": str(ranked)} if isinstance(ranked, unusable_type) else
                    {"text": text, "hashtags": [{"rank": r, "hashtag": t, "score": round(s, 6)}
                                                for r, (t, s) in enumerate(ranked, 1)]})
            lines.append(json.dumps(item, ensure_ascii=False))
        elif isinstance(ranked, unusable_type):
            print(f"tagzsl recommend: tweet {n} skipped: {ranked}", file=sys.stderr)
        else:
            if len(texts) > 1:
                lines.append(f"[{n}] {text}")
            lines.extend(f"{rank:>2}. #{tag}  {score:.3f}" for rank, (tag, score) in enumerate(ranked, 1))
    return lines


def _write_stdout(lines) -> int:
    """Write the lines as UTF-8; a reader that went away (``| head -1``) ends the command quietly."""
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    try:
        sys.stdout.flush()
        try:
            fd = sys.stdout.fileno()
        except (AttributeError, OSError, ValueError):  # not a file (a test's capture)
            sys.stdout.write(data.decode("utf-8"))
            return 0
        view = memoryview(data)
        while view:  # os.write raises on a closed pipe; a buffered write may report a short count
            view = view[os.write(fd, view):]
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # so the interpreter's final flush cannot fail
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # like a Unix tool stopped by SIGPIPE, without a message
    return 0


def cmd_recommend(args) -> int:
    import warnings

    from tagzsl import recommender, storage

    try:
        with folders.interrupts():
            texts = read_texts(args)
            rec = recommender.Recommender.load(args.model)
            candidates = _candidates(args.candidates)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                results = rec.recommend(texts, k=args.k, candidates=candidates)
    except KeyboardInterrupt as err:
        return _interrupted("recommend", err)
    except (UserError, ValueError, RuntimeError, storage.ModelFolderError) as err:
        print(f"tagzsl recommend: {_one_line(err)}", file=sys.stderr)
        return 1
    for w in caught:
        if issubclass(w.category, (recommender.MissingVectorWarning, recommender.QuickModelWarning)):
            print(f"tagzsl recommend: warning: {_one_line(w.message)}", file=sys.stderr)
    code = _write_stdout(_lines(texts, results, args.json, recommender.Unusable))
    usable = sum(not isinstance(r, recommender.Unusable) for r in results)
    return code or (0 if usable else 1)


# --------------------------------------------------------------------------- parser
class _Parser(argparse.ArgumentParser):
    """Usage mistakes as one line and exit status 1, like every other refusal."""

    def error(self, message):
        self.exit(1, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tagzsl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reproduce", help="execute the numbered notebooks in order")
    rep.add_argument("--quick", action="store_true",
                     help="smoke run: small models, few epochs; outputs go to runs/quick/")
    rep.add_argument("--lesson", action="store_true", help="lesson mode: each notebook in minutes on a CPU; outputs go to runs/lesson/")
    rep.add_argument("--only", action="append", type=non_empty,
                     help="run only notebooks whose name contains this (repeatable), e.g. 01")
    rep.add_argument("--notebooks", help="folder holding the numbered notebooks (default: ./notebooks)")
    rep.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    rep.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    rep.add_argument("--files", nargs="+", metavar="FILE",
                     help="run the notebooks on your own posts instead of the built-in corpus (Twitter JSON lines, "
                          "CSV/TSV with a 'text' column, or text, one post per line; gzip allowed); outputs go "
                          "to runs/<mode>-own/ (runs/full-own/ without --quick/--lesson), never over the "
                          "committed notebooks")
    rep.add_argument("--out", help="where executed notebooks go (default: in place, or runs/<mode>/)")
    rep.set_defaults(func=cmd_reproduce)

    tr = sub.add_parser("train", help="train a hashtag recommender on the default corpus and save it")
    tr.add_argument("--method", required=True,
                    help="ann, cnn, gru, gru_attention, transformer (supervised, top-50 hashtags); tagspace, "
                         "wsabie (every hashtag seen 10+ times); conse, eszsl, dem (zero-shot rankers)")
    tr.add_argument("--out", required=True, help="model folder to write (refused if it exists, unless --force)")
    tr.add_argument("--force", action="store_true", help="replace an existing model folder (only a tagzsl model's)")
    tr.add_argument("--quick", action="store_true",
                    help="smoke run with the notebooks' quick settings (not a useful model)")
    tr.add_argument("--epochs", type=positive_int, help="most epochs (default: the notebooks' full-run setting)")
    tr.add_argument("--units", type=positive_int, help="hidden units of a supervised or zero-shot GRU "
                                                       "(default: the notebooks' full-run size)")
    tr.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    tr.add_argument("--data-root", help="local copy of the built-in corpus (default: $TAGZSL_DATA, else download)")
    from tagzsl import own_data_cli  # --data FILE... and its options: train on one's own posts

    own_data_cli.add_arguments(tr)
    tr.set_defaults(func=cmd_train)

    rc = sub.add_parser("recommend", help="recommend hashtags for tweets with a saved model")
    rc.add_argument("texts", nargs="*", help="raw tweet text(s) (default: --file, else standard input)")
    rc.add_argument("--model", required=True, help="model folder written by `tagzsl train`")
    rc.add_argument("--file", help="read tweets from this file, one per line ('-': standard input)")
    rc.add_argument("-k", type=positive_int, default=5, help="how many hashtags per tweet (default 5)")
    rc.add_argument("--candidates", help="comma-separated hashtags to rank instead of the trained ones "
                                         "(any hashtag with a word vector or one composed from its words)")
    rc.add_argument("--json", action="store_true", help="one JSON object per tweet")
    rc.set_defaults(func=cmd_recommend)

    from tagzsl import demo  # `tagzsl demo`: the live demo page (cheap import; gradio loads on use)

    demo.add_subcommand(sub, port_number)
    return parser


def quiet_tensorflow() -> None:
    """Import TensorFlow with its native start-up lines (oneDNN, CUDA drivers, CPU features:
    written by C++ to descriptor 2 whatever ``TF_CPP_MIN_LOG_LEVEL`` says) kept off the terminal;
    the descriptor is restored before anything else runs (an import error still shows)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "tensorflow" in sys.modules:
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            import tensorflow as tf

            tf.config.list_physical_devices()  # the device probe logs its CUDA lines here
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.func is not cmd_reproduce:  # train, recommend, demo load TensorFlow (reproduce's kernels are quiet)
        try:
            quiet_tensorflow()
        except KeyboardInterrupt as err:   # Ctrl-C while TensorFlow loads: one line, not its traceback
            return _interrupted(args.command, err, " (nothing written)")
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
