"""#TagSpace against WSABIE over many training seeds, paired, on the test split.

    nice python benchmarks/tagspace_seeds.py [--seeds 2019-2026] [--dim 64] [--mode full]
        [--epochs N] [--sources all|tweeteval|name,name]

Notebook 04 compares the two models on a few seeds; one standard error of P@1 on its test
posts is about 0.8 points, larger than the gap. This script trains both once per seed, with the
settings notebook 04 picked on validation (``tagzsl.experiments.tagspace.FULL``, or ``--mode``),
and prints every seed's test P@1 / R@10 (percent) / mean rank, each model's mean and standard
deviation, and the paired difference TagSpace - WSABIE (mean, standard error over seeds, seeds
won, two-sided paired t-test and sign test), all from
:func:`tagzsl.experiments.tagspace.paired_seeds`, the function the notebook calls.

Protocol, identical to notebook 04: the corpus, split and vocabulary come from
``config.DEFAULT_SEED`` (the notebook's SEED); the training seed sets both lookup tables' and
the CNN's initial weights, every dropout and token-dropout mask, the WARP draws and the
shuffling; each TagSpace starts from the lookup tables of the WSABIE of its own seed, and both
keep their best validation epoch. So the first seeds reproduce the notebook's seed table.
``--epochs`` overrides both models' epochs (a smoke run, e.g. ``--seeds 2019-2020 --epochs 1``).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import dataclasses  # noqa: E402

import pandas as pd  # noqa: E402

from tagzsl import corpus as corpus_mod, experiments  # noqa: E402
from tagzsl.config import DEFAULT_SEED, data_root  # noqa: E402
from tagzsl.experiments import tagspace as xt  # noqa: E402


def seed_list(text: str) -> list[int]:
    """``"2019-2026"`` or ``"1,5,9"`` -> a list of seeds."""
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="2019-2026", help="a range a-b or a comma list (default 2019-2026)")
    ap.add_argument("--mode", default="full", choices=experiments.MODES, help="notebook 04's settings (default full)")
    ap.add_argument("--dim", type=int, help="default: the settings' first d (64 in full)")
    ap.add_argument("--epochs", type=int, help="override both models' epochs (smoke runs)")
    ap.add_argument("--sources", default="all",
                    help="corpus sources for tagzsl.corpus.prepare: all, tweeteval, or a comma list (default all)")
    args = ap.parse_args(argv)
    seeds = seed_list(args.seeds)
    if len(seeds) < 2:
        ap.error("need at least two seeds for a paired comparison")
    settings = experiments.settings_for(xt, args.mode)
    if args.epochs is not None:
        settings = dataclasses.replace(settings, wsabie_epochs=args.epochs, tagspace_epochs=args.epochs)
    sources = "all" if args.sources == "all" else args.sources.split(",")

    start = time.perf_counter()
    prep = corpus_mod.prepare(sources, root=data_root(), quick=settings.quick_word2vec, seed=DEFAULT_SEED)
    corpus = xt.build_corpus(prep.clean, min_count=settings.min_count, seed=DEFAULT_SEED,
                             train_limit=settings.train_limit)
    dim = args.dim or settings.dims[0]
    print(f"corpus seed {DEFAULT_SEED}, sources {args.sources}: {len(corpus.train):,} train / {len(corpus.test):,} "
          f"test posts, {len(corpus.tags):,} hashtags; d={dim}, {settings}; seeds {seeds}", flush=True)
    result = xt.paired_seeds(corpus, settings, seeds, dim=dim, log=lambda line: print(line, flush=True))

    pd.set_option("display.width", 200)
    print("\nTest split, P@1 / R@10 in percent, mean rank (lower is better):")
    print(result.wide.round(2).to_string())
    print("\nMean and standard deviation (ddof=1) over seeds:")
    print(result.summary.round(2).to_string())
    print("\nPaired difference (TagSpace - WSABIE; for mean rank, negative is better):")
    print(result.paired.round(3).to_string())
    print(f"\n{time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
