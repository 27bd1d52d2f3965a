"""Notebook 04's conclusions from a run's numbers (re-exported by :mod:`tagzsl.experiments.tagspace`).

* Paired statistics over training seeds (notebook 04, ``benchmarks/tagspace_seeds.py``): two
  methods trained once per seed and scored on the same test split. :func:`compare` makes the
  wide table, the mean and standard deviation per method and the paired differences
  (:func:`paired_differences`: mean, standard error, seeds won, paired t-test, sign test);
  :func:`verdict_lines` says ahead / behind / tied per metric. The training loop is
  :func:`tagzsl.experiments.tagspace.paired_seeds`.
* On a prediction table (``method``, ``dim``, ``P@1``, ``R@10``, ``mean_rank``): :func:`beats`,
  the paper's ordering (:func:`ordering`) and :func:`verdict`, the notebook's conclusion.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tagzsl import metrics as metrics_mod

METRICS = ("P@1", "R@10", "mean_rank")
LOWER_IS_BETTER = ("mean_rank",)


@dataclass
class SeedComparison:
    """Two methods over training seeds: ``rows`` (one per seed and method), ``wide``
    (seed x (metric, method)), ``summary`` (mean, sd per method) and ``paired``."""

    rows: pd.DataFrame
    wide: pd.DataFrame
    summary: pd.DataFrame
    paired: pd.DataFrame


def paired_differences(wide: pd.DataFrame, a: str = "#TagSpace", b: str = "WSABIE",
                       metrics=METRICS) -> pd.DataFrame:
    """Per metric: mean of ``a - b`` over seeds, its standard error, seeds ``a`` won, the two-sided
    paired t-test and sign test p-values (scipy.stats; lower mean rank is better)."""
    from scipy import stats

    rows = []
    for m in metrics:
        diff = wide[(m, a)] - wide[(m, b)]
        better = (diff < 0) if m in LOWER_IS_BETTER else (diff > 0)
        mean, sd = metrics_mod.mean_sd(diff)
        n = len(diff)
        rows.append({"metric": m, f"{a} - {b}": mean, "SE": sd / np.sqrt(n) if n > 1 else np.nan,
                     "won": int(better.sum()), "seeds": n,
                     "paired t p": float(stats.ttest_rel(wide[(m, a)], wide[(m, b)]).pvalue) if n > 1 else np.nan,
                     "sign test p": float(stats.binomtest(int(better.sum()), int((diff != 0).sum())).pvalue)
                     if (diff != 0).any() else 1.0})
    return pd.DataFrame(rows).set_index("metric")


def compare(rows: pd.DataFrame, a: str = "#TagSpace", b: str = "WSABIE", metrics=METRICS) -> SeedComparison:
    """A :class:`SeedComparison` from per-seed rows (``seed``, ``method`` and the metrics)."""
    metrics = list(metrics)
    wide = rows.pivot(index="seed", columns="method", values=metrics)
    summary = pd.DataFrame({(m, stat): {method: metrics_mod.mean_sd(g[m])[i] for method, g in rows.groupby("method")}
                            for m in metrics for i, stat in enumerate(("mean", "sd"))})
    return SeedComparison(rows=rows, wide=wide, summary=summary, paired=paired_differences(wide, a, b, metrics))


def verdict_lines(seeds: SeedComparison, alpha: float = 0.05) -> list[str]:
    """One line per metric: ahead (better on the mean with paired t p < ``alpha``), behind or tied."""
    n, lines = len(seeds.wide), []
    for metric, r in seeds.paired.iterrows():
        diff, se, p = r.iloc[0], r["SE"], r["paired t p"]
        better = diff < 0 if metric in LOWER_IS_BETTER else diff > 0
        word = "tied" if not (p < alpha) else "ahead" if better else "behind"
        lines.append(f"over {n} paired seeds, {metric}: {word} ({seeds.paired.columns[0]} {diff:+.2f} ± {se:.2f} SE, "
                     f"better on {int(r['won'])}/{n} seeds, paired t p = {p:.3g}, sign test p = "
                     f"{r['sign test p']:.3g})")
    return lines


# --------------------------------------------------------------------------- verdict
def beats(table: pd.DataFrame, method: str = "#TagSpace", dim=None) -> pd.DataFrame:
    """Whether ``method`` at ``dim`` beats every other row of a prediction table, per metric."""
    mine = table[(table["method"] == method) & (table["dim"] == dim)].iloc[0]
    out = {}
    for r in table[table["method"] != method].to_dict("records"):
        name = r["method"] + (f" d={int(r['dim'])}" if pd.notna(r["dim"]) else "")
        out[name] = {"P@1": bool(mine["P@1"] > r["P@1"]), "R@10": bool(mine["R@10"] > r["R@10"]),
                     "mean_rank": bool(mine["mean_rank"] < r["mean_rank"])}
    return pd.DataFrame(out).T


def _value(table: pd.DataFrame, method: str, metric: str, dim=None) -> float:
    part = table[(table["method"] == method) & ((table["dim"] == dim) if dim is not None else True)]
    return float(part[metric].iloc[0]) if len(part) else np.nan


def _better(metric: str, a: float, b: float) -> bool:
    return bool(a < b) if metric in LOWER_IS_BETTER else bool(a > b)


def ordering(table: pd.DataFrame, best_d) -> pd.DataFrame:
    """The paper's ordering, #TagSpace > WSABIE > word2vec > frequency and #words, checked per metric
    of a prediction table (TagSpace and WSABIE at ``best_d``; the better of frequency and #words):
    each method's value, each link (True where it holds) and ``holds`` (every link)."""
    rows = {}
    for m in METRICS:
        t, w, v = (_value(table, k, m, d) for k, d in (("#TagSpace", best_d), ("WSABIE", best_d), ("Word2vec", None)))
        f, h = _value(table, "Frequency", m), _value(table, "#words", m)
        base = max(f, h, key=lambda x: -x if m in LOWER_IS_BETTER else x)
        rows[m] = {f"#TagSpace d={best_d}": t, f"WSABIE d={best_d}": w, "Word2vec": v, "Frequency": f, "#words": h,
                   "#TagSpace > WSABIE": _better(m, t, w), "WSABIE > word2vec": _better(m, w, v),
                   "word2vec > frequency, #words": _better(m, v, base)}
    frame = pd.DataFrame(rows).T
    return frame.assign(holds=frame[["#TagSpace > WSABIE", "WSABIE > word2vec", "word2vec > frequency, #words"]]
                        .astype(bool).all(axis=1))


def verdict(table: pd.DataFrame, best_d, seeds: SeedComparison | None = None, alpha: float = 0.05,
            retrieval: pd.DataFrame | None = None) -> str:
    """The notebook's conclusion, computed from a run's numbers: the margin of the validation-picked
    TagSpace over the frequency baseline, the paper's ordering per metric (:func:`ordering`),
    TagSpace against each WSABIE, over paired seeds ahead / behind / tied per metric (ahead: better
    on the mean with paired t p < ``alpha``) and, given ``retrieval`` (:func:`retrieval_rows`),
    the document recommendation analogue's ordering (best TagSpace > best WSABIE > word2vec)."""
    t = {m: _value(table, "#TagSpace", m, best_d) for m in METRICS}
    f = {m: _value(table, "Frequency", m) for m in METRICS}
    lines = [f"#TagSpace d={best_d} (best on validation) against the frequency baseline: "
             + ", ".join(f"{m} {t[m]:.2f} vs {f[m]:.2f} ({t[m] - f[m]:+.2f})" for m in METRICS)]
    order = ordering(table, best_d)
    links = ["#TagSpace > WSABIE", "WSABIE > word2vec", "word2vec > frequency, #words"]
    for m, r in order.iterrows():
        values = ", ".join(f"{k} {r[k]:.2f}" for k in order.columns[:5])
        failed = [k for k in links if not r[k]]
        lines.append(f"{m}: {values}: the paper's ordering "
                     + ("holds" if r["holds"] else "does not hold (not " + "; not ".join(failed) + ")"))
    won = beats(table, dim=best_d)
    for metric in METRICS:
        w = [n for n in won.index if n.startswith("WSABIE") and won.loc[n, metric]]
        lines.append(f"{metric}: #TagSpace d={best_d} better than {len(w)} of "
                     f"{sum(n.startswith('WSABIE') for n in won.index)} WSABIE models")
    if seeds is not None:
        lines += verdict_lines(seeds, alpha)
    if retrieval is not None:
        for m in ("P@1", "R@10", "R@50"):
            best = {k: retrieval.loc[retrieval["method"] == k, m].max() for k in ("#TagSpace", "WSABIE", "Word2vec")}
            holds = best["#TagSpace"] > best["WSABIE"] > best["Word2vec"]
            lines.append(f"document recommendation analogue, {m}: best #TagSpace {best['#TagSpace']:.2f}, best WSABIE "
                         f"{best['WSABIE']:.2f}, Word2vec {best['Word2vec']:.2f}: the paper's ordering "
                         + ("holds" if holds else "does not hold"))
    return "\n".join(lines)
