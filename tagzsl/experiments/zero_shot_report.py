"""Notebook 03's tables and sentences, computed from :func:`tagzsl.experiments.zero_shot.run`'s
rows: mean ± sd tables, Table 3 beside the paper (long, and in the paper's own layout), the
paper's Table 4 beside our examples and the paper's own tweets through our methods, and the
verdicts, each with its uncertainty (:mod:`tagzsl.experiments.verdicts`).

Two methods are compared over the partitions when several ran (the same partitions for both:
paired differences); with one partition per split (lesson and quick mode), by the binomial
interval of two hit rates on that partition's test tweets (``n_test``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tagzsl import metrics
from tagzsl.experiments import verdicts

METHODS = ("random", "source only", "word2vec similarity", "word2vec similarity (centred)", "ConSE", "ESZSL",
           "DEM", "DEM (word space)")
#: rows without training on the tweets: no few-shot > zero-shot check for them
TRAINING_FREE = ("random", "source only", "word2vec similarity", "word2vec similarity (centred)")
#: the paper's order of its methods (Table 3), checked pair by pair
PAPER_ORDER = ("DEM", "ESZSL", "ConSE")


def summarise(rows, columns=("hit@1", "hit@2", "hit@5"), by=("setting", "split", "method")):
    """Mean ± sd over partitions (:func:`tagzsl.metrics.mean_sd`, ddof=1), methods in table order.

    Returns ``(table of "35.1 ± 2.0" strings, DataFrame of the means)``; rates in percent. A group
    of one partition (lesson mode) shows its value alone: it has no spread to report.
    """
    rows = rows.copy()
    if "method" in rows:
        present = set(rows["method"])
        rows["method"] = pd.Categorical(rows["method"], [m for m in METHODS if m in present]
                                        + sorted(present - set(METHODS)))
    grouped = rows.groupby(list(by), observed=True)[list(columns)]
    mean = grouped.agg(lambda v: metrics.mean_sd(v)[0])
    sd = grouped.agg(lambda v: metrics.mean_sd(v)[1])
    count = grouped.agg(len)
    text = mean.map(lambda v: f"{v:.1f}")
    return text.where(count < 2, text + " ± " + sd.map(lambda v: f"{v:.1f}")), mean


def beside_paper(rows, columns=("hit@1", "hit@2", "hit@5")):
    """Table 3 long: the paper's hit@k beside our means over partitions, matched on (setting,
    split, method), both in percent; paper rows first, then the rows only we have (baselines)."""
    from tagzsl import paper

    mean = summarise(rows, columns=columns)[1].reset_index()
    return paper.side_by_side(paper.table("kumar_table3"), mean, on=("setting", "split", "method"),
                              metrics=columns)


def table3_layout(rows, ks=(1, 2, 5)) -> pd.DataFrame:
    """Table 3 in the paper's layout: one row per (split, method), columns zero-shot and few-shot
    hit@1/2/5 side by side; each cell "ours ± sd (paper's)" in percent (no sd with one partition),
    ours alone where the paper has no row, "–" where a setting has no such row (source only is
    few-shot only). A split the paper did not run (:func:`~.zero_shot_partitions.scaled_splits`
    of a label set other than 50) shows "(–)" for the paper's side of its methods' cells."""
    from tagzsl import display, paper

    shown, mean = summarise(rows, columns=tuple(f"hit@{k}" for k in ks))
    theirs = paper.table("kumar_table3").set_index(["setting", "split", "method"])
    paper_methods = set(theirs.index.get_level_values("method"))
    paper_splits = set(theirs.index.get_level_values("split"))
    splits = list(dict.fromkeys(rows["split"]))
    present = set(rows["method"])
    methods = [m for m in METHODS if m in present] + sorted(present - set(METHODS))
    out = {}
    for split in splits:
        for method in methods:
            row = {}
            for setting in ("zero-shot", "few-shot"):
                for k in ks:
                    key, col = (setting, split, method), f"hit@{k}"
                    if key not in mean.index:
                        row[(setting, col)] = "–"
                        continue
                    cell = shown.loc[key, col]
                    if key in theirs.index:
                        cell += f" ({theirs.loc[key, col]:.0f})"
                    elif split not in paper_splits and method in paper_methods:
                        cell += f" ({display.DASH})"
                    row[(setting, col)] = cell
            if any(v != "–" for v in row.values()):
                out[(split, method)] = row
    table = pd.DataFrame.from_dict(out, orient="index")
    table.columns = pd.MultiIndex.from_tuples(table.columns, names=["setting", "ours (paper's)"])
    table.index = pd.MultiIndex.from_tuples(table.index, names=["split", "method"])
    return table


def _compare(rows, setting, split, a, b, column, claim):
    """``a`` against ``b`` on ``column`` in one (setting, split): paired over the partitions when
    several ran, else the binomial interval on the partition's test tweets."""
    part = rows[(rows["setting"] == setting) & (rows["split"] == split)]
    wide = part.pivot_table(index="partition", columns="method", values=column)
    if len(wide) >= 2:
        return verdicts.paired(wide[a], wide[b], claim, unit="partitions")
    n = int(part["n_test"].min()) if "n_test" in part else 0
    return verdicts.proportions(float(wide[a].iloc[0]), float(wide[b].iloc[0]), n, claim,
                                unit="test tweets of the one partition")


