"""Ranking metrics pinned by hand-worked cases.

Each test's docstring names the mutation of ``tagzsl/metrics.py`` it catches; every one was
edited into the code once, seen to fail here, and edited out (see the commit message).
"""
import math
import warnings

import numpy as np
import pytest

from tagzsl import metrics


# ---------------------------------------------------------------- ranks_of / hit@k (Kumar et al.)

def test_ranks_of_hand_worked():
    """Catches every rank off by one (``... .sum(axis=1) + 1``, or ``>`` in place of ``>=``)."""
    scores = np.array([[0.1, 0.9, 0.5],
                       [0.1, 0.9, 0.5],
                       [0.1, 0.9, 0.5]])
    np.testing.assert_array_equal(metrics.ranks_of(scores, np.array([1, 2, 0])), [1, 2, 3])


def test_ranks_of_ties_count_against_the_true_candidate():
    """Catches ties counted for the true candidate (``>`` in place of ``>=``)."""
    scores = np.array([[0.5, 0.5, 0.1], [0.5, 0.5, 0.1], [0.3, 0.3, 0.3]])
    np.testing.assert_array_equal(metrics.ranks_of(scores, np.array([0, 1, 2])), [2, 2, 3])


def test_hit_at_k_counts_rank_k_as_a_hit():
    """Catches hit@k computed with ``< k`` (rank exactly k must count)."""
    scores = np.array([[0.9, 0.8, 0.7, 0.6]])  # true candidate 2 has rank 3
    assert metrics.hit_at_k(scores, np.array([2]), 3) == 1.0
    assert metrics.hit_at_k(scores, np.array([2]), 2) == 0.0


def test_hit_at_k_is_the_fraction_of_posts():
    """Catches a rate over the wrong count (ranks instead of hits, a sum instead of a mean)."""
    scores = np.array([[0.9, 0.1, 0.2],   # label 0: rank 1
                       [0.9, 0.1, 0.2],   # label 2: rank 2
                       [0.9, 0.1, 0.2]])  # label 1: rank 3
    labels = np.array([0, 2, 1])
    assert metrics.hit_at_k(scores, labels, 1) == pytest.approx(1 / 3)
    assert metrics.hit_at_k(scores, labels, 2) == pytest.approx(2 / 3)


def test_hit_at_k_at_and_beyond_the_number_of_candidates():
    """Catches k capped wrongly or raising when k >= candidates (every post is then a hit),
    and k < 1 accepted silently."""
    scores = np.array([[0.3, 0.3, 0.3], [0.1, 0.2, 0.3]])
    labels = np.array([0, 0])  # ranks 3 and 3
    assert metrics.hit_at_k(scores, labels, 3) == 1.0
    assert metrics.hit_at_k(scores, labels, 50) == 1.0
    with pytest.raises(ValueError, match="k must be at least 1"):
        metrics.hit_at_k(scores, labels, 0)


def test_hit_at_k_bad_input_is_one_clear_error():
    """Catches NaN scores ranking first (NaN compares false, so its rank would be 0, a hit),
    negative labels wrapping round to the last candidate, and a labels/posts length mismatch."""
    with pytest.raises(ValueError, match="NaN"):
        metrics.hit_at_k(np.array([[np.nan, 0.5]]), np.array([0]), 1)
    with pytest.raises(ValueError, match="labels must index"):
        metrics.hit_at_k(np.array([[0.1, 0.5]]), np.array([-1]), 1)
    with pytest.raises(ValueError, match="one label per post"):
        metrics.hit_at_k(np.array([[0.1, 0.5], [0.2, 0.1]]), np.array([0]), 1)
    assert math.isnan(metrics.hit_at_k(np.zeros((0, 3)), np.array([], dtype=int), 1))


# ---------------------------------------------------------------- #TagSpace: P@1, R@k, mean rank

def test_multilabel_one_true_hashtag_hand_worked():
    """Catches R@k taken from the top k-1 (R@2 here needs the 2nd candidate) and a rank off by one.

    Scores 0.9, 0.1, 0.5, 0.3, true hashtag 2: order 0, 2, 3, 1; it is second.
    """
    m = metrics.multilabel_ranking(np.array([[0.9, 0.1, 0.5, 0.3]]), [[2]], k=2)
    assert m == {"P@1": 0.0, "R@2": 1.0, "mean_rank": 2.0}
    assert metrics.multilabel_ranking(np.array([[0.9, 0.1, 0.5, 0.3]]), [[2]], k=1)["R@1"] == 0.0


