"""Notebook 04's conclusions from a run's numbers (re-exported by :mod:`tagzsl.experiments.tagspace`).

* Paired statistics over training seeds (notebook 04, ``benchmarks/tagspace_seeds.py``): two
  methods trained once per seed and scored on the same test split. :func:`compare` makes the
  wide table, the mean and standard deviation per method and the paired differences
  (:func:`paired_differences`: mean, standard error, seeds won, paired t-test, sign test);
  :func:`verdict_lines` says holds / tied / does not hold per metric, with the 95% interval of
  the paired differences (:mod:`tagzsl.experiments.verdicts`). The training loop is
  :func:`tagzsl.experiments.tagspace.paired_seeds`.
* On a prediction table (``method``, ``dim``, ``P@1``, ``R@10``, ``mean_rank``), one run on its
  test posts: :func:`compare_rows` (a paired bootstrap over the posts, or the binomial interval),
  :func:`beats`, the paper's ordering link by link (:func:`ordering`) and :func:`verdict`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tagzsl import metrics as metrics_mod
from tagzsl.experiments import verdicts

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


def verdict_lines(seeds: SeedComparison, a: str = "#TagSpace", b: str = "WSABIE") -> list[str]:
    """One line per metric: ``a`` against ``b`` over the paired seeds, with the 95% interval of the
    mean paired difference (:func:`tagzsl.experiments.verdicts.paired`): holds, tied or does not hold."""
    n, lines = len(seeds.wide), []
    for metric in seeds.paired.index:
        c = verdicts.paired(seeds.wide[(metric, a)], seeds.wide[(metric, b)], f"{a} beats {b}",
                            higher_is_better=metric not in LOWER_IS_BETTER, unit="seeds", digits=2)
        lines.append(f"over {n} paired seeds, {metric}: {c.text()}")
    return lines


# --------------------------------------------------------------------------- verdict
#: rows named without a dim (word2vec has one dim, its own)
_NO_DIM = ("Frequency", "#words", "Word2vec", "production system")


def row_name(method: str, dim=None) -> str:
    """``"#TagSpace d=64"`` for a model row, the bare method for a baseline."""
    if method in _NO_DIM or dim is None or pd.isna(dim):
        return method
    return f"{method} d={int(dim)}"


def _value(table: pd.DataFrame, method: str, metric: str, dim=None) -> float:
    by_dim = dim is not None and not pd.isna(dim) and method not in _NO_DIM
    part = table[(table["method"] == method) & ((table["dim"] == dim) if by_dim else True)]
    return float(part[metric].iloc[0]) if len(part) else np.nan


def compare_rows(table: pd.DataFrame, a: tuple, b: tuple, metric: str, items: dict | None = None,
            seed: int = 2019):
    """Row ``a`` = ``(method, dim)`` against row ``b`` on ``metric`` of a prediction table, with the
    uncertainty of one run on its test posts: a paired bootstrap over the posts when ``items``
    (per-post values, :func:`tagzsl.experiments.tagspace.prediction_table`) holds both rows, else
    the binomial interval on the table's ``posts`` (P@1, R@10). ``None`` when neither is available."""
    na, nb = row_name(*a), row_name(*b)
    claim = f"{na} beats {nb}"
    lower = metric in LOWER_IS_BETTER
    if items and na in items and nb in items:
        ia, ib = items[na], items[nb]
        if lower:
            return verdicts.bootstrap(ia["rank_sum"], ib["rank_sum"], claim, higher_is_better=False, seed=seed,
                                      weights=ia["n_true"], unit="test posts", digits=1)
        return verdicts.bootstrap(100 * ia[metric], 100 * ib[metric], claim, seed=seed, unit="test posts", digits=2)
    if not lower and "posts" in table.columns:
        return verdicts.proportions(_value(table, a[0], metric, a[1]), _value(table, b[0], metric, b[1]),
                                    int(table["posts"].iloc[0]), claim, unit="test posts", digits=2)
    return None


def _short(c) -> str:
    return "not judged (no per-post values)" if c is None else c.short()


def beats(table: pd.DataFrame, method: str = "#TagSpace", dim=None, items: dict | None = None) -> pd.DataFrame:
    """``method`` at ``dim`` against every other row of a prediction table, per metric: the
    verdict and its interval (:func:`compare_rows`)."""
    out = {}
    for r in table[table["method"] != method].to_dict("records"):
        out[row_name(r["method"], r["dim"])] = {
            m: _short(compare_rows(table, (method, dim), (r["method"], r["dim"]), m, items)) for m in METRICS}
    return pd.DataFrame(out).T