def _settings_compare(rows, split, method, column):
    """Few-shot against zero-shot for one method and split (different test tweets: paired over
    partitions when several, else binomial on the smaller test set)."""
    part = rows[(rows["split"] == split) & (rows["method"] == method)]
    wide = part.pivot_table(index="partition", columns="setting", values=column)
    claim = f"{method}: few-shot > zero-shot"
    if len(wide) >= 2:
        return verdicts.paired(wide["few-shot"], wide["zero-shot"], claim, unit="partitions")
    return verdicts.proportions(float(wide["few-shot"].iloc[0]), float(wide["zero-shot"].iloc[0]),
                                int(part["n_test"].min()), claim, unit="test tweets")


def _basis(rows, setting, split) -> str:
    part = rows[(rows["setting"] == setting) & (rows["split"] == split)]
    n_part = part["partition"].nunique()
    if n_part >= 2:
        return f"95% intervals over {n_part} partitions"
    return f"binomial 95% intervals on {int(part['n_test'].min()):,} test tweets"


def verdict(rows, column: str = "hit@1") -> list[str]:
    """Whether the paper's Table 3 findings hold in ``rows`` (:func:`run`'s), as printable lines,
    each comparison with its 95% interval ("tied" inside it).

    Per setting and split: the methods in order of the mean ``column``; the paper's order
    DEM > ESZSL > ConSE pair by pair; whether each method beats the training-free
    word2vec-similarity baseline and (few-shot) the source-only baseline; its margin over random
    (points). Per split: whether few-shot beats zero-shot, for the trained methods only (a
    training-free row scores the same tweets the same way in both settings).
    """
    mean = summarise(rows, columns=(column,))[1][column]
    lines = []
    for (setting, split), r in mean.groupby(level=["setting", "split"], sort=False):
        r = r.droplevel(["setting", "split"]).astype(float)
        order = " > ".join(f"{m} {v:.1f}" for m, v in r.sort_values(ascending=False).items())
        lines.append(f"{setting} {split} ({column}, %; {_basis(rows, setting, split)}): {order}")
        if set(PAPER_ORDER) <= set(r.index):
            pairs = [(a, b) for i, a in enumerate(PAPER_ORDER) for b in PAPER_ORDER[i + 1:]]
            cs = [_compare(rows, setting, split, a, b, column, f"{a} > {b}") for a, b in pairs]
            lines.append("  paper order DEM > ESZSL > ConSE: "
                         + ", ".join(f"{c.claim} {c.short()}" for c in cs) + f" [{verdicts.tally(cs)}]")
        for base in ("word2vec similarity", "source only"):
            if base in r.index:
                others = [m for m in r.index if m not in ("random", base)
                          and not (base == "word2vec similarity" and m == "source only")]
                cs = [_compare(rows, setting, split, m, base, column, f"{m} > {base}") for m in others]
                lines.append(f"  beats {base} {r[base]:.1f}? " + ", ".join(
                    f"{m} {c.short()}" for m, c in zip(others, cs)))
        if "random" in r.index:
            lines.append(f"  margin over random {r['random']:.1f} (points): " + ", ".join(
                f"{m} {r[m] - r['random']:+.1f}" for m in r.index if m != "random"))
    settings = set(mean.index.get_level_values("setting"))
    if {"zero-shot", "few-shot"} <= settings:
        zero, few = mean.loc["zero-shot"], mean.loc["few-shot"]
        few_splits = set(few.index.get_level_values("split"))
        for split in [s for s in zero.index.get_level_values("split").unique() if s in few_splits]:
            both = [m for m in zero.loc[split].index if m in few.loc[split].index and m not in TRAINING_FREE]
            cs = [_settings_compare(rows, split, m, column) for m in both]
            lines.append(f"few-shot > zero-shot on {split} (trained methods): " + ", ".join(
                f"{m} {c.short()}" for m, c in zip(both, cs)))
    return lines