def test_multilabel_other_true_hashtags_never_push_one_down():
    """Catches the mean rank counting the post's other true hashtags (would give 2.0, not 1.0),
    and recall that is not over the top k of the full list (R@2 is 2 of 3, not 3 of 3).

    #TagSpace section 4.2: the task ranks "a post's ground-truth hashtags higher than
    hashtags it does not contain".
    """
    m = metrics.multilabel_ranking(np.array([[0.9, 0.8, 0.7, 0.1]]), [[0, 1, 2]], k=2)
    assert m == pytest.approx({"P@1": 1.0, "R@2": 2 / 3, "mean_rank": 1.0})


def test_multilabel_several_true_hashtags_hand_worked():
    """Catches the mean rank counting candidates strictly above only, or counting positives.

    Scores 0.2, 0.9, 0.8, 0.1, 0.5, true {0, 2}; order 1, 2, 4, 0, 3. Not carried: 1, 3, 4.
    Rank of 2 (0.8): 1 + |{0.9}| = 2; rank of 0 (0.2): 1 + |{0.9, 0.5}| = 3.
    """
    row = np.array([[0.2, 0.9, 0.8, 0.1, 0.5]])
    for k, recall in ((1, 0.0), (2, 0.5), (3, 0.5), (4, 1.0)):
        m = metrics.multilabel_ranking(row, [[0, 2]], k=k)
        assert m == {"P@1": 0.0, f"R@{k}": recall, "mean_rank": 2.5}


def test_multilabel_ties_count_against_true_hashtags():
    """Catches P@1 from ``argmax`` (picks the lowest index among tied scores, here the true
    hashtag 0: P@1 1.0), R@k from ``argpartition`` (arbitrary among ties), a sort that puts
    true hashtags first at a tie (``np.lexsort((~m, -s))``), and ``>`` in the rank."""
    for true in (0, 1, 2):  # the result must not depend on where the true hashtag sits
        row = np.array([[0.5, 0.5, 0.5]])
        assert metrics.multilabel_ranking(row, [[true]], k=1) == {"P@1": 0.0, "R@1": 0.0, "mean_rank": 3.0}
        assert metrics.multilabel_ranking(row, [[true]], k=2)["R@2"] == 0.0
        assert metrics.multilabel_ranking(row, [[true]], k=3)["R@3"] == 1.0
    # two true hashtags tied with one that is not: it goes first
    m = metrics.multilabel_ranking(np.array([[0.7, 0.7, 0.7, 0.2]]), [[0, 1]], k=2)
    assert m == {"P@1": 0.0, "R@2": 0.5, "mean_rank": 2.0}
    # two true hashtags tied with each other only: neither pushes the other down
    m = metrics.multilabel_ranking(np.array([[0.5, 0.5, 0.1]]), [[0, 1]], k=1)
    assert m == {"P@1": 1.0, "R@1": 0.5, "mean_rank": 1.0}


def test_multilabel_k_at_and_beyond_the_number_of_candidates():
    """Catches an error or a short top list when k >= candidates (recall is then 1), and k < 1."""
    row = np.array([[0.1, 0.2, 0.3]])
    assert metrics.multilabel_ranking(row, [[0]], k=3)["R@3"] == 1.0
    assert metrics.multilabel_ranking(row, [[0]], k=10)["R@10"] == 1.0
    with pytest.raises(ValueError, match="k must be at least 1"):
        metrics.multilabel_ranking(row, [[0]], k=0)


def test_multilabel_averages_posts_and_pairs():
    """Catches P@1/R@k averaged over (post, hashtag) pairs (R@2 would be 2/3, not 3/4) and the
    mean rank averaged per post first (would be 1.75, not 2).

    Post A: true {0}, first: P@1 1, R@2 1, rank 1. Post B: true {1, 3}; order 0, 1, 4, 3, 2;
    P@1 0, R@2 1/2; not carried 0 (0.9), 2 (0.1), 4 (0.6): rank of 1 is 2, of 3 is 3.
    """
    scores = np.array([[0.9, 0.1, 0.2, 0.3, 0.4],
                       [0.9, 0.8, 0.1, 0.5, 0.6]])
    m = metrics.multilabel_ranking(scores, [[0], [1, 3]], k=2)
    assert m == pytest.approx({"P@1": 0.5, "R@2": (1 + 0.5) / 2, "mean_rank": (1 + 2 + 3) / 3})


