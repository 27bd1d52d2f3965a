"""The ``tagzsl`` command line: ``reproduce`` (run the notebooks), ``train`` and ``recommend``.

A person's mistake (a missing corpus, a damaged model folder, an unwritable ``--out``) is one
line on standard error and exit status 1; Ctrl-C during training prints "interrupted", leaves
nothing half-written and exits with 130.
"""
from __future__ import annotations

import argparse
import os
import sys

from tagzsl import config


def cmd_reproduce(args) -> int:
    from tagzsl import reproduce

    try:
        if args.out:
            _check_out_dir(args.out)
        results = reproduce.run(only=args.only, quick=args.quick, mode="lesson" if args.lesson else None, seed=args.seed,
                                data_root=args.data, out_dir=args.out)
    except (reproduce.NotebookFailed, ValueError, UserError, OSError) as err:
        print(f"tagzsl reproduce: {err}", file=sys.stderr)
        return 1
    total = sum(r["seconds"] for r in results)
    print(f"{len(results)} notebook(s) executed in {total:.0f} s")
    return 0


class UserError(Exception):
    """A problem the person running the command can fix; printed as one line, exit 1."""


def _data_errors():
    from tagzsl.data.tweeteval import ChecksumError, CorpusUnavailableError

    return (CorpusUnavailableError, ChecksumError)


def training_data(method: str, quick: bool, root=None, seed: int = config.DEFAULT_SEED):
    """``(texts, hashtags, hparams, vectors)`` for ``tagzsl train --method``: the default corpus and the
    notebooks' settings for that method (``tagzsl.experiments``; quick mode with ``quick``)."""
    from tagzsl import recommender
    from tagzsl.experiments import supervised as exp

    sup = exp.QUICK if quick else exp.FULL
    prep, texts, tags = exp.top50(sup, root=root, seed=seed)
    if method in recommender.SUPERVISED:
        spec = sup.spec(method)
        spec.pop("model")
        return texts, tags, spec, prep.vectors
    if method in recommender.ZERO_SHOT:
        import dataclasses

        from tagzsl.experiments import zero_shot

        zs = zero_shot.QUICK if quick else zero_shot.FULL
        keep = ("units", "features", "sequence_length", "epochs", "patience", "batch_size", "dem_epochs",
                "dem_learning_rate", "dem_l2", "eszsl_grid")
        names = {f.name for f in dataclasses.fields(zs)}
        return texts, tags, {k: getattr(zs, k) for k in keep if k in names}, prep.vectors
    from tagzsl.experiments import tagspace as ts

    st = ts.QUICK if quick else ts.FULL
    wsabie = method == "wsabie"
    hp = {"dim": st.dims[0], "epochs": st.wsabie_epochs if wsabie else st.tagspace_epochs,
          "batch_size": st.batch_size if wsabie else st.tagspace_batch_size,
          "learning_rate": st.wsabie_lr if wsabie else st.tagspace_lr, "optimizer": st.optimizer,
          "token_dropout": st.wsabie_token_dropout if wsabie else st.tagspace_token_dropout,
          "dropout": st.dropout, "max_draws": st.max_draws, "margin": st.margin, "min_count": st.min_count}
    if not wsabie:
        hp["hidden"] = st.hidden
    clean = prep.clean if st.train_limit is None else prep.clean.iloc[: st.train_limit]
    return clean["raw"].tolist(), clean["hashtags"].tolist(), hp, prep.vectors


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


def cmd_train(args) -> int:
    import logging
    import shutil

    from tagzsl import recommender, storage

    logging.getLogger("tagzsl").setLevel(logging.ERROR)
    if args.method not in recommender.METHODS:
        print(f"tagzsl train: unknown method {args.method!r}; choose one of {', '.join(recommender.METHODS)}",
              file=sys.stderr)
        return 2
    tmp = None
    try:
        out = storage.check_writable(args.out, overwrite=args.force)  # before any training
        texts, tags, hp, vectors = training_data(args.method, args.quick, root=args.data, seed=args.seed)
        hp.update({k: v for k, v in (("epochs", args.epochs), ("units", args.units)) if v})
        shown = ", ".join(f"{k}={v}" for k, v in hp.items())
        print(f"training {args.method} on {len(texts)} tweets ({'quick' if args.quick else 'full'} "
              f"settings: {shown}; seed {args.seed}) ...", flush=True)
        rec = recommender.Recommender(args.method, vectors=vectors, seed=args.seed, **hp)
        rec.fit(texts, tags)
        rec.mode_ = "quick" if args.quick else "full"
        tmp = out.with_name(f".{out.name}.training-{os.getpid()}")
        rec.save(tmp)            # the whole folder, then one rename
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
        tmp = None
    except KeyboardInterrupt:
        print("tagzsl train: interrupted (nothing written)", file=sys.stderr)
        return 130
    except (ValueError, FileExistsError, OSError, *_data_errors()) as err:
        print(f"tagzsl train: {_one_line(err)}", file=sys.stderr)
        return 1
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"saved to {out} ({len(rec.hashtags_)} hashtags)")
    return 0


