"""The sentences of notebook 02, computed from a run's numbers with their uncertainty
(:mod:`tagzsl.experiments.verdicts`): the best deep model against the baselines, every pair
of the paper's Table 2 checked on ours, the chance margins, the gap to the paper, what the
learning curve says, and why our numbers differ from the paper's.

Two rows are compared over the folds when more than one ran (paired differences, their
standard error and Student's t); on one fold (lesson and quick mode), by the binomial
interval of two accuracies on the test fold's tweets.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tagzsl.experiments import verdicts
from tagzsl.experiments.supervised import BASELINES, CVResult, formatted, side_by_side


def _deep(table: pd.DataFrame) -> pd.DataFrame:
    t = table.set_index("model") if "model" in table.columns else table
    return t.drop(index=[b for b in BASELINES if b in t.index])


def n_test(result: CVResult) -> int:
    """Test tweets of one fold (the first)."""
    return len(result.splits[0][2]) if result.splits else 0


def compare(result: CVResult, a: str, b: str, claim: str | None = None, metric: str = "accuracy"):
    """``a`` against ``b`` on ``metric`` (percent): paired over the folds when several ran, else
    the binomial interval on the one test fold (:mod:`tagzsl.experiments.verdicts`)."""
    claim = claim or f"{a} > {b}"
    per_fold = result.folds.pivot(index="fold", columns="model", values=metric)
    if len(per_fold) >= 2:
        return verdicts.paired(per_fold[a], per_fold[b], claim, unit="folds")
    return verdicts.proportions(float(per_fold[a].iloc[0]), float(per_fold[b].iloc[0]), n_test(result), claim,
                                unit="test tweets of the one fold")


def verdict(result: CVResult) -> str:
    """Does the best deep model (by mean accuracy) beat TF-IDF + LR and the source-only baseline?

    One line per baseline (:meth:`tagzsl.experiments.verdicts.Comparison.text`, with the folds
    won when several ran), then the verdict: "beats" only where the difference is outside the
    run's 95% interval; inside it the two are tied.
    """
    t = result.table.set_index("model")
    deep = _deep(t)
    if deep.empty:
        return "best deep model: none (no deep model in this run)"
    best = deep["accuracy_mean"].idxmax()
    bases = [b for b in BASELINES if b in t.index]
    per_fold = result.folds.pivot(index="fold", columns="model", values="accuracy")
    shown = formatted(t.reset_index()).set_index("model")["accuracy"]
    lines = [f"best deep model: {best}, accuracy {shown[best]}%"]
    found = {}
    for base in bases:
        c = compare(result, best, base, claim=f"{best} beats {base}")
        found[base] = c.verdict
        wins = f"; higher on {int((per_fold[best] > per_fold[base]).sum())} of {len(per_fold)} folds" \
            if len(per_fold) > 1 else ""
        lines.append(f"  {c.text()}{wins}")
    if not bases:
        lines.append("verdict: no baseline in this run, nothing to compare against")
        return "\n".join(lines)
    beaten = [b for b in bases if found[b] == verdicts.HOLDS]
    tied = [b for b in bases if found[b] == verdicts.TIED]
    lost = [b for b in bases if found[b] == verdicts.FAILS]
    if len(beaten) == len(bases):
        lines.append(f"verdict: a deep model ({best}) beats {' and '.join(bases)}")
    elif lost:
        lines.append(f"verdict: no deep model beats {' and '.join(bases)} (the best, {best}, is below "
                     f"{' and '.join(lost)}, outside the run's uncertainty)")
    else:
        lines.append(f"verdict: the best deep model, {best}, is tied with {' and '.join(tied)} (inside the "
                     f"run's uncertainty)" + (f" and beats {' and '.join(beaten)}" if beaten else ""))
    return "\n".join(lines)


def paper_pairs(result: CVResult) -> list[tuple[str, str]]:
    """Every pair ``(higher, lower)`` of the paper's Table 2 whose two models are in this run,
    ordered by the paper's accuracy (:func:`tagzsl.paper.table`)."""
    from tagzsl import paper

    published = paper.table("kumar_table2").set_index("model")["accuracy"].astype(float)
    ours = [m for m in _deep(result.table).index if m in published.index]
    ranked = sorted(ours, key=lambda m: -published[m])
    return [(hi, lo) for i, hi in enumerate(ranked) for lo in ranked[i + 1:] if published[hi] > published[lo]]


