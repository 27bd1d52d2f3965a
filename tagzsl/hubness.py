"""Hubness of any zero-shot ranker's scores, and score-level corrections chosen on validation data.

A *hub* is a candidate hashtag that sits at the top of most tweets' rankings whatever the
tweet says (Radovanovic et al., 2010). :mod:`tagzsl.hashtag_vectors` measures and corrects it
for cosine rankers (word2vec similarity, ConSE) on their vectors; here the same is done on a
**score matrix** (tweets x candidates), so it applies to every ranker the Recommender serves
with ``candidates=``: ConSE's cosines, ESZSL's bilinear ``x^T W a``, DEM's ``-||f(x) - g(a)||^2``.

Diagnostics (:func:`diagnose`)
    the top hub's share of the top-1 (the largest fraction of tweets one candidate ranks
    first; 1 / n_candidates when spread evenly) and the skewness of the k-occurrence N_k.

Corrections (:data:`CORRECTIONS`; :func:`correct`), each from a ``reference`` score matrix:
the same ranker's scores of *other* tweets (training or validation tweets, never the test
tweets) against the same candidates. Only per-candidate terms change a tweet's ranking, so
every correction is a per-candidate (column) adjustment learnt from the reference:

* ``"centre"``: subtract each candidate's mean reference score. For a score linear in the
  tweet's vector (ESZSL: ``x^T W a``) this is exactly centring the tweets on the reference
  mean; for cosines it removes the shared direction that makes a hub.
* ``"csls"``: cross-domain similarity local scaling (Conneau et al., 2018),
  ``2 s - r_tweet - r_candidate`` with ``r_candidate`` the mean of a candidate's ``k`` highest
  reference scores (:func:`tagzsl.hashtag_vectors.csls`).
* ``"normalise"``: per-candidate z-score, ``(s - mean_ref) / sd_ref``: a candidate whose
  scores are high *and* spread on every tweet no longer dominates.

:func:`choose` picks the correction with the highest hit@1 on validation data (ties keep the
simplest, ``"none"`` first); :mod:`tagzsl.experiments.zero_shot_ood` calls it with a
validation split of the SEEN hashtags.

The default (:data:`DEFAULT`, the one place that decides): ``"normalise"`` for every ranker
:class:`tagzsl.recommender.Recommender` serves by word vectors (``conse``, ``eszsl``, ``dem``,
and a supervised model with ``candidates=``), with the scores of a seeded sample of up to
:data:`REFERENCE_TWEETS` training tweets (:func:`reference_rows`) as the reference.
``nice -n 19 python benchmarks/zero_shot_ood.py --no-vectors --in-domain 3``
(``benchmarks/results/zero_shot_ood.txt``; stand-in rankers on mean word vectors, not the
GRU) chose ``"normalise"`` on the validation split for 21 of the 24 (ranker, partition) cases
of ConSE, ESZSL and DEM (the other 3: ``"centre"``), and it lifts hit@1 (%) out
of domain (5 held-out sources, chance 12.2) ConSE 17.7 -> 34.9, ESZSL 21.1 -> 34.5, DEM
14.1 -> 39.5, where uncorrected every one is tied with chance; in domain (3 partitions, chance
10.0) ConSE 27.0 -> 39.3, ESZSL 22.7 -> 46.0, DEM 10.6 -> 37.2.
Not measured: the served models' reference is their outputs on tweets they were trained on,
which a high-capacity model (the GRU) scores more sharply than new tweets; the stand-in rankers
above have little capacity, so how much that shrinks the gain for the GRU is unknown.
"""
from __future__ import annotations

import numpy as np

from tagzsl import metrics
from tagzsl.hashtag_vectors import csls, hub_share, hubness_skew, k_occurrence  # noqa: F401 (re-exported)

CORRECTIONS = ("none", "centre", "csls", "normalise")
#: the correction the Recommender applies unless told otherwise (module docstring: why)
DEFAULT = "normalise"
#: at most this many training tweets' scores serve as the reference of a fitted Recommender
REFERENCE_TWEETS = 2000
CSLS_K = 10


def reference_rows(n: int, seed: int, size: int | None = None) -> np.ndarray:
    """Indices (ascending) of a random sample of ``min(size, n)`` of ``n`` tweets (``size``
    default :data:`REFERENCE_TWEETS`), drawn from ``seed``: the tweets whose scores serve as a
    correction's reference."""
    if n < 1:
        raise ValueError("a reference needs at least one tweet")
    size = REFERENCE_TWEETS if size is None else size
    return np.sort(np.random.default_rng(seed).choice(n, size=min(size, n), replace=False))


def _check(scores, reference):
    scores = np.asarray(scores, dtype="float64")
    if scores.ndim != 2 or scores.shape[1] < 1:
        raise ValueError(f"scores must be (n_tweets, n_candidates); got shape {scores.shape}")
    if reference is None:
        raise ValueError("a correction needs reference scores (other tweets x the same candidates); "
                         "pass reference= scores of training or validation tweets")
    reference = np.asarray(reference, dtype="float64")
    if reference.ndim != 2 or reference.shape[1] != scores.shape[1] or len(reference) == 0:
        raise ValueError(f"reference scores {reference.shape} must be (n_other_tweets, "
                         f"{scores.shape[1]}) with at least one tweet")
    return scores, reference


def correct(scores, correction: str = "none", reference=None, k: int = CSLS_K) -> np.ndarray:
    """``scores`` (tweets x candidates) after ``correction`` (one of :data:`CORRECTIONS`).

    ``reference``: the same ranker's scores of other tweets against the same candidates
    (required by every correction but ``"none"``). float32, same shape as ``scores``.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}; got {correction!r}")
    if correction == "none":
        return np.asarray(scores, dtype="float32")
    scores, reference = _check(scores, reference)
    mean = reference.mean(axis=0)
    if correction == "centre":
        out = scores - mean
    elif correction == "csls":
        out = csls(scores, k=k, reference=reference)
    else:
        sd = reference.std(axis=0)
        out = (scores - mean) / np.where(sd > 0, sd, 1.0)
    return np.asarray(out, dtype="float32")


def diagnose(scores, k: int = 2) -> dict:
    """Hubness of a score matrix: the top hub's share of the top 1 (percent of tweets) and
    the skewness of the k-occurrence N_k."""
    return {"top hub's top-1 share (%)": 100.0 * hub_share(scores, 1),
            f"N{k} skew": hubness_skew(scores, min(k, np.asarray(scores).shape[1]))}


def hit1(scores, labels) -> float:
    """hit@1 in percent (ties count against the true candidate, as ``metrics.ranks_of``)."""
    return 100.0 * float(np.mean(metrics.ranks_of(np.asarray(scores), np.asarray(labels)) == 1))


def choose(scores, labels, reference, corrections=CORRECTIONS, k: int = CSLS_K) -> tuple[str, dict]:
    """The correction with the highest validation hit@1, and every correction's hit@1.

    ``scores``/``labels``: validation tweets (never test tweets) x validation candidates;
    ``reference``: other tweets' scores against the same candidates. Ties go to the earlier
    entry of ``corrections`` (``"none"`` first: a correction must help to be chosen).
    """
    table = {c: hit1(correct(scores, c, reference, k), labels) for c in corrections}
    best = max(corrections, key=lambda c: (table[c], -list(corrections).index(c)))
    return best, table
