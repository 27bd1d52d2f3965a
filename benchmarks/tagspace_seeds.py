"""#TagSpace against WSABIE over many training seeds, paired, on the test split.

    nice python benchmarks/tagspace_seeds.py [--seeds 2019-2026] [--dim 64]

Notebook 04 compares the two models on one seed (and three in its spread section); one
standard error of P@1 on its 2,074 test posts is about 0.8 points, larger than the gap. This
script trains both, with the settings notebook 04 picked on validation, once per seed and
prints every seed's test P@1 / R@10 / mean rank, each model's mean and standard deviation, and
the paired difference TagSpace - WSABIE (mean, standard error over seeds, seeds won, and a
two-sided paired t-test and sign test).

Protocol, identical to notebook 04: the corpus, split and vocabulary come from seed 2019 (the
notebook's SEED); the training seed sets shuffling, WARP draws, dropout and initial weights.
WSABIE: Adam 3e-3, token dropout 0.2, batch 128; TagSpace: H = 1000, K = 5, Adam 1e-3, token
dropout 0.4, batch 64, lookup tables from the WSABIE of the same seed; both 16 epochs with the
best validation epoch kept, dropout 0.5, 1000 WARP draws, margin 0.1. So seeds 2019-2021
reproduce the notebook's spread table.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from tagzsl import corpus as corpus_mod, tagspace as ts  # noqa: E402
from tagzsl.config import DEFAULT_SEED, data_root  # noqa: E402

METRICS = ("P@1", "R@10", "mean_rank")


def seed_list(text: str) -> list[int]:
    """``"2019-2026"`` or ``"1,5,9"`` -> a list of seeds."""
    if "-" in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",")]


def paired_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per metric: TagSpace - WSABIE over seeds (``frame``: seed x (metric, method))."""
    rows = []
    for m in METRICS:
        diff = frame[(m, "#TagSpace")] - frame[(m, "WSABIE")]
        better = diff < 0 if m == "mean_rank" else diff > 0
        rows.append({"metric": m, "TagSpace - WSABIE": diff.mean(), "SE": diff.std(ddof=1) / np.sqrt(len(diff)),
                     "TagSpace better on": f"{int(better.sum())}/{len(diff)} seeds",
                     "paired t p": stats.ttest_rel(frame[(m, "#TagSpace")], frame[(m, "WSABIE")]).pvalue,
                     "sign test p": stats.binomtest(int(better.sum()), int((diff != 0).sum())).pvalue
                     if (diff != 0).any() else 1.0})
    return pd.DataFrame(rows).set_index("metric")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="2019-2026", help="a range a-b or a comma list (default 2019-2026)")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--hidden", type=int, default=1000)
    args = ap.parse_args(argv)
    seeds = seed_list(args.seeds)
    if len(seeds) < 2:
        ap.error("need at least two seeds for a paired comparison")

    prep = corpus_mod.prepare(root=data_root(), seed=DEFAULT_SEED)
    corpus = ts.build_corpus(prep.clean, min_count=ts.MIN_COUNT, seed=DEFAULT_SEED)
    encoder = ts.Encoder().fit(corpus.train["tokens"], corpus.tags)
    common = dict(dim=args.dim, epochs=args.epochs, max_draws=1000, margin=0.1, dropout=0.5, optimizer="adam",
                  encoder=encoder)
    print(f"corpus seed {DEFAULT_SEED}: {len(corpus.train):,} train / {len(corpus.test):,} test posts, "
          f"{len(corpus.tags):,} hashtags; d={args.dim}, H={args.hidden}, {args.epochs} epochs; seeds {seeds}",
          flush=True)
    rows = []
    for seed in seeds:
        start = time.perf_counter()
        w = ts.train("wsabie", corpus, learning_rate=0.003, token_dropout=0.2, batch_size=128, seed=seed, **common)
        t = ts.train("tagspace", corpus, hidden=args.hidden, learning_rate=0.001, token_dropout=0.4, batch_size=64,
                     init_from=w, seed=seed, **common)
        for method, trained in (("WSABIE", w), ("#TagSpace", t)):
            row = ts.model_row(method, trained, corpus)
            rows.append({"seed": seed, "method": method, "P@1": 100 * row["P@1"], "R@10": 100 * row["R@10"],
                         "mean_rank": row["mean_rank"], "best epoch": ts.best_epoch(trained.history)["epoch"]})
        print(f"seed {seed}: " + "  ".join(f"{r['method']} {r['P@1']:.2f} / {r['R@10']:.2f} / {r['mean_rank']:.1f}"
                                           for r in rows[-2:]) + f"  ({time.perf_counter() - start:.0f} s)", flush=True)

    results = pd.DataFrame(rows)
    wide = results.pivot(index="seed", columns="method", values=list(METRICS))
    pd.set_option("display.width", 200)
    print("\nTest split, P@1 / R@10 in percent, mean rank (lower is better):")
    print(wide.round(2).to_string())
    print("\nMean and standard deviation over seeds:")
    print(results.groupby("method")[list(METRICS)].agg(["mean", "std"]).round(2).to_string())
    print("\nPaired difference (TagSpace - WSABIE; for mean rank, negative is better):")
    print(paired_summary(wide).round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