def ordering(result: CVResult) -> str:
    """The paper's ordering of Table 2 checked on this run, one verdict per pair of the paper's
    models present (:func:`paper_pairs`), each inside or outside the run's uncertainty."""
    from tagzsl import paper

    published = paper.table("kumar_table2").set_index("model")["accuracy"].astype(float).sort_values(ascending=False)
    acc = _deep(result.table)["accuracy_mean"]
    lines = ["paper's ordering (Table 2 accuracy %): " + " > ".join(f"{m} {a:.1f}" for m, a in published.items()),
             "ours (accuracy %, best first): "
             + (" > ".join(f"{m} {a:.1f}" for m, a in acc.sort_values(ascending=False).items()) or "no deep model")]
    pairs = paper_pairs(result)
    missing = [m for m in published.index if m not in acc.index]
    comparisons = [compare(result, hi, lo) for hi, lo in pairs]
    lines += [f"  {c.text()}" for c in comparisons]
    if missing:
        lines.append(f"  not checked (not in this run): {', '.join(missing)}")
    if not comparisons:
        lines.append("ordering: cannot be checked in this run (fewer than two of the paper's models ran)")
    else:
        lines.append(f"ordering, {len(comparisons)} pair(s) of the paper's Table 2 in this run: {verdicts.tally(comparisons)}")
    return "\n".join(lines)


def above_chance(result: CVResult) -> str:
    """Each row's mean accuracy against chance (100 / number of hashtags), as a margin in points."""
    chance = 100 / len(result.classes)
    acc = result.table.set_index("model")["accuracy_mean"].round(1)
    margins = acc - chance
    rows = ", ".join(f"{m} {a:.1f}% ({d:+.1f})" for m, a, d in zip(acc.index, acc, margins))
    status = ("every row is above chance" if (margins > 0).all()
              else f"AT OR BELOW chance: {', '.join(margins.index[margins <= 0])}")
    return (f"chance on {len(result.classes)} hashtags: {chance:.1f}%; accuracy (points above chance): {rows}; "
            f"{status}, the lowest by {margins.min():+.1f} points")


def paper_gap(result: CVResult) -> str:
    """The range of ours minus the paper's accuracy on matching rows, from the one-decimal values
    the tables show (so the sentence and the table agree to the digit)."""
    gaps = side_by_side(result.table).dropna(subset=["accuracy (paper)", "accuracy (ours)"])
    if gaps.empty:
        return "against the paper's Table 2: no matching row in this run"
    gap = (gaps["accuracy (ours)"].round(1) - gaps["accuracy (paper)"].round(1)).round(1)
    worst, best = gaps.loc[gap.idxmin()], gaps.loc[gap.idxmax()]
    return (f"against the paper's Table 2 on the {len(gap)} matching row(s): ours are {gap.min():+.1f} "
            f"({worst['model']} {worst['accuracy (ours)']:.1f} vs {worst['accuracy (paper)']:.1f}) to "
            f"{gap.max():+.1f} ({best['model']} {best['accuracy (ours)']:.1f} vs {best['accuracy (paper)']:.1f}) "
            f"points from the paper's accuracy")


def summary(result: CVResult, settings) -> str:
    """What this run shows, computed from its numbers: folds and models run, chance margins,
    the gap to the paper on matching rows, :func:`verdict` and :func:`ordering`."""
    n_folds = len(result.splits)
    deep = list(_deep(result.table).index)
    lines = [f"{settings.mode} run: {n_folds} of {settings.n_splits} folds, {len(deep)} deep model(s) "
             f"({', '.join(deep)}), {len(result.classes)} hashtags, "
             f"{sum(len(t) for _, _, t in result.splits)} test tweets",
             above_chance(result), paper_gap(result)]
    return "\n".join(lines + [verdict(result), ordering(result)])


