"""The one rule of every verdict in notebooks 02-04 (tagzsl.experiments.verdicts), on hand-made
numbers, and the scan that fails a notebook showing NaN/<NA>, a stderr stream or a verdict that
contradicts its own interval."""
import math

import nbformat
import numpy as np
import pytest

from tagzsl import reproduce
from tagzsl.experiments import verdicts


def test_judge_is_tied_inside_the_interval():
    assert verdicts.judge(0.3, 0.5) == "tied" and verdicts.judge(-0.5, 0.5) == "tied"
    assert verdicts.judge(0.6, 0.5) == "holds" and verdicts.judge(-0.6, 0.5) == "does not hold"
    with pytest.raises(ValueError, match="finite"):
        verdicts.judge(float("nan"), 1.0)


def test_the_verdict_is_judged_on_the_printed_digits():
    c = verdicts.Comparison("A > B", 1.0, 0.0, 1.04, 0.99, "x", digits=1)   # printed +1.0 ± 1.0
    assert c.verdict == "tied" and verdicts.verdict_problems(c.text()) == []
    assert verdicts.Comparison("A > B", 1.0, 0.0, 1.04, 0.99, "x", digits=2).verdict == "holds"


def test_paired_uses_the_standard_error_of_the_differences_and_t():
    c = verdicts.paired([30, 34, 32], [28, 30, 29], "A > B")   # differences 2, 4, 3: sd 1, SE 1/sqrt(3)
    assert c.diff == pytest.approx(3.0) and c.half_width == pytest.approx(4.3027 / math.sqrt(3), rel=1e-3)
    assert c.verdict == "holds"
    assert c.text() == "A > B: holds (32.0 vs 29.0, difference +3.0 ± 2.5, 95% interval over 3 folds)"
    rank = verdicts.paired([340, 350], [360, 365], "A ranks better", higher_is_better=False, unit="seeds")
    assert rank.diff == pytest.approx(17.5) and rank.verdict == "tied"      # differences 20, 15: ± 31.8
    with pytest.raises(ValueError, match="n >= 2"):
        verdicts.paired([1.0], [2.0], "A > B")


def test_proportions_binomial_interval_on_one_fold():
    # the case: R@10 27.86 vs 27.87 on one partition is a tie, never a failure
    c = verdicts.proportions(27.86, 27.87, 4762, "TagSpace > WSABIE", digits=2)
    assert c.verdict == "tied" and c.half_width == pytest.approx(
        100 * 1.96 * math.sqrt(2 * 0.2786 * 0.7214 / 4762), rel=1e-3)
    assert verdicts.proportions(40.0, 30.0, 1000, "A > B").verdict == "holds"
    assert verdicts.proportions(30.0, 40.0, 1000, "A > B").verdict == "does not hold"
    assert verdicts.proportions(30.0, 31.0, 200, "A > B").verdict == "tied"     # 200 tasks: ± 9 points


def test_bootstrap_is_seeded_and_paired():
    rng = np.random.default_rng(0)
    a = rng.normal(10, 5, 500)
    same = verdicts.bootstrap(a, a + rng.normal(0, 0.1, 500), "A > B", seed=1)
    assert same.verdict == "tied"
    better = verdicts.bootstrap(a - 3, a, "A ranks lower", higher_is_better=False, seed=1)
    assert better.verdict == "holds" and better.diff == pytest.approx(3.0)
    assert verdicts.bootstrap(a, a + 0.01, "x", seed=1).half_width == verdicts.bootstrap(a, a + 0.01, "x", seed=1).half_width


def test_bootstrap_with_weights_compares_ratio_means():
    # post 1 has two true hashtags (ranks 1 + 3 = 4 for A, 10 + 12 = 22 for B), post 2 one (2 vs 5)
    rng = np.random.default_rng(1)
    n = rng.integers(1, 3, 300).astype(float)
    a_sum = n * rng.normal(100, 20, 300)
    b_sum = a_sum + n * 40
    c = verdicts.bootstrap(a_sum, b_sum, "A ranks better", higher_is_better=False, weights=n, digits=2)
    assert c.a == pytest.approx(a_sum.sum() / n.sum()) and c.diff == pytest.approx(40.0)
    assert c.half_width < 1e-6 and c.verdict == "holds"          # the same +40 on every hashtag: no spread


def test_tally_counts_each_verdict():
    cs = [verdicts.proportions(40, 30, 1000, "a"), verdicts.proportions(30, 30.5, 1000, "b"),
          verdicts.proportions(20, 30, 1000, "c")]
    assert verdicts.tally(cs) == "1 hold, 1 tied, 1 does not hold"


def test_verdict_problems_reads_the_printed_fragments():
    assert verdicts.verdict_problems("x: does not hold (27.86 vs 27.87, difference -0.01 ± 1.80, binomial)") \
        == ["'does not hold' inside its interval: difference -0.01 ± 1.80"]
    assert verdicts.verdict_problems("x: tied (1.0 vs 5.0, difference -4.0 ± 1.0, y)") \
        == ["'tied' outside its interval: difference -4.0 ± 1.0"]
    assert verdicts.verdict_problems("x: holds (1.0 vs 5.0, difference -4.0 ± 1.0, y)") \
        == ["'holds' with a difference of -4.0"]
    assert verdicts.verdict_problems("x: tied (3.0 vs 2.5, difference +0.5 ± 2.9, y)") == []
    good = "\n".join(verdicts.proportions(a, b, 500, "A > B").text() for a, b in ((40, 30), (30, 31), (20, 30)))
    assert verdicts.verdict_problems(good) == []


def _nb(*outputs):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = list(outputs)
    nb.cells.append(cell)
    return nb


def test_notebook_problems_flags_nan_na_stderr_and_wrong_verdicts():
    table = nbformat.v4.new_output("execute_result", data={"text/plain": "   P@1 (paper)  P@1 (ours)\n0  NaN  3.2"})
    na = nbformat.v4.new_output("execute_result", data={"text/plain": "dim  <NA>"})
    err = nbformat.v4.new_output("stream", name="stderr", text="2 source file(s) skipped: a, b\n")
    bad = nbformat.v4.new_output("stream", name="stdout", text="R@10: does not hold (27.86 vs 27.87, difference "
                                                               "-0.01 ± 1.80, binomial)\n")
    problems = verdicts.notebook_problems(_nb(table, na, err, bad))
    assert len(problems) == 4
    assert any("NaN" in p for p in problems) and any("<NA>" in p for p in problems)
    assert any("stderr" in p for p in problems) and any("inside its interval" in p for p in problems)
    clean = nbformat.v4.new_output("execute_result", data={"text/plain": "   P@1 (paper)  P@1 (ours)\n0  –  3.2\n"
                                                                         "nanny NaNa"})
    assert verdicts.notebook_problems(_nb(clean)) == []


@pytest.mark.parametrize("path", sorted(reproduce.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_committed_notebook_shows_no_nan_stderr_or_contradicted_verdict(path):
    problems = verdicts.notebook_problems(nbformat.read(path, as_version=4))
    assert problems == [], f"{path.name}: " + "\n".join(problems)
