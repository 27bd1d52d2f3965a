"""Vectors for hashtags word2vec never saw, and hubness (one candidate in everyone's top k).

Hashtags no model has a vector for
    A new hashtag (``#votetrump``, ``#badjobin5words``) has no word2vec vector of its own.
    :func:`segment` splits it into words with ``wordsegment`` (Norvig's unigram/bigram
    segmenter, data shipped with the package), after splitting letter runs from digit runs
    (``badjobin5words`` -> ``bad job in 5 words``). :func:`hashtag_vector` returns the
    hashtag's own vector when there is one, else the mean of its words' vectors (words
    without a vector skipped, the same plain mean as a tweet's), else ``None``;
    :func:`hashtag_matrix` does it for a candidate list and says how each row was made.
    Opt-in, with fastText vectors (:func:`tagzsl.embeddings.train_fasttext`): ``mode="subword"``
    (:func:`subword_vector`, the mean of the hashtag's character n-gram vectors: every
    non-empty string has one) and ``mode="combined"`` (subword and composed, averaged).

Hubness
    In a high-dimensional space a few candidates are near everything, so they sit in the top
    k of most tweets (Radovanovic et al., 2010). :func:`k_occurrence` counts, per candidate,
    the tweets whose top k holds it; :func:`hubness_skew` is the skewness of those counts
    (0 for a fair spread, large and positive with hubs); :func:`hub_share` is the largest
    count as a fraction of the tweets. Two standard corrections:

    - :func:`csls` (Conneau et al., 2018, cross-domain similarity local scaling):
      ``2 cos(x, y) - r(x) - r(y)``, with r(x) the mean cosine of tweet x to its k nearest
      candidates and r(y) the mean cosine of candidate y to its k nearest tweets (of a
      ``reference`` set: the tweets scored, or any other tweets, e.g. ones seen earlier).
      A candidate close to every tweet pays for it.
    - :func:`centre`: subtract a mean vector and renormalise, before taking cosines;
      :func:`centred_cosine` does it for tweets (a mean fixed beforehand, e.g. of training
      tweets) and candidates (the candidate list's own mean).

    ``benchmarks/hubness.py`` measured both on the zero-shot protocol: centring raised hit@1/2/5
    for word2vec similarity and ConSE on every split, CSLS less. The Recommender now corrects
    every ranker at the score level instead (:mod:`tagzsl.hubness`, ``hubness.DEFAULT``:
    per-candidate z-scores against training tweets, measured by ``benchmarks/zero_shot_ood.py``);
    :func:`centred_cosine` still ranks folders saved with ``hubness="centre"`` before that.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from tagzsl.embeddings import unit_rows

MODES = ("auto", "own", "composed", "subword", "combined")
HOW = ("own", "composed", "missing")


# --------------------------------------------------------------------------- segmentation
@lru_cache(maxsize=1)
def _segmenter():
    """A loaded ``wordsegment.Segmenter`` (its unigram/bigram counts: ~0.6 s, read once)."""
    import wordsegment

    seg = wordsegment.Segmenter()
    seg.load()
    return seg


def normalise(tag: str) -> str:
    """``"#VoteTrump"`` -> ``"votetrump"``: no leading ``#``, lower case, surrounding space dropped."""
    if not isinstance(tag, str):
        raise TypeError(f"a hashtag must be a string; got {type(tag).__name__}")
    return tag.strip().lstrip("#").lower()


def segment(tag: str) -> list[str]:
    """The words of a hashtag: ``segment("#BadJobIn5Words") == ["bad", "job", "in", "5", "words"]``.

    The hashtag is cut into runs of letters and runs of digits (anything else, such as
    ``_`` or an emoji, only separates runs); runs of ASCII letters are segmented by
    ``wordsegment``, other runs (``2019``, ``café``) are kept whole. An empty hashtag gives ``[]``.
    """
    words = []
    for run in re.findall(r"[^\W\d_]+|\d+", normalise(tag)):
        words.extend(_segmenter().segment(run) if run.isascii() and run.isalpha() else [run])
    return words


