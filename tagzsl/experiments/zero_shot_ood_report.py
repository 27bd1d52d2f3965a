"""Out of domain beside in domain (issue 23): the protocols, the runs, the tables and verdicts.

One place for what ``benchmarks/zero_shot_ood.py`` and notebook 03's out-of-domain section
both do:

* :func:`make_protocols`: the leave-one-source-out partitions of
  :mod:`tagzsl.experiments.zero_shot_ood` (every eligible source, or the ``n_sources`` with
  the most tweets) beside ``n_in_domain`` random 40/10 partitions, each checked for leaks;
* :func:`run`: the lesson-sized rankers of :mod:`tagzsl.experiments.zero_shot_ood_methods`
  (every hubness correction, and the one chosen on validation of the seen hashtags) on each;
* tables (percent, "–" for an empty cell): :func:`summary` (every correction),
  :func:`hit_table` (served as trained vs chosen correction), :func:`hubness_table`,
  :func:`chosen_table`, :func:`per_source`; :func:`goals` (against chance) and
  :func:`verdicts` (against random, twice random, in vs out of domain), computed from the
  run's numbers and their 95% intervals: "tied" whenever the intervals overlap.

Intervals: over several partitions mean ± t SE (Student's t with n - 1 degrees of freedom:
12.7 SE for 2 partitions, 2.78 for 5, not the normal 1.96 that only holds for many); on one,
Wilson's 95% over its test tweets (:func:`tagzsl.experiments.zero_shot_ood.interval`).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tagzsl import config
from tagzsl.display import dash
from tagzsl.experiments import zero_shot_ood as ood
from tagzsl.experiments import zero_shot_ood_methods as methods
from tagzsl.experiments.zero_shot_partitions import make_partitions, scaled_splits

KS = (1, 2, 5)
HUB = "top hub's top-1 share (%)"
IN, OUT = "in domain", "out of domain"
BASELINE = "word2vec similarity (centred)"
#: the rows a verdict compares with random: each ranker as trained (none) and corrected (chosen)
JUDGED = (BASELINE,) + methods.RANKERS


@dataclass
class Protocols:
    """The partitions of both protocols and the sources not held out (name -> why)."""

    in_domain: list = field(default_factory=list)
    out_of_domain: list = field(default_factory=list)
    skipped: dict = field(default_factory=dict)

    def groups(self):
        return ((IN, self.in_domain), (OUT, self.out_of_domain))


def make_protocols(frame: pd.DataFrame, seed: int = config.DEFAULT_SEED, sources=None,
                   n_sources: int | None = None, n_in_domain: int = 2) -> Protocols:
    """Leave-one-source-out partitions of ``frame`` (columns ``hashtag``, ``source``) beside
    ``n_in_domain`` in-domain 40/10 ones. ``sources``: the sources to hold out (default every
    eligible one); ``n_sources``: keep only that many, those with the most tweets. A corpus
    with fewer than two sources, or no source to hold out, is a ``ValueError`` (one line)."""
    tags, srcs = frame["hashtag"].to_numpy(), frame["source"].to_numpy()
    names = sorted(set(srcs.tolist()))
    if len(names) < 2:
        raise ValueError(f"out of domain needs tweets from at least two sources; this corpus has "
                         f"{len(names)} ({', '.join(names) or 'none'})")
    parts, skipped = ood.make_ood_partitions(tags, srcs, seed=seed, only=sources)
    if n_sources is not None and len(parts) > n_sources:
        size = pd.Series(srcs).value_counts()
        keep = {p.source for p in sorted(parts, key=lambda p: (-size[p.source], p.source))[:n_sources]}
        for p in parts:
            if p.source not in keep:
                skipped[p.source] = f"not held out in this run (it holds out the {n_sources} largest)"
        parts = [dataclasses.replace(p, index=i) for i, p in enumerate(q for q in parts if q.source in keep)]
    if not parts:
        raise ValueError("no source has enough hashtags to hold out: " + "; ".join(
            f"{s}: {why}" for s, why in skipped.items()))
    for p in parts:
        ood.check_ood_no_leak(p, tags, srcs)
    [(n_seen, _)] = scaled_splits(((40, 10),), len(set(tags.tolist())))     # 40/10 of the paper's 50 labels
    in_domain = make_partitions(tags, n_seen, n_in_domain, seed) if n_in_domain else []
    return Protocols(in_domain, parts, skipped)


def describe(protocols: Protocols) -> list[str]:
    """One line per held-out source (its unseen hashtags, training and test tweets), one per skip."""
    lines = [f"  without {p.source:18s} {len(p.unseen):2d} unseen ({', '.join(p.unseen)}); "
             f"{len(p.train):,} training tweets, {len(p.unseen_test):,} test tweets" for p in protocols.out_of_domain]
    lines += [f"  skipped {source}: {why}" for source, why in protocols.skipped.items()]
    if protocols.in_domain:
        lines.append(f"  in domain: {len(protocols.in_domain)} random {protocols.in_domain[0].split} partition(s) "
                     "of all sources' tweets")
    return lines


def run(frame, kv, protocols: Protocols, settings=methods.SETTINGS, rankers: bool = True, also=None,
        log=print) -> pd.DataFrame:
    """Every ranker x correction on every partition of both protocols (one row each, with
    ``protocol`` and ``n_unseen``); ``also(protocol, partition)`` is called per partition
    (the benchmark's vector comparison) and counted in the time ``log`` prints per partition."""
    rows = []
    for protocol, group in protocols.groups():
        for p in group:
            t0 = time.perf_counter()
            for r in (methods.run_partition(frame, kv, p, settings=settings) if rankers else []):
                rows.append({"protocol": protocol, "n_unseen": len(p.unseen), **r})
            if also is not None:
                also(protocol, p)
            log(f"  {protocol}, {p.split} partition {p.index}: {time.perf_counter() - t0:.0f} s")
    return pd.DataFrame(rows)


def section(frame, kv, settings, seed: int = config.DEFAULT_SEED, log=print) -> pd.DataFrame | None:
    """Notebook 03's out-of-domain section: the protocols sized by ``settings``
    (:class:`tagzsl.experiments.zero_shot.Settings`: ``ood_sources``, ``ood_in_domain``,
    ``ood_dem_epochs``), described, run and timed; ``None`` after one line when the corpus
    cannot be held out by source (e.g. one's own posts: one source)."""
    start = time.perf_counter()
    try:
        protocols = make_protocols(frame, seed, n_sources=settings.ood_sources, n_in_domain=settings.ood_in_domain)
    except ValueError as err:
        log(f"out of domain skipped: {err}")
        return None
    log("held-out sources (train: the other sources' seen-hashtag tweets; test: this source's unseen-hashtag tweets):")
    log("\n".join(describe(protocols)))
    rows = run(frame, kv, protocols, dataclasses.replace(methods.SETTINGS, dem_epochs=settings.ood_dem_epochs), log=log)
    log(f"out-of-domain section: {time.perf_counter() - start:.0f} s")
    return rows


# --------------------------------------------------------------------------- numbers
def mean_interval(values, ranks=None, k=1) -> tuple[float, float, float]:
    """Mean and 95% interval: ± t(0.975, n - 1) SE over n partitions, or Wilson on the tweets of one."""
    from scipy import stats

    values = np.asarray(values, "float64")
    if len(values) == 1 and ranks is not None:
        return ood.interval(np.concatenate(list(ranks)) <= k)
    half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return float(values.mean()), max(0.0, float(values.mean() - half)), min(100.0, float(values.mean() + half))


def fmt(mean, low, high) -> str:
    if not np.isfinite(mean):
        return "–"
    return f"{mean:5.1f} [{low:5.1f}, {high:5.1f}]"


def _cell(g, k=1):
    return mean_interval(g[f"hit@{k}"], g["ranks"], k)


def summary(rows: pd.DataFrame, corrections=None) -> pd.DataFrame:
    """hit@k mean [95% interval] and hubness means per protocol x method x correction."""
    if corrections is not None:
        rows = rows[rows["correction"].isin(corrections)]
    out = []
    for (protocol, method, correction), g in rows.groupby(["protocol", "method", "correction"], sort=False):
        out.append({"protocol": protocol, "method": method, "correction": correction,
                    **{f"hit@{k}": fmt(*_cell(g, k)) for k in KS},
                    "top-1 hub share (%)": f"{g[HUB].mean():.1f}",
                    "N2 skew": f"{g['N2 skew'].mean():.2f}" if g["N2 skew"].notna().all() else "–",
                    "chance hit@1": f"{(100.0 / g['n_unseen']).mean():.1f}"})
    return dash(pd.DataFrame(out).set_index(["protocol", "method", "correction"]))


def hit_table(rows: pd.DataFrame) -> pd.DataFrame:
    """hit@1/2/5 (%) mean [95% interval] per protocol x method: as trained (none) beside the
    correction chosen on validation ("–": the baselines have no correction)."""
    wide = summary(rows, ("none", "chosen"))[[f"hit@{k}" for k in KS]].unstack("correction")
    wide = wide.reorder_levels([1, 0], axis=1).reindex(columns=pd.MultiIndex.from_product(
        [("none", "chosen"), [f"hit@{k}" for k in KS]]))
    order = [(p, m) for p in (IN, OUT) for m in ("random",) + JUDGED if (p, m) in wide.index]
    return dash(wide.loc[order])


def hubness_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Per protocol x ranker and correction: the top hub's share of the top 1 (%) and hit@1 (%),
    means over partitions (a hub: one candidate first for far more than 100 / candidates %)."""
    r = rows[rows["method"].isin(methods.RANKERS)]
    table = r.pivot_table(index=["protocol", "method"], columns="correction", values=[HUB, "hit@1"],
                          aggfunc="mean", sort=False)
    table = table.rename(columns={HUB: "top hub's share of top 1 (%)"}, level=0)
    return dash(table.reindex(columns=[c for c in ("none", "centre", "csls", "normalise", "chosen")
                                       if c in set(r["correction"])], level=1), 1)


def chosen_table(rows: pd.DataFrame) -> pd.DataFrame:
    """The correction chosen on validation per protocol x ranker: how many partitions chose each."""
    g = rows[rows["correction"] == "chosen"].groupby(["protocol", "method"], sort=False)["choice"]
    return g.apply(lambda s: ", ".join(f"{c} x{n}" for c, n in s.value_counts().items())).to_frame(
        "chosen on validation (partitions)")


def per_source(rows: pd.DataFrame) -> pd.DataFrame:
    """Out-of-domain hit@1 (%) per held-out source, each method as trained (none) and corrected."""
    o = rows[(rows["protocol"] == OUT) & rows["correction"].isin(["none", "chosen"])]
    return dash(o.pivot_table(index="split", columns=["method", "correction"], values="hit@1", sort=False), 1)


# --------------------------------------------------------------------------- verdicts
def _judge(a, b) -> str:
    """'above'/'below' when the 95% intervals of a and b (mean, low, high) are clear, else 'tied'."""
    if a[1] > b[2]:
        return "above"
    if a[2] < b[1]:
        return "below"
    return "tied"


def verdicts(rows: pd.DataFrame) -> list[str]:
    """Out of domain, each method as trained and corrected against random (hit@1, intervals);
    whether the best is at least twice random; each method in domain against out of domain."""
    lines = []
    o = rows[rows["protocol"] == OUT]
    if o.empty:
        return ["out of domain: no partition in this run"]
    rand = _cell(o[o["method"] == "random"])
    lines.append(f"out of domain, hit@1 (%) against random {fmt(*rand)} (tied = the 95% intervals overlap):")
    best = ("", (-1.0, 0.0, 0.0))
    for correction in ("none", "chosen"):
        for method in JUDGED:
            g = o[(o["method"] == method) & (o["correction"] == correction)]
            if g.empty:
                continue
            cell = _cell(g)
            word = {"above": "above random", "below": "below random", "tied": "tied with random"}[_judge(cell, rand)]
            lines.append(f"  {method}, {correction}: {fmt(*cell)}: {word}")
            if cell[0] > best[1][0]:
                best = (f"{method}, {correction}", cell)
    twice = tuple(2 * v for v in rand)   # twice random, with random's own interval doubled
    answer = {"above": "yes", "below": "no", "tied": "tied"}[_judge(best[1], twice)]
    lines.append(f"best at least twice random: {answer} ({best[1][0]:.1f} vs {twice[0]:.1f} [{twice[1]:.1f}, "
                 f"{twice[2]:.1f}]; {best[0]}, interval {best[1][1]:.1f}-{best[1][2]:.1f})")
    i = rows[rows["protocol"] == IN]
    if i.empty:
        return lines + ["in domain vs out of domain: no in-domain partition in this run"]
    lines.append("in domain vs out of domain, hit@1 (%):")
    for correction in ("none", "chosen"):
        for method in JUDGED:
            gi = i[(i["method"] == method) & (i["correction"] == correction)]
            go = o[(o["method"] == method) & (o["correction"] == correction)]
            if gi.empty or go.empty:
                continue
            a, b = _cell(gi), _cell(go)
            word = {"above": "lower out of domain", "below": "higher out of domain", "tied": "tied"}[_judge(a, b)]
            lines.append(f"  {method}, {correction}: {a[0]:.1f} in vs {b[0]:.1f} out: {word}")
    return lines


def goals(rows: pd.DataFrame, protocol: str = OUT) -> list[str]:
    """Issue 23's goals on a protocol, as served today (none) and corrected (chosen), against chance."""
    sub_rows = rows[rows["protocol"] == protocol]
    chance = float((100.0 / sub_rows.groupby("partition")["n_unseen"].first()).mean())
    lines, best = [], None
    for correction in ("none", "chosen"):
        sub = sub_rows[sub_rows["correction"] == correction]
        for method in methods.RANKERS:
            g = sub[sub["method"] == method]
            if g.empty:
                continue
            m, low, high = _cell(g)
            clear = "above chance, interval clear" if low > chance else (
                "BELOW chance, interval clear" if high < chance else "tied with chance (interval holds it)")
            lines.append(f"  {method:20s} {correction:6s} hit@1 {fmt(m, low, high)} vs chance {chance:.1f}: {clear}")
            if correction == "chosen" and (best is None or m > best[1]):
                best = (method, m, low, high)
    if best is None:
        return lines + ["  no corrected (chosen) ranker in this run: the goals are not judged"]
    every = all(("interval clear" in ln and "BELOW" not in ln) for ln in lines if " chosen " in ln)
    lines.append(f"  every method above chance with its interval clear (chosen corrections): {'yes' if every else 'NO'}")
    goal = ("meets" if best[2] > 2 * chance else "misses" if best[3] < 2 * chance
            else "tied with (its interval holds 2x chance)")
    lines.append(f"  best (chosen): {best[0]} {fmt(*best[1:])} = {best[1] / chance:.2f} x chance "
                 f"({goal} the 2x goal)")
    return lines
