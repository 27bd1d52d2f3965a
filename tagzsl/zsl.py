"""Zero-shot hashtag recommendation: rank hashtags no classifier was trained on."""
from __future__ import annotations

import numpy as np


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype="float32")
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def conse(probabilities: np.ndarray, seen_vectors: np.ndarray, candidate_vectors: np.ndarray,
          top_t: int | None = None) -> np.ndarray:
    """ConSE (Norouzi et al., 2014): cosine between each tweet's convex combination of seen
    hashtag vectors and each candidate's vector.

    For a tweet with seen-class probabilities p, keep its top ``top_t`` classes (default: all
    seen hashtags, as the paper), and embed it as f = sum_t p_t s_t / sum_t p_t. Returns the
    ``(n_tweets, n_candidates)`` cosine similarities between f and ``candidate_vectors``.
    """
    probs = np.asarray(probabilities, dtype="float32")
    n_seen = probs.shape[1]
    if seen_vectors.shape[0] != n_seen:
        raise ValueError(f"{n_seen} class probabilities but {seen_vectors.shape[0]} seen vectors")
    top_t = n_seen if top_t is None else int(top_t)
    if top_t < n_seen:
        cut = -np.sort(-probs, axis=1)[:, top_t - 1:top_t]
        probs = np.where(probs >= cut, probs, 0.0)
    weights = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
    return _unit(weights @ np.asarray(seen_vectors, "float32")) @ _unit(candidate_vectors).T
