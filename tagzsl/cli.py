"""The ``tagzsl`` command line: ``reproduce`` (run the notebooks), ``train`` and ``recommend``."""
from __future__ import annotations

import argparse
import sys

from tagzsl import config


def cmd_reproduce(args) -> int:
    from tagzsl import reproduce

    try:
        results = reproduce.run(only=args.only, quick=args.quick, seed=args.seed,
                                data_root=args.data, out_dir=args.out)
    except (reproduce.NotebookFailed, ValueError) as err:
        print(f"tagzsl reproduce: {err}", file=sys.stderr)
        return 1
    total = sum(r["seconds"] for r in results)
    print(f"{len(results)} notebook(s) executed in {total:.0f} s")
    return 0


#: quick-mode sizes for `tagzsl train --quick` (a smoke run, not a result)
QUICK_TRAIN = {"epochs": 2, "per_hashtag": 20, "units": 32}
#: default sizes for `tagzsl train` (the notebook's full-run sizes; see notebooks/02_supervised.ipynb)
TRAIN_DEFAULTS = {"epochs": 10, "units": 256, "sequence_length": 30}


def cmd_train(args) -> int:
    import logging

    from tagzsl import corpus, models
    from tagzsl.recommender import HashtagRecommender

    logging.getLogger("tagzsl").setLevel(logging.ERROR)
    if args.model not in models.MODELS:
        print(f"tagzsl train: unknown model {args.model!r}; choose one of {models.available_models()}",
              file=sys.stderr)
        return 2
    try:
        prep = corpus.prepare(root=args.data, quick=args.quick, seed=args.seed,
                              per_hashtag=QUICK_TRAIN["per_hashtag"] if args.quick else 100)
        raw = prep.clean.set_index("id")["raw"]
        texts, tags = raw.loc[prep.top["id"]].tolist(), prep.top["hashtag"].tolist()
        epochs = args.epochs or (QUICK_TRAIN["epochs"] if args.quick else TRAIN_DEFAULTS["epochs"])
        units = args.units or (QUICK_TRAIN["units"] if args.quick else TRAIN_DEFAULTS["units"])
        print(f"training {args.model} on {len(texts)} tweets, {len(set(tags))} hashtags "
              f"({epochs} epochs max, units={units}, seed {args.seed}) ...")
        rec = HashtagRecommender(args.model, epochs=epochs, seed=args.seed, vectors=prep.vectors,
                                 sequence_length=TRAIN_DEFAULTS["sequence_length"], units=units,
                                 verbose=args.verbose)
        rec.fit(texts, tags)
        out = rec.save(args.out)
    except (ValueError, FileNotFoundError, FileExistsError, OSError) as err:
        print(f"tagzsl train: {err}", file=sys.stderr)
        return 1
    hist = rec.history_
    best = min(hist.get("val_loss", [float("nan")]))
    print(f"saved to {out} ({len(hist['loss'])} epochs, best validation loss {best:.3f}, "
          f"validation accuracy {max(hist.get('val_accuracy', [float('nan')])):.3f})")
    return 0


def cmd_recommend(args) -> int:
    import warnings

    from tagzsl.recommender import HashtagRecommender, MissingVectorWarning

    try:
        rec = HashtagRecommender.load(args.model)
        candidates = None
        if args.candidates is not None:
            candidates = [c for c in args.candidates.split(",") if c.strip()]
            if not candidates:
                raise ValueError("--candidates is empty; give comma-separated hashtags")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", MissingVectorWarning)
            results = rec.recommend(args.texts, k=args.k, candidates=candidates)
    except (ValueError, FileNotFoundError, RuntimeError) as err:
        print(f"tagzsl recommend: {err}", file=sys.stderr)
        return 1
    for w in caught:
        if issubclass(w.category, MissingVectorWarning):
            print(f"tagzsl recommend: warning: {w.message}", file=sys.stderr)
    for text, ranked in zip(args.texts, results):
        if len(args.texts) > 1:
            print(text)
        for rank, (tag, score) in enumerate(ranked, 1):
            print(f"{rank:>2}. #{tag}  {score:.3f}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tagzsl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser("reproduce", help="execute the numbered notebooks in order")
    rep.add_argument("--quick", action="store_true",
                     help="smoke run: small models, few epochs; outputs go to runs/quick/")
    rep.add_argument("--only", action="append",
                     help="run only notebooks whose name contains this (repeatable), e.g. 01")
    rep.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    rep.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    rep.add_argument("--out", help="where executed notebooks go (default: in place, or runs/quick/)")
    rep.set_defaults(func=cmd_reproduce)

    tr = sub.add_parser("train", help="train a hashtag recommender on the TweetEval top-50 set and save it")
    tr.add_argument("--model", default="gru", help="ann, cnn, gru, gru_attention or transformer (default gru)")
    tr.add_argument("--out", required=True, help="model directory to write")
    tr.add_argument("--quick", action="store_true", help="smoke run: 20 tweets per hashtag, small model, 2 epochs")
    tr.add_argument("--epochs", type=int, help="most epochs (early stopping on a validation slice)")
    tr.add_argument("--units", type=int, help="hidden units (default 256; the paper used 1024)")
    tr.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    tr.add_argument("--data", help="local corpus root (default: $TAGZSL_DATA, else download)")
    tr.add_argument("--verbose", type=int, default=0, help="Keras progress output (0, 1 or 2)")
    tr.set_defaults(func=cmd_train)

    rc = sub.add_parser("recommend", help="recommend hashtags for tweets with a saved model")
    rc.add_argument("texts", nargs="+", help="raw tweet text(s)")
    rc.add_argument("--model", required=True, help="model directory written by `tagzsl train`")
    rc.add_argument("-k", type=int, default=5, help="how many hashtags per tweet (default 5)")
    rc.add_argument("--candidates", help="comma-separated hashtags to rank instead of the trained ones "
                                         "(zero-shot, ConSE; any hashtag with a word vector)")
    rc.set_defaults(func=cmd_recommend)

    from tagzsl import demo  # `tagzsl demo`: the live demo page (cheap import; gradio loads on use)

    demo.add_subcommand(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