def _one_line(err) -> str:
    text = str(err).strip() or type(err).__name__
    return " ".join(text.split())


def read_texts(args) -> list[str]:
    """Tweets from the arguments, ``--file`` (one per line; ``-`` is standard input) or standard input."""
    if args.texts and args.file:
        raise UserError("give tweets as arguments or with --file, not both")
    if args.texts:
        return list(args.texts)
    if args.file and args.file != "-":
        try:
            with open(args.file, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except (OSError, UnicodeDecodeError) as err:
            raise UserError(f"cannot read {args.file}: {getattr(err, 'strerror', None) or err}") from None
    else:
        lines = sys.stdin.read().splitlines()
    lines = [line for line in lines if line.strip()]
    if not lines:
        raise UserError(f"no tweets in {args.file or 'standard input'}; give one tweet per line")
    return lines


def cmd_recommend(args) -> int:
    import json
    import warnings

    from tagzsl import recommender, storage

    try:
        texts = read_texts(args)
        rec = recommender.Recommender.load(args.model)
        candidates = None
        if args.candidates is not None:
            candidates = [c for c in args.candidates.split(",") if c.strip()]
            if not candidates:
                raise UserError("--candidates is empty; give comma-separated hashtags")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = rec.recommend(texts, k=args.k, candidates=candidates)
    except (UserError, ValueError, RuntimeError, storage.ModelFolderError) as err:
        print(f"tagzsl recommend: {_one_line(err)}", file=sys.stderr)
        return 1
    for w in caught:
        if issubclass(w.category, (recommender.MissingVectorWarning, recommender.QuickModelWarning)):
            print(f"tagzsl recommend: warning: {_one_line(w.message)}", file=sys.stderr)
    lines = []
    for n, (text, ranked) in enumerate(zip(texts, results), 1):
        if args.json:
            item = ({"text": text, "unusable": str(ranked)} if isinstance(ranked, recommender.Unusable) else
                    {"text": text, "hashtags": [{"rank": r, "hashtag": t, "score": round(s, 6)}
                                                for r, (t, s) in enumerate(ranked, 1)]})
            lines.append(json.dumps(item, ensure_ascii=False))
            continue
        if isinstance(ranked, recommender.Unusable):
            print(f"tagzsl recommend: tweet {n} skipped: {ranked}", file=sys.stderr)
            continue
        if len(texts) > 1:
            lines.append(f"[{n}] {text}")
        lines.extend(f"{rank:>2}. #{tag}  {score:.3f}" for rank, (tag, score) in enumerate(ranked, 1))
    print("\n".join(lines))
    usable = sum(not isinstance(r, recommender.Unusable) for r in results)
    return 0 if usable else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tagzsl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reproduce", help="execute the numbered notebooks in order")
    rep.add_argument("--quick", action="store_true",
                     help="smoke run: small models, few epochs; outputs go to runs/quick/")
    rep.add_argument("--lesson", action="store_true", help="lesson mode: each notebook in minutes on a CPU; outputs go to runs/lesson/")
    rep.add_argument("--only", action="append",
                     help="run only notebooks whose name contains this (repeatable), e.g. 01")
    rep.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    rep.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    rep.add_argument("--out", help="where executed notebooks go (default: in place, or runs/quick/)")
    rep.set_defaults(func=cmd_reproduce)

    tr = sub.add_parser("train", help="train a hashtag recommender on the default corpus and save it")
    tr.add_argument("--method", required=True,
                    help="ann, cnn, gru, gru_attention, transformer (supervised, top-50 hashtags); tagspace, "
                         "wsabie (every hashtag seen 10+ times); conse, eszsl, dem (zero-shot rankers)")
    tr.add_argument("--out", required=True, help="model folder to write (refused if it exists, unless --force)")
    tr.add_argument("--force", action="store_true", help="replace an existing --out folder")
    tr.add_argument("--quick", action="store_true",
                    help="smoke run with the notebooks' quick settings (not a useful model)")
    tr.add_argument("--epochs", type=int, help="most epochs (default: the notebooks' full-run setting)")
    tr.add_argument("--units", type=int, help="hidden units of a supervised or zero-shot GRU "
                                              "(default: the notebooks' full-run size)")
    tr.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    tr.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    tr.set_defaults(func=cmd_train)

    rc = sub.add_parser("recommend", help="recommend hashtags for tweets with a saved model")
    rc.add_argument("texts", nargs="*", help="raw tweet text(s) (default: --file, else standard input)")
    rc.add_argument("--model", required=True, help="model folder written by `tagzsl train`")
    rc.add_argument("--file", help="read tweets from this file, one per line ('-': standard input)")
    rc.add_argument("-k", type=int, default=5, help="how many hashtags per tweet (default 5)")
    rc.add_argument("--candidates", help="comma-separated hashtags to rank instead of the trained ones "
                                         "(any hashtag with a word vector or one composed from its words)")
    rc.add_argument("--json", action="store_true", help="one JSON object per tweet")
    rc.set_defaults(func=cmd_recommend)

    from tagzsl import demo  # `tagzsl demo`: the live demo page (cheap import; gradio loads on use)

    demo.add_subcommand(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
