"""Verdicts that know their noise: one rule for every "does the paper's finding hold here?" of
notebooks 02-04, and the scan that keeps committed notebooks honest about it.

A claim "A beats B" is judged on the difference ``d`` (oriented so that a positive ``d``
supports the claim) and the half-width ``h`` of its 95% interval:

* ``|d| <= h``: **tied** (the run cannot tell the two apart);
* ``d > h``: **holds**; ``d < -h``: **does not hold**.

The interval comes from the uncertainty the run has:

* :func:`paired`: several folds, partitions or seeds scored both sides on the same data:
  the per-unit differences, their standard error ``sd / sqrt(n)`` and Student's t quantile;
* :func:`proportions`: one fold or partition: two rates (percent) on ``n`` test items, the
  binomial standard error ``sqrt(p_a (1 - p_a) / n + p_b (1 - p_b) / n)`` (both sides treated
  as independent, which is conservative for two models scored on the same items);
* :func:`bootstrap`: one run, a per-item score on both sides (e.g. a rank per post): a
  paired bootstrap of the mean difference over the items (seeded).

Every verdict is printed as ``<claim>: <verdict> (<a> vs <b>, difference <d> ± <h>, <basis>)``
(:meth:`Comparison.text`); :func:`notebook_problems` reads those fragments back from a
notebook's outputs and reports a "does not hold" inside its interval or a "tied" outside it,
besides ``NaN``/``<NA>`` cells and stderr streams.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from tagzsl import config

HOLDS, TIED, FAILS = "holds", "tied", "does not hold"
#: the confidence of every interval
LEVEL = 0.95
_Z = 1.959963984540054


def judge(diff: float, half_width: float) -> str:
    """``"holds"``, ``"tied"`` or ``"does not hold"`` for a difference ``diff`` (positive supports
    the claim) with a 95% interval of ``± half_width``."""
    if not (math.isfinite(diff) and math.isfinite(half_width)) or half_width < 0:
        raise ValueError(f"a verdict needs a finite difference and interval, got {diff} ± {half_width}")
    if abs(diff) <= half_width:
        return TIED
    return HOLDS if diff > 0 else FAILS


@dataclass(frozen=True)
class Comparison:
    """One claim, ``a`` against ``b`` (lower is better when ``higher_is_better`` is False)."""

    claim: str
    a: float
    b: float
    diff: float             # oriented: positive supports the claim
    half_width: float       # of the 95% interval of diff
    basis: str              # where the interval comes from, in words
    digits: int = 1

    @property
    def verdict(self) -> str:
        """Judged on the numbers as printed (``digits``), so the words never contradict them."""
        return judge(round(self.diff, self.digits), round(self.half_width, self.digits))

    def text(self) -> str:
        d = self.digits
        return (f"{self.claim}: {self.verdict} ({self.a:.{d}f} vs {self.b:.{d}f}, difference "
                f"{self.diff:+.{d}f} ± {self.half_width:.{d}f}, {self.basis})")

    def short(self) -> str:
        """``"holds (+1.2 ± 0.8)"``: the verdict and its numbers without the claim."""
        d = self.digits
        return f"{self.verdict} (difference {self.diff:+.{d}f} ± {self.half_width:.{d}f})"


def _orient(a: float, b: float, higher_is_better: bool) -> float:
    return (a - b) if higher_is_better else (b - a)


def paired(a_values, b_values, claim: str, higher_is_better: bool = True, unit: str = "folds",
           digits: int = 1) -> Comparison:
    """``a`` against ``b`` measured on the same ``n >= 2`` folds/partitions/seeds: mean
    difference ± t(0.975, n - 1) x standard error of the per-unit differences."""
    from scipy import stats

    a, b = np.asarray(a_values, dtype="float64"), np.asarray(b_values, dtype="float64")
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"paired needs the same n >= 2 values on both sides, got {a.size} and {b.size}")
    diffs = (a - b) if higher_is_better else (b - a)
    se = float(diffs.std(ddof=1) / math.sqrt(diffs.size))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, diffs.size - 1)) * se
    return Comparison(claim, float(a.mean()), float(b.mean()), float(diffs.mean()), half,
                      f"95% interval over {diffs.size} {unit}", digits)


def proportions(a: float, b: float, n: int, claim: str, unit: str = "test items", digits: int = 1) -> Comparison:
    """Two rates in percent, each measured on ``n`` items (one fold or partition): the binomial
    interval of their difference."""
    if n < 1:
        raise ValueError(f"proportions needs n >= 1 items, got {n}")
    pa, pb = a / 100, b / 100
    se = math.sqrt(max(pa * (1 - pa), 0) / n + max(pb * (1 - pb), 0) / n)
    return Comparison(claim, float(a), float(b), float(a - b), 100 * _Z * se,
                      f"binomial 95% interval, {n:,} {unit}", digits)


def bootstrap(a_items, b_items, claim: str, higher_is_better: bool = True, seed: int = config.DEFAULT_SEED,
              n_boot: int = 2000, unit: str = "test items", digits: int = 1, weights=None) -> Comparison:
    """Per-item scores of both sides on the same items (one run): the mean difference and the
    half-width of its seeded paired-bootstrap 95% percentile interval (the larger side).

    With ``weights`` the items are sums over ``weights`` sub-items (e.g. a post's rank sum over
    its ``n`` true hashtags) and each mean is ``sum(items) / sum(weights)``, resampled by item."""
    a, b = np.asarray(a_items, dtype="float64"), np.asarray(b_items, dtype="float64")
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"bootstrap needs the same n >= 2 items on both sides, got {a.size} and {b.size}")
    w = np.ones_like(a) if weights is None else np.asarray(weights, dtype="float64")
    diffs = (a - b) if higher_is_better else (b - a)
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    for i in range(n_boot):
        pick = rng.integers(0, diffs.size, diffs.size)
        means[i] = diffs[pick].sum() / w[pick].sum()
    lo, hi = np.quantile(means, [(1 - LEVEL) / 2, (1 + LEVEL) / 2])
    centre = float(diffs.sum() / w.sum())
    return Comparison(claim, float(a.sum() / w.sum()), float(b.sum() / w.sum()), centre,
                      float(max(centre - lo, hi - centre)), f"paired bootstrap 95% interval, {a.size:,} {unit}", digits)


def independent(a: float, se_a: float, b: float, se_b: float, claim: str, higher_is_better: bool = True,
                basis: str = "95% interval from the two standard errors", digits: int = 1) -> Comparison:
    """Two means with their own standard errors (measured on different data)."""
    half = _Z * math.sqrt(se_a ** 2 + se_b ** 2)
    return Comparison(claim, float(a), float(b), _orient(a, b, higher_is_better), half, basis, digits)


def tally(comparisons) -> str:
    """``"3 hold, 6 tied, 1 does not hold"`` for a list of :class:`Comparison`."""
    verdicts = [c.verdict for c in comparisons]
    parts = [f"{verdicts.count(HOLDS)} hold", f"{verdicts.count(TIED)} tied", f"{verdicts.count(FAILS)} does not hold"]
    return ", ".join(parts)


# --- the scan of a notebook's outputs
_FRAGMENT = re.compile(r"\b(holds|tied|does not hold) \((?:[^()]*?, )?difference ([+-]?\d+(?:\.\d+)?) ± (\d+(?:\.\d+)?)")
_NAN = re.compile(r"(?<![\w])(NaN|<NA>|nan)(?![\w])")


def verdict_problems(text: str) -> list[str]:
    """Verdict fragments of ``text`` whose word disagrees with their own numbers: a "does not
    hold" or "holds" inside its interval, a "tied" outside it, or a "does not hold"/"holds"
    pointing the wrong way."""
    problems = []
    for word, diff, half in _FRAGMENT.findall(text):
        d, h = float(diff), float(half)
        if word == TIED and abs(d) > h:
            problems.append(f"'tied' outside its interval: difference {diff} ± {half}")
        elif word != TIED and abs(d) <= h:
            problems.append(f"'{word}' inside its interval: difference {diff} ± {half}")
        elif word != TIED and (word == HOLDS) != (d > 0):
            problems.append(f"'{word}' with a difference of {diff}")
    return problems


def output_texts(nb):
    """``(cell index, output type or stream name, text)`` of every code cell's output."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                yield i, out.get("name", "stream"), "".join(out.get("text", ""))
            elif out.get("output_type") in ("execute_result", "display_data"):
                data = out.get("data", {})
                for key in ("text/plain", "text/html"):
                    if key in data and "image/png" not in data:
                        yield i, key, "".join(data[key])


def notebook_problems(nb) -> list[str]:
    """What a class must never see in an executed notebook: a stderr stream, a ``NaN`` or
    ``<NA>`` cell, a verdict that contradicts its own interval (:func:`verdict_problems`)."""
    problems = []
    for i, kind, text in output_texts(nb):
        if kind == "stderr":
            problems.append(f"cell {i}: a stderr stream: {text.strip()[:120]!r}")
        if kind != "text/html" and _NAN.search(text):
            line = next(x for x in text.splitlines() if _NAN.search(x))
            problems.append(f"cell {i}: an empty cell shown as NaN/<NA> (show '–'): {line.strip()[:120]!r}")
        problems.extend(f"cell {i}: {p}" for p in verdict_problems(text))
    return problems