def test_multilabel_post_without_true_hashtag_is_skipped():
    """Catches a post with no true hashtag counted as a miss (P@1 0.5, R 0.5) or crashing; all
    posts empty gives NaN without a numpy warning; ``-1`` pads like an empty slot."""
    scores = np.array([[0.9, 0.1], [0.9, 0.1]])
    alone = metrics.multilabel_ranking(scores[:1], [[0]])
    assert metrics.multilabel_ranking(scores, [[0], []]) == alone == {"P@1": 1.0, "R@10": 1.0, "mean_rank": 1.0}
    padded = np.array([[0, -1], [-1, -1]])  # as tagspace.Encoder.positives writes them
    assert metrics.multilabel_ranking(scores, padded) == alone
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = metrics.multilabel_ranking(scores, [[], []])
    assert set(m) == {"P@1", "R@10", "mean_rank"} and all(math.isnan(v) for v in m.values())


def test_multilabel_bad_input_is_one_clear_error():
    """Catches ``zip`` silently dropping posts when lists and rows disagree, out-of-range ids
    (``-2`` would wrap to a real candidate), and NaN scores."""
    scores = np.array([[0.9, 0.1], [0.2, 0.3]])
    with pytest.raises(ValueError, match="one list of true hashtags per post"):
        metrics.multilabel_ranking(scores, [[0]])
    with pytest.raises(ValueError, match="post 1"):
        metrics.multilabel_ranking(scores, [[0], [2]])
    with pytest.raises(ValueError, match="post 0"):
        metrics.multilabel_ranking(scores, [[-2], [1]])
    with pytest.raises(ValueError, match="NaN"):
        metrics.multilabel_ranking(np.array([[np.nan, 0.1]]), [[1]])


def test_multilabel_minus_inf_ranks_last():
    """Catches refusing -inf (the way to rule a candidate out) along with NaN."""
    m = metrics.multilabel_ranking(np.array([[-np.inf, 0.1, 0.2]]), [[0]], k=2)
    assert m == {"P@1": 0.0, "R@2": 0.0, "mean_rank": 3.0}


def _reference(scores, positives, k):
    """Brute force: sort each row by (score descending, not-true first), count by hand."""
    p1, rec, ranks = [], [], []
    for row, pos in zip(scores, positives):
        pos = set(pos)
        if not pos:
            continue
        order = sorted(range(len(row)), key=lambda j: (-row[j], j in pos))
        p1.append(order[0] in pos)
        rec.append(len(pos & set(order[:k])) / len(pos))
        ranks += [1 + sum(row[n] >= row[p] for n in range(len(row)) if n not in pos) for p in pos]
    return {"P@1": np.mean(p1), f"R@{k}": np.mean(rec), "mean_rank": np.mean(ranks)}


@pytest.mark.parametrize("k", [1, 3, 8, 20])
def test_multilabel_matches_brute_force_on_many_ties(k):
    """Catches chunking faults (5,000 posts span three chunks of 2,048: an offset or a dropped
    tail changes the numbers) and any disagreement with the hand-countable definition on
    integer scores full of ties."""
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, size=(5000, 8)).astype(float)
    positives = [rng.choice(8, size=rng.integers(0, 4), replace=False).tolist() for _ in range(5000)]
    got = metrics.multilabel_ranking(scores, positives, k=k)
    assert got == pytest.approx(_reference(scores, positives, k), rel=1e-12)


# ---------------------------------------------------------------- mean ± sd

def test_mean_sd_is_sample_sd():
    """Catches ``ddof=0`` (population sd: sqrt(1.25) instead of sqrt(5/3))."""
    mean, sd = metrics.mean_sd([1, 2, 3, 4])
    assert mean == 2.5 and sd == pytest.approx(math.sqrt(5 / 3))


def test_mean_sd_single_value_and_none():
    """Catches NaN (numpy's ddof=1 on one value) for a single value, and a crash on none."""
    assert metrics.mean_sd([7.0]) == (7.0, 0.0)
    assert all(math.isnan(v) for v in metrics.mean_sd([]))
