"""Document-recommendation analogue (#TagSpace Table 5): ranks and rates pinned by hand.

Each test's docstring names the mutation of ``tagzsl/retrieval.py`` it catches; every one was
edited into the code once, seen to fail here, and edited out (see the commit message).
"""
import numpy as np
import pytest

from tagzsl import retrieval


def _task(n_candidates=3):
    return retrieval.RetrievalTask("#t", queries=np.array([0]), target=1,
                                   candidates=np.arange(2, 2 + n_candidates))


def test_rank_metrics_hand_worked_percent():
    """Catches R@k with ``< k`` (ranks 10 and 50 must count), rates as fractions instead of
    percent, and the mean rank of anything but the ranks given."""
    m = retrieval.rank_metrics([1, 2, 10, 11, 50, 51])
    assert m == pytest.approx({"P@1": 100 / 6, "R@10": 300 / 6, "R@50": 500 / 6, "mean_rank": 125 / 6})
    assert list(m) == ["P@1", "R@10", "R@50", "mean_rank"]


def test_rank_metrics_k_beyond_the_ranks():
    """Catches a rate above 100 or a failure when k exceeds every rank."""
    assert retrieval.rank_metrics([1, 3], ks=(1, 5, 10_000)) == {"P@1": 50.0, "R@5": 100.0,
                                                               "R@10000": 100.0, "mean_rank": 2.0}


def test_evaluate_ranks_are_one_based_and_ties_count_against_the_target():
    """Catches every rank off by one (dropping the ``+ 1``: P@1 100 and mean rank 1/3 lower)
    and ties counted for the target (``>`` in place of ``>=``: the tied task gets rank 1).

    Scores are of ``[target] + candidates``: best (rank 1), one candidate above (rank 2),
    one candidate tied (rank 2), all three tied (rank 4).
    """
    tasks = [_task(), _task(), _task(), _task()]
    fixed = iter([np.array([0.9, 0.1, 0.2, 0.3]),
                  np.array([0.5, 0.9, 0.1, 0.3]),
                  np.array([0.5, 0.5, 0.1, 0.3]),
                  np.array([0.4, 0.4, 0.4, 0.4])])
    table = retrieval.evaluate(tasks, {"fixed": lambda task: next(fixed)})
    row = table.iloc[0]
    assert row["method"] == "fixed" and row["tasks"] == 4
    assert row["mean_rank"] == pytest.approx((1 + 2 + 2 + 4) / 4)
    assert row["P@1"] == pytest.approx(25.0)
    assert row["R@10"] == pytest.approx(100.0)


def test_evaluate_one_row_per_scorer_in_order():
    """Catches rows in another order than the scorers, or one scorer's ranks under another's name."""
    tasks = [_task(2)]
    scorers = {"first": lambda task: np.array([1.0, 0.0, 0.0]),   # rank 1
               "last": lambda task: np.array([0.0, 1.0, 2.0])}    # rank 3
    table = retrieval.evaluate(tasks, scorers)
    assert table["method"].tolist() == ["first", "last"]
    assert table["mean_rank"].tolist() == [1.0, 3.0]


def test_max_cosine_scores_target_then_candidates_by_best_query():
    """Catches a mean over queries instead of the max, and the target not first."""
    vectors = np.array([[1.0, 0.0],   # query 0
                        [0.0, 1.0],   # query 1
                        [0.6, 0.8],   # target
                        [1.0, 0.0],   # candidate: cosine 1 with query 0
                        [-1.0, 0.0]])  # candidate: best cosine 0 (with query 1)
    task = retrieval.RetrievalTask("#t", queries=np.array([0, 1]), target=2, candidates=np.array([3, 4]))
    np.testing.assert_allclose(retrieval.max_cosine(vectors, task), [0.8, 1.0, 0.0])


def test_evaluate_refuses_nan_scores():
    """Catches a NaN target score ranking first (NaN compares false with every candidate)."""
    with pytest.raises(ValueError, match="NaN scores for #t"):
        retrieval.evaluate([_task()], {"broken": lambda task: np.array([np.nan, 0.1, 0.2, 0.3])})
