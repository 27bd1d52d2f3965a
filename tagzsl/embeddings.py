"""Skip-gram word2vec (gensim), 150-d, and the bridge to Keras vocabularies; subword (fastText) vectors.

Training is single-threaded with a fixed seed and a fixed string hash, so the same corpus
gives the same vectors on every machine (gensim is only deterministic that way).
"""
from __future__ import annotations

import os
import pathlib
import zlib

import numpy as np

DIM = 150


def stable_hash(text: str) -> int:
    """A hash that does not change between Python processes (gensim seeds vectors with it)."""
    return zlib.crc32(text.encode("utf-8"))


def train_word2vec(sentences, dim: int = DIM, window: int = 5, min_count: int = 2,
                   epochs: int = 5, negative: int = 5, seed: int = 2019, workers: int = 1):
    """Train skip-gram (``sg=1``) word2vec on tokenised ``sentences``; returns ``KeyedVectors``."""
    from gensim.models import Word2Vec

    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError("word2vec needs at least one non-empty sentence")
    model = Word2Vec(sentences=sentences, vector_size=dim, window=window, min_count=min_count,
                     sg=1, negative=negative, epochs=epochs, seed=seed, workers=workers,
                     hashfxn=stable_hash)
    return model.wv


def train_fasttext(sentences, dim: int = DIM, window: int = 5, min_count: int = 2,
                   epochs: int = 5, negative: int = 5, seed: int = 2019, workers: int = 1,
                   min_n: int = 3, max_n: int = 6, bucket: int = 200_000):
    """Skip-gram fastText (gensim ``FastText``, ``sg=1``) trained as :func:`train_word2vec` is
    (same dimension, window, min count, epochs, negatives, seed, stable hash, one worker),
    plus character n-grams of ``min_n``..``max_n`` hashed into ``bucket`` rows (fastText's
    2M default would take 1.2 GB at 150-d; 200k takes 120 MB). Every string, even one never
    seen, gets a vector from its n-grams. Returns ``FastTextKeyedVectors``.
    """
    from gensim.models import FastText

    sentences = [s for s in sentences if s]
    if not sentences:
        raise ValueError("fastText needs at least one non-empty sentence")
    model = FastText(sentences=sentences, vector_size=dim, window=window, min_count=min_count,
                     sg=1, negative=negative, epochs=epochs, seed=seed, workers=workers,
                     hashfxn=stable_hash, min_n=min_n, max_n=max_n, bucket=bucket)
    return model.wv


def save_vectors(kv, path) -> pathlib.Path:
    """Save ``KeyedVectors`` to ``path`` atomically (temporary file, then rename)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        kv.save(str(tmp), sep_limit=2 ** 62)   # one file: gensim would put big arrays beside tmp's name
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def load_vectors(path):
    """Load ``KeyedVectors`` saved by :func:`save_vectors`."""
    from gensim.models import KeyedVectors

    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no word vectors at {path}")
    return KeyedVectors.load(str(path))


def embedding_matrix(kv, vocabulary) -> tuple[np.ndarray, float]:
    """Rows of ``kv`` for a Keras ``TextVectorization`` vocabulary, and its OOV rate.

    Index 0 (padding, ``""``) and ``[UNK]`` get zero rows; a word without a vector gets a
    zero row too (it stays trainable if the Embedding layer is). Returns the float32 matrix
    of shape ``(len(vocabulary), kv.vector_size)`` and the fraction of real words with no vector.
    """
    vocabulary = list(vocabulary)
    matrix = np.zeros((len(vocabulary), kv.vector_size), dtype="float32")
    real = missing = 0
    for i, word in enumerate(vocabulary):
        if word in ("", "[UNK]"):
            continue
        real += 1
        if word in kv.key_to_index:
            matrix[i] = kv[word]
        else:
            missing += 1
    return matrix, (missing / real if real else 0.0)


def oov_rate(kv, token_lists) -> float:
    """Fraction of tokens (counted with repetition) in ``token_lists`` that have no vector."""
    total = missing = 0
    for tokens in token_lists:
        for t in tokens:
            total += 1
            missing += t not in kv.key_to_index
    return missing / total if total else 0.0


def hashtag_vectors(kv, hashtags) -> tuple[np.ndarray, list[str]]:
    """Vectors of ``hashtags`` (trained as words) and the list of hashtags that have none."""
    missing = [h for h in hashtags if h not in kv.key_to_index]
    vecs = np.stack([kv[h] if h in kv.key_to_index else np.zeros(kv.vector_size, "float32")
                     for h in hashtags]) if len(hashtags) else np.zeros((0, kv.vector_size), "float32")
    return vecs.astype("float32"), missing


def unit_rows(x, dtype="float32") -> np.ndarray:
    """Rows of ``x`` scaled to unit L2 norm (all-zero rows stay zero), as ``dtype``."""
    x = np.asarray(x, dtype=dtype)
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def mean_word_vectors(kv, token_lists) -> np.ndarray:
    """Mean of each post's word vectors (words without a vector skipped; zeros if none).

    Uses gensim's ``KeyedVectors.get_mean_vector`` (plain, not pre-normalised, mean).
    """
    out = np.zeros((len(token_lists), kv.vector_size), dtype="float32")
    for i, tokens in enumerate(token_lists):
        known = [t for t in tokens if t in kv.key_to_index]
        if known:
            out[i] = kv.get_mean_vector(known, pre_normalize=False)
    return out