# --------------------------------------------------------------------------- vectors
def hashtag_vector(kv, tag: str, mode: str = "auto") -> np.ndarray | None:
    """A vector for ``tag`` from the gensim ``KeyedVectors`` ``kv``, or ``None``.

    ``mode="auto"``: the hashtag's own vector if ``kv`` has one, else the composed one.
    ``mode="own"``: only its own vector. ``mode="composed"``: only the mean of the vectors of
    its segmented words that ``kv`` has (a word equal to the whole hashtag is skipped, so this
    never returns the hashtag's own vector). Opt-in, for subword (fastText) vectors ``kv``
    (:func:`tagzsl.embeddings.train_fasttext`): ``mode="subword"``: the mean of the hashtag's
    character n-gram vectors only (never its own vector; every non-empty string has one);
    ``mode="combined"``: the mean of the unit subword and unit composed vectors (the subword
    one alone when no word composes). float32, shape ``(kv.vector_size,)``.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    name = normalise(tag)
    if mode in ("subword", "combined"):
        sub = subword_vector(kv, name)
        if mode == "subword" or sub is None:
            return sub
        composed = hashtag_vector(kv, name, "composed")
        if composed is None:
            return sub
        return ((unit_rows(sub) + unit_rows(composed)) / 2).astype("float32")
    if mode != "composed" and name and name in kv.key_to_index:
        return np.asarray(kv[name], dtype="float32")
    if mode == "own":
        return None
    known = [w for w in segment(name) if w != name and w in kv.key_to_index]
    if not known:
        return None
    return np.asarray(kv.get_mean_vector(known, pre_normalize=False), dtype="float32")


def subword_vector(kv, tag: str) -> np.ndarray | None:
    """The mean of ``tag``'s character n-gram vectors in fastText vectors ``kv`` (gensim's
    vector for a word it never saw), or ``None`` for an empty hashtag.

    Raises a ``TypeError`` for vectors without n-grams (plain word2vec).
    """
    from gensim.models.fasttext import ft_ngram_hashes

    if not hasattr(kv, "vectors_ngrams"):
        raise TypeError("subword vectors need fastText vectors (tagzsl.embeddings.train_fasttext); "
                        f"got {type(kv).__name__}")
    hashes = ft_ngram_hashes(normalise(tag), kv.min_n, kv.max_n, kv.bucket)
    if not hashes:
        return None
    return np.asarray(kv.vectors_ngrams[hashes].mean(axis=0), dtype="float32")


def hashtag_matrix(kv, tags, mode: str = "auto") -> tuple[np.ndarray, list[str]]:
    """Vectors for a list of hashtags and how each was made.

    Returns ``(matrix, how)``: ``matrix`` is float32 ``(len(tags), kv.vector_size)`` with a
    zero row where no vector could be made; ``how[i]`` is ``"own"``, ``"composed"`` or
    ``"missing"`` (or the mode's name, ``"subword"``/``"combined"``, for those modes).
    """
    tags = list(tags)
    matrix = np.zeros((len(tags), kv.vector_size), dtype="float32")
    how = []
    for i, tag in enumerate(tags):
        vec = hashtag_vector(kv, tag, mode)
        if vec is None:
            how.append("missing")
            continue
        matrix[i] = vec
        if mode in ("subword", "combined"):
            how.append(mode)
            continue
        own = mode != "composed" and normalise(tag) in kv.key_to_index
        how.append("own" if own else "composed")
    return matrix, how


# --------------------------------------------------------------------------- hubness
def _top_k(scores, k: int) -> np.ndarray:
    scores = np.asarray(scores)
    if scores.ndim != 2:
        raise ValueError(f"scores must be (n_tweets, n_candidates); got shape {scores.shape}")
    if not 1 <= k <= scores.shape[1]:
        raise ValueError(f"k must be between 1 and the {scores.shape[1]} candidates; got {k}")
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def k_occurrence(scores, k: int) -> np.ndarray:
    """N_k: for each candidate (column), the number of tweets (rows) whose top ``k`` holds it.

    Ties are broken by column order. Sums to ``n_tweets * k``.
    """
    top = _top_k(scores, k)
    return np.bincount(top.ravel(), minlength=np.asarray(scores).shape[1])


def hubness_skew(scores, k: int) -> float:
    """Skewness of the k-occurrence counts (``scipy.stats.skew``); 0 when every count is equal."""
    from scipy import stats

    counts = k_occurrence(scores, k).astype("float64")
    if np.all(counts == counts[0]):
        return 0.0
    return float(stats.skew(counts))


def hub_share(scores, k: int) -> float:
    """The largest k-occurrence as a fraction of the tweets: how many tweets the top hub reaches."""
    return float(k_occurrence(scores, k).max() / np.asarray(scores).shape[0])


def csls(scores, k: int = 10, reference=None) -> np.ndarray:
    """Cross-domain similarity local scaling of a cosine matrix (tweets x candidates).

    ``csls = 2 * scores - r_tweet[:, None] - r_candidate[None, :]``, where ``r_tweet`` is each
    row's mean of its ``k`` highest cosines (k capped at the number of candidates) and
    ``r_candidate`` each column's mean of its ``k`` highest cosines in ``reference``
    (another tweets x same-candidates cosine matrix; default ``scores`` itself). Only
    ``r_candidate`` changes a tweet's ranking: it demotes candidates near every tweet.
    """
    scores = np.asarray(scores, dtype="float64")
    reference = scores if reference is None else np.asarray(reference, dtype="float64")
    if scores.ndim != 2 or reference.ndim != 2 or reference.shape[1] != scores.shape[1]:
        raise ValueError(f"scores {scores.shape} and reference {reference.shape} must be 2-d "
                         "with the same candidates (columns)")
    if k < 1:
        raise ValueError(f"k must be at least 1; got {k}")
    k_row, k_col = min(k, scores.shape[1]), min(k, reference.shape[0])
    r_tweet = -np.sort(-scores, axis=1)[:, :k_row].mean(axis=1)
    r_candidate = -np.sort(-reference, axis=0)[:k_col].mean(axis=0)
    return (2 * scores - r_tweet[:, None] - r_candidate[None, :]).astype("float32")


def centre(vectors, mean=None) -> np.ndarray:
    """``unit_rows(vectors - mean)``; ``mean`` defaults to the rows' own mean."""
    vectors = np.asarray(vectors, dtype="float32")
    mean = vectors.mean(axis=0) if mean is None else np.asarray(mean, dtype="float32")
    return unit_rows(vectors - mean)


def conse_embedding(probabilities, seen_vectors) -> np.ndarray:
    """ConSE's tweet vector before normalising: the probability-weighted mean of the seen
    hashtags' vectors (all seen hashtags, as the paper and ``tagzsl.zsl.conse``). float32."""
    probs = np.asarray(probabilities, dtype="float32")
    seen_vectors = np.asarray(seen_vectors, dtype="float32")
    if probs.ndim != 2 or probs.shape[1] != seen_vectors.shape[0]:
        raise ValueError(f"{probs.shape[-1]} class probabilities but {seen_vectors.shape[0]} seen vectors")
    return (probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)) @ seen_vectors


def centred_cosine(tweets, candidates, tweet_mean) -> np.ndarray:
    """Cosines after centring (the correction ``benchmarks/hubness.py`` kept), tweets x candidates.

    Tweet vectors are centred on ``tweet_mean`` (fixed beforehand, e.g. the training tweets'
    mean vector, so a tweet's scores do not depend on the other tweets of its batch) and
    candidate vectors on the candidate list's own mean; both renormalised. A hashtag close to
    every tweet (a hub) loses the shared direction that put it there. With a single candidate
    there is no list to centre on: it is only normalised.
    """
    candidates = np.asarray(candidates, dtype="float32")
    centred = centre(candidates) if len(candidates) > 1 else unit_rows(candidates)
    return centre(tweets, mean=tweet_mean) @ centred.T
