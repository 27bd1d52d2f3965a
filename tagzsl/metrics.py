"""Ranking metrics shared by the papers' tables.

All take a score matrix ``scores`` of shape ``(n_posts, n_candidates)`` (higher is better)
and the true candidate indices: one per post (``labels``, an int array) for hit@k, or a
list of index lists for multi-label posts (P@1, R@10, mean rank as in #TagSpace).
"""
from __future__ import annotations

import numpy as np


def ranks_of(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """1-based rank of each post's true candidate (ties count against the true one)."""
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    true = scores[np.arange(len(labels)), labels]
    return (scores >= true[:, None]).sum(axis=1)


def hit_at_k(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Fraction of posts whose true candidate is among the top ``k`` (flat hit@k)."""
    if len(labels) == 0:
        return float("nan")
    return float(np.mean(ranks_of(scores, labels) <= k))


def multilabel_ranking(scores: np.ndarray, positives: list[list[int]], k: int = 10) -> dict:
    """#TagSpace metrics: precision at 1, recall at ``k`` and mean rank of the true hashtags.

    Each true hashtag is ranked against all candidates that are not true hashtags of the
    post, so a post's other positives never push it down; mean rank averages over every
    (post, true hashtag) pair. Returns ``{"P@1", f"R@{k}", "mean_rank"}``.
    """
    scores = np.asarray(scores)
    p_at_1, recall, all_ranks = [], [], []
    for row, pos in zip(scores, positives):
        pos = np.asarray(sorted(set(pos)))
        if len(pos) == 0:
            continue
        p_at_1.append(float(np.argmax(row) in pos))
        negatives = np.ones(len(row), dtype=bool)
        negatives[pos] = False
        ranks = 1 + (row[negatives][None, :] >= row[pos][:, None]).sum(axis=1)
        all_ranks.extend(ranks.tolist())
        top_k = np.argpartition(-row, min(k, len(row) - 1))[:k]
        recall.append(len(set(top_k.tolist()) & set(pos.tolist())) / len(pos))
    return {"P@1": float(np.mean(p_at_1)), f"R@{k}": float(np.mean(recall)),
            "mean_rank": float(np.mean(all_ranks))}


def mean_sd(values) -> tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; 0 for a single value) of ``values``.

    The project's one definition of "mean ± sd" over folds, partitions or seeds.
    """
    values = np.asarray(values, dtype="float64")
    if values.size == 0:
        return float("nan"), float("nan")
    return float(values.mean()), float(values.std(ddof=1)) if values.size > 1 else 0.0