def learning_curve_summary(curve: pd.DataFrame, n_test_tweets: int) -> str:
    """What the learning curve says, from its numbers: each model's accuracy at the smallest and
    the largest training set, its gain, and whether the deep model gains more from data than
    TF-IDF + LR (the usual "deep models are data-hungry"), judged with the binomial interval of
    the four accuracies on the ``n_test_tweets`` of the test fold."""
    import math

    gains, lines = {}, []
    for model, part in curve.groupby("model", sort=False):
        part = part.sort_values("n_train")
        first, last = part.iloc[0], part.iloc[-1]
        var = sum(p / 100 * (1 - p / 100) / n_test_tweets for p in (first["accuracy"], last["accuracy"]))
        gains[model] = (last["accuracy"] - first["accuracy"], 100 * math.sqrt(var))
        lines.append(f"{model}: {first['accuracy']:.1f}% on {int(first['n_train']):,} training tweets -> "
                     f"{last['accuracy']:.1f}% on {int(last['n_train']):,} ({gains[model][0]:+.1f} points)")
    models = list(gains)
    if len(models) == 2:
        deep, other = models
        c = verdicts.independent(gains[deep][0], gains[deep][1], gains[other][0], gains[other][1],
                                 f"{deep} gains more from data than {other}",
                                 basis=f"binomial 95% interval, {n_test_tweets:,} test tweets")
        lines.append(c.text())
        ahead = curve.pivot(index="n_train", columns="model", values="accuracy")
        leader = (ahead[other] > ahead[deep]).sum()
        lines.append(f"{other} is above {deep} at {leader} of {len(ahead)} training-set sizes")
    return "\n".join(lines)


def why_we_differ(prepared, result: CVResult, settings) -> str:
    """The reasons our Table 2 differs from the paper's, each with this run's number."""
    from tagzsl import paper
    from tagzsl.experiments import dataset

    top = prepared.top
    per_label = top["hashtag"].value_counts()
    sources = dataset.label_sources(top)
    one_source = int((sources["top source (%)"] >= 90).sum())
    published = paper.table("kumar_table2")
    same = np.allclose(published[["precision", "recall", "F1"]].to_numpy(dtype=float),
                       published[["accuracy"]].to_numpy(dtype=float), atol=0.5)
    t = result.table.set_index("model")
    best = _deep(t)["accuracy_mean"].idxmax() if not _deep(t).empty else None
    f1 = result.per_hashtag.pivot_table(index="hashtag", columns="model", values="f1")
    deep_f1 = f1[[m for m in f1.columns if m not in BASELINES]].mean(axis=1)
    vague = [h for h in ("love", "tbt", "life", "fun", "friends", "repost") if h in deep_f1.index]
    own = dataset.is_own(prepared)
    data = (f"yours are {len(top):,} posts of {dataset.OWN_NAME} (notebook 01 on the same files): one collection, "
            "so the source-only row is the most frequent label" if own else
            f"ours are {len(top):,} tweets of {len(prepared.sources)} public collections (notebook 01), {one_source} "
            f"of {len(sources)} labels drawing >= 90% of their tweets from one collection")
    lines = [
        f"* Data: the paper streamed 805,031 tweets (January 2019, private); {data}.",
        f"* Tweets per label: the paper 200; ours {per_label.min()}"
        + (f"-{per_label.max()}" if per_label.max() != per_label.min() else "")
        + f" ({prepared.label_note.split(':')[0]}: {prepared.qualifying} hashtags reach 200 by the paper's rule)",
        f"* Averaging: the paper's precision, recall and F1 "
        + ("equal its accuracy on every row (to the two digits it prints), which is what micro-averaging gives "
           "when each tweet has one label; " if same else "differ from its accuracy; ")
        + "ours are macro averages (each hashtag counts once), so our P/R/F1 columns are not the paper's "
        + (f"(micro-averaged, ours would all equal the accuracy, e.g. {best} {t.loc[best, 'accuracy_mean']:.1f})."
           if best else "."),
    ]
    if vague:
        lines.append("* Vague labels: hashtags used on any topic cannot be read from the text; mean F1 of the deep "
                     "models: " + ", ".join(f"#{h} {deep_f1[h]:.1f}" for h in vague) + ".")
    if "bihday" in per_label.index:
        src = sources.loc["bihday"].drop(labels=["top source (%)"], errors="ignore")
        src = src[[c for c in src.index if isinstance(src[c], (int, np.integer)) and src[c] > 0]]
        lines.append("* #bihday is #birthday as the collectors of the sentiment practice set left it: their "
                     "cleaning removed every 'rt' (retweet marker) inside words. Its tweets here come from "
                     + ", ".join(f"{s} ({int(n)})" for s, n in src.items()) + ".")
    if getattr(settings, "cut", ""):
        lines.append(f"* Model sizes ({settings.mode} mode): {settings.cut}")
    return "\n".join(lines)
