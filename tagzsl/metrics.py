"""Ranking metrics shared by the papers' tables.

All take a score matrix ``scores`` of shape ``(n_posts, n_candidates)`` (higher is better)
and the true candidate indices: one per post (``labels``, an int array) for Kumar et al.'s
flat hit@k, or a list of index lists for multi-label posts (#TagSpace's P@1, R@k, mean rank).

Ties always count against the true candidates: a candidate scoring exactly as high as a
true one is ranked above it. Ranks are 1-based. ``NaN`` scores are refused (a ``NaN``
compares false with everything and would silently rank first).

Rates are returned as fractions in ``[0, 1]``; multiply by 100 for the papers' percent.
"""
from __future__ import annotations

import numpy as np


def _check_scores(scores) -> np.ndarray:
    scores = np.asarray(scores, dtype="float64")
    if scores.ndim != 2:
        raise ValueError(f"scores must be a (posts, candidates) matrix, got shape {scores.shape}")
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN; check the model's output (use -inf to rule a candidate out)")
    return scores


def _check_k(k: int) -> int:
    if int(k) < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    return int(k)


def ranks_of(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """1-based rank of each post's true candidate: 1 + candidates scoring at least as high."""
    scores = _check_scores(scores)
    labels = np.asarray(labels)
    if labels.shape != (len(scores),):
        raise ValueError(f"need one label per post: {len(scores)} posts, labels of shape {labels.shape}")
    if len(labels) and (labels.min() < 0 or labels.max() >= scores.shape[1]):
        raise ValueError(f"labels must index the {scores.shape[1]} candidates (0..{scores.shape[1] - 1})")
    true = scores[np.arange(len(labels)), labels]
    return (scores >= true[:, None]).sum(axis=1)  # counts the true candidate itself: rank >= 1


def hit_at_k(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Kumar et al.'s flat hit@k: fraction of posts whose true candidate ranks ``<= k``.

    ``k`` at or beyond the number of candidates gives 1.0; no posts give ``NaN``.
    """
    k = _check_k(k)
    ranks = ranks_of(scores, labels)
    return float(np.mean(ranks <= k)) if len(ranks) else float("nan")


def _positive_mask(positives, shape) -> np.ndarray:
    n_posts, n_cands = shape
    if len(positives) != n_posts:
        raise ValueError(f"need one list of true hashtags per post: {n_posts} posts, {len(positives)} lists")
    mask = np.zeros(shape, dtype=bool)
    for i, pos in enumerate(positives):
        pos = np.asarray(pos, dtype="int64").ravel()
        pos = pos[pos != -1]  # -1 pads fixed-width id arrays (tagspace.Encoder.positives)
        if len(pos) and (pos.min() < 0 or pos.max() >= n_cands):
            raise ValueError(f"post {i}: true hashtag ids must index the {n_cands} candidates, got {pos.tolist()}")
        mask[i, pos] = True
    return mask


def multilabel_ranking(scores: np.ndarray, positives, k: int = 10) -> dict:
    """#TagSpace's hashtag-prediction metrics: P@1, R@k and mean rank (section 4.2).

    The candidates are sorted by score, best first, a tie putting the post's non-true
    hashtags first. Then, for each post with at least one true hashtag:

    * P@1: 1 if the first candidate is a true hashtag, else 0;
    * R@k: the fraction of its true hashtags among the first ``k`` candidates (all
      candidates when ``k`` exceeds their number);
    * rank of each true hashtag: 1 + the number of hashtags the post does NOT carry that
      score at least as high (the paper ranks "a post's ground-truth hashtags higher than
      hashtags it does not contain"), so a post's other true hashtags never push it down.

    P@1 and R@k are averaged over posts, the mean rank over every (post, true hashtag)
    pair (the paper does not say which average it takes). Posts without a true hashtag
    cannot be ranked and are skipped; ``-1`` ids are padding. With no post left every value
    is ``NaN``. Returns ``{"P@1", f"R@{k}", "mean_rank"}``, rates as fractions.
    """
    per = multilabel_ranking_per_post(scores, positives, k)
    if len(per["P@1"]) == 0:
        return {"P@1": float("nan"), f"R@{k}": float("nan"), "mean_rank": float("nan")}
    return {"P@1": float(np.mean(per["P@1"])), f"R@{k}": float(np.mean(per[f"R@{k}"])),
            "mean_rank": float(per["rank_sum"].sum() / per["n_true"].sum())}


def multilabel_ranking_per_post(scores: np.ndarray, positives, k: int = 10) -> dict:
    """The per-post values behind :func:`multilabel_ranking` (posts without a true hashtag
    skipped): ``P@1`` (0 or 1), ``R@k`` (fraction), ``rank_sum`` (the sum of the post's true
    hashtags' ranks) and ``n_true``; the mean rank is ``rank_sum.sum() / n_true.sum()``. For
    intervals over posts (:func:`tagzsl.experiments.verdicts.bootstrap`)."""
    k = _check_k(k)
    scores = _check_scores(scores)
    mask = _positive_mask(positives, scores.shape)
    keep = mask.any(axis=1)
    scores, mask = scores[keep], mask[keep]
    p_at_1, recall, rank_sum = [], [], []
    for start in range(0, len(scores), 2048):  # bounded memory on big test sets
        s, m = scores[start:start + 2048], mask[start:start + 2048]
        order = np.lexsort((m, -s))  # by score descending; at equal score non-true (False) first
        true_sorted = np.take_along_axis(m, order, axis=1)
        p_at_1.append(true_sorted[:, 0].astype("float64"))
        recall.append(true_sorted[:, :k].sum(axis=1) / m.sum(axis=1))
        # a true hashtag at 0-based position c, the n-th true one in the order, comes after
        # c + 1 - n candidates the post does not carry (ties included): its rank is c + 2 - n
        position = np.arange(s.shape[1])[None, :]
        rank = position + 2 - np.cumsum(true_sorted, axis=1)
        rank_sum.append(np.where(true_sorted, rank, 0).sum(axis=1).astype("float64"))
    empty = np.zeros(0)
    return {"P@1": np.concatenate(p_at_1) if p_at_1 else empty,
            f"R@{k}": np.concatenate(recall) if recall else empty,
            "rank_sum": np.concatenate(rank_sum) if rank_sum else empty,
            "n_true": mask.sum(axis=1).astype("float64")}


def mean_sd(values) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value) of ``values``.

    The project's one definition of "mean ± sd" over folds, partitions or seeds; no values
    give ``(NaN, NaN)``.
    """
    values = np.asarray(values, dtype="float64").ravel()
    if values.size == 0:
        return float("nan"), float("nan")
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0