def table4(ours) -> pd.DataFrame:
    """The paper's Table 4 (its cleaned tweet, expected hashtag, top 5) beside ``ours``
    (:func:`tagzsl.experiments.zero_shot.examples`), row by row; "–" where a side has fewer rows."""
    from tagzsl import display, paper

    theirs = paper.examples("kumar_table4_tweets")
    theirs = pd.DataFrame({"tweet": [display.shorten(display.masked(t), 60) for t in theirs["tweet"]],
                           "true hashtag": "#" + theirs["hashtag"],
                           "top 5": [" ".join("#" + t.strip() for t in r) for r in theirs["recommended"]],
                           "in top 5": [h in [t.strip() for t in r] for h, r in zip(theirs["hashtag"],
                                                                                  theirs["recommended"])]})
    ours = ours.assign(tweet=[display.shorten(t, 60) for t in ours["tweet"]])
    return display.dash(pd.concat({"paper": theirs, "ours": ours}, axis=1))


def paper_tweets(scores: dict, candidates: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The paper's Table 4 tweets through our zero-shot methods: ``scores`` is
    ``{method: (5, len(candidates)) array}`` (rows in the paper's order).

    Returns ``(tweets, ours)``: the paper's tweets with their expected hashtag and the paper's
    top 5; and per (tweet, method) our top 5 among ``candidates`` with the rank of the expected
    hashtag ("–" when it has no word vector and so is not a candidate)."""
    from tagzsl import display, paper

    theirs = paper.examples("kumar_table4_tweets")
    tweets = pd.DataFrame({"tweet": [display.shorten(display.masked(t), 70) for t in theirs["tweet"]],
                           "expected": "#" + theirs["hashtag"],
                           "paper's top 5": [" ".join("#" + t.strip() for t in r) for r in theirs["recommended"]]})
    tweets.index = pd.RangeIndex(1, len(tweets) + 1, name="tweet no.")
    rows = {}
    if not scores:      # none of the paper's hashtags has a word vector here (e.g. one's own posts)
        empty = pd.MultiIndex.from_arrays([[], []], names=["tweet no.", "method"])
        return tweets, pd.DataFrame(columns=["our top 5", "rank of expected"], index=empty)
    for method, s in scores.items():
        order = np.argsort(-np.asarray(s), axis=1)
        for i, expected in enumerate(theirs["hashtag"]):
            ranked = [candidates[j] for j in order[i]]
            rows[(i + 1, method)] = {"our top 5": " ".join("#" + t for t in ranked[:5]),
                                     "rank of expected": ranked.index(expected) + 1 if expected in ranked else "–"}
    ours = pd.DataFrame.from_dict(rows, orient="index")
    ours.index = pd.MultiIndex.from_tuples(ours.index, names=["tweet no.", "method"])
    return tweets, ours.sort_index(level=0, sort_remaining=False)


def paper_tweet_summary(ours: pd.DataFrame, n_candidates: int) -> str:
    """Per method: how many of the paper's tweets get their expected hashtag in our top 1 and top 5;
    one line saying they were not ranked when no method scored them (no candidate)."""
    if ours.empty:
        return (f"the paper's tweets are not ranked: {n_candidates} of its Table 4 hashtags have a word vector in "
                "this corpus, so there are no candidates to rank among (its tweets and top 5 are shown alone)")
    parts = []
    for method, g in ours.groupby(level="method", sort=False):
        ranks = [r for r in g["rank of expected"] if r != "–"]
        parts.append(f"{method} {sum(r == 1 for r in ranks)}/{sum(r <= 5 for r in ranks)}")
    return (f"expected hashtag at rank 1 / in the top 5, of {len(ours.index.levels[0])} tweets, among "
            f"{n_candidates} candidates: " + ", ".join(parts))