#: the paper's ordering (section 4.2): each link (better, worse) checked per metric
LINKS = (("#TagSpace", "WSABIE"), ("WSABIE", "Word2vec"), ("Word2vec", "Frequency"), ("Word2vec", "#words"))


def ordering(table: pd.DataFrame, best_d, items: dict | None = None) -> pd.DataFrame:
    """The paper's ordering, #TagSpace > WSABIE > word2vec > frequency and #words, checked link by
    link per metric of a prediction table (TagSpace and WSABIE at ``best_d``): each row's value,
    each link's verdict ("holds", "tied", "does not hold", with :func:`compare_rows`'s interval) and
    ``holds`` (every link holds)."""
    dims = {"#TagSpace": best_d, "WSABIE": best_d}
    rows, found = {}, {}
    for m in METRICS:
        row = {row_name(k, dims.get(k)): _value(table, k, m, dims.get(k))
               for k in ("#TagSpace", "WSABIE", "Word2vec", "Frequency", "#words")}
        for hi, lo in LINKS:
            c = compare_rows(table, (hi, dims.get(hi)), (lo, dims.get(lo)), m, items)
            row[f"{hi} > {lo}"] = "not judged" if c is None else c.verdict
            found[(m, hi, lo)] = c
        rows[m] = row
    frame = pd.DataFrame(rows).T
    links = [f"{hi} > {lo}" for hi, lo in LINKS]
    frame["holds"] = (frame[links] == verdicts.HOLDS).all(axis=1)
    frame.attrs["comparisons"] = found
    return frame


def verdict(table: pd.DataFrame, best_d, seeds: SeedComparison | None = None,
            retrieval: pd.DataFrame | None = None, items: dict | None = None) -> str:
    """The notebook's conclusion, computed from a run's numbers, every comparison with its 95%
    interval (tied inside it): the validation-picked TagSpace against the frequency baseline; the
    paper's ordering link by link per metric (:func:`ordering`); TagSpace against each WSABIE;
    TagSpace against WSABIE over paired seeds (:func:`verdict_lines`); and, given ``retrieval``
    (:func:`tagzsl.experiments.tagspace.retrieval_rows`, with its ``tasks``), the document
    recommendation analogue's ordering (best TagSpace > best WSABIE > word2vec, binomial on its tasks)."""
    top = ("#TagSpace", best_d)
    lines = [f"{row_name(*top)} (best on validation) against the frequency baseline: " + "; ".join(
        f"{m} {_short(compare_rows(table, top, ('Frequency', None), m, items))}" for m in METRICS)]
    order = ordering(table, best_d, items)
    for m in METRICS:
        cs = [order.attrs["comparisons"][(m, hi, lo)] for hi, lo in LINKS]
        judged = [c for c in cs if c is not None]
        basis = f" ({judged[0].basis})" if judged else ""
        lines.append(f"{m}, the paper's ordering link by link{basis}: " + ", ".join(
            f"{hi} > {lo} {_short(c)}" for (hi, lo), c in zip(LINKS, cs))
            + (f" [{verdicts.tally(judged)}]" if judged else ""))
    won = beats(table, dim=best_d, items=items)
    wsabie = [n for n in won.index if n.startswith("WSABIE")]
    for m in METRICS:
        words = [won.loc[n, m].split(" (")[0] for n in wsabie]
        counts = (f"{words.count(verdicts.HOLDS)} hold, {words.count(verdicts.TIED)} tied, "
                  f"{words.count(verdicts.FAILS)} does not hold")
        lines.append(f"{m}: {row_name(*top)} against the {len(wsabie)} WSABIE model(s): "
                     + (counts if any(w in (verdicts.HOLDS, verdicts.TIED, verdicts.FAILS) for w in words)
                        else "not judged"))
    if seeds is not None:
        lines += verdict_lines(seeds)
    if retrieval is not None:
        n = int(retrieval["tasks"].iloc[0]) if "tasks" in retrieval.columns else 0
        for m in ("P@1", "R@10", "R@50"):
            best = {k: retrieval.loc[retrieval["method"] == k, m].max() for k in ("#TagSpace", "WSABIE", "Word2vec")}
            cs = [verdicts.proportions(best[a], best[b], n, f"best {a} beats best {b}" if b != "Word2vec"
                                       else f"best {a} beats {b}", unit="tasks", digits=2)
                  for a, b in (("#TagSpace", "WSABIE"), ("WSABIE", "Word2vec"))] if n else []
            lines.append(f"document recommendation analogue, {m}: " + ", ".join(
                f"{c.claim} {c.short()}" for c in cs) + (f" (binomial 95% intervals, {n:,} tasks)" if n else
                                                          "no task count: not judged"))
    return "\n".join(lines)
