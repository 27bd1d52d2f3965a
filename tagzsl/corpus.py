"""The prepared TweetEval corpus every notebook starts from, cached on disk.

``prepare()`` loads TweetEval (local copy or download), cleans it, builds the top-50 label
set and trains the word2vec vectors, caching each artefact under
``<cache>/artefacts/`` so later notebooks reuse them. Change the cleaning code and bump
``VERSION`` to invalidate the cache.
"""
from __future__ import annotations

import hashlib
import logging
import pathlib
import pickle
from dataclasses import dataclass

import pandas as pd

from tagzsl import config, embeddings, preprocess
from tagzsl.data.tweeteval import TweetEval

log = logging.getLogger(__name__)
VERSION = 3


@dataclass
class Prepared:
    """Everything the experiments need: raw tweets, cleaned tweets, step counts, labels, vectors."""

    raw: pd.DataFrame
    clean: pd.DataFrame
    steps: pd.DataFrame
    top: pd.DataFrame
    vectors: object  # gensim KeyedVectors
    skipped_files: list

    @property
    def hashtags(self) -> list[str]:
        """The top-50 hashtags, most frequent first."""
        return list(dict.fromkeys(self.top["hashtag"]))


def _key(*parts) -> str:
    return hashlib.sha256(repr((VERSION,) + parts).encode()).hexdigest()[:16]


def _cached(name: str, key: str, build):
    path = config.cache_dir() / "artefacts" / f"{name}-{key}.pkl"
    if path.is_file():
        with open(path, "rb") as fh:
            return pickle.load(fh)
    value = build()
    config.atomic_write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def prepare(root=None, n_hashtags: int = 50, per_hashtag: int | None = 100, quick: bool = False,
            seed: int = config.DEFAULT_SEED, w2v_epochs: int | None = None, cache: bool = True) -> Prepared:
    """Load, clean, label and embed TweetEval (cached).

    Args:
        root: local corpus root (default ``TAGZSL_DATA``; ``None`` downloads).
        quick: train word2vec for one epoch instead of five (smoke runs; results differ).
        seed: the seed for the label sampling and word2vec.
    """
    loader = TweetEval(root=root)
    source = str(loader.root.resolve()) if loader.root else loader.base_url
    raw = loader.load()
    epochs = w2v_epochs if w2v_epochs is not None else (1 if quick else 5)

    def build_clean():
        result = preprocess.clean_corpus(raw)
        return result.frame, result.steps

    def build_vectors():
        log.info("training word2vec (skip-gram, %d-d, %d epochs)", embeddings.DIM, epochs)
        return embeddings.train_word2vec(preprocess.word2vec_sentences(raw), epochs=epochs, seed=seed)

    if cache:
        clean, steps = _cached("clean", _key(source, len(raw)), build_clean)
        vectors = _cached("word2vec", _key(source, len(raw), epochs, seed), build_vectors)
    else:
        (clean, steps), vectors = build_clean(), build_vectors()
    top = preprocess.select_top_hashtags(clean, n=n_hashtags, per_hashtag=per_hashtag, seed=seed)
    return Prepared(raw=raw, clean=clean, steps=steps, top=top, vectors=vectors,
                    skipped_files=list(loader.skipped))


def statistics(prepared: Prepared) -> pd.DataFrame:
    """Dataset statistics of a prepared corpus (one row per quantity)."""
    from tagzsl import embeddings as emb

    clean, top, kv = prepared.clean, prepared.top, prepared.vectors
    per_tag = top["hashtag"].value_counts()
    rows = [
        ("TweetEval tweets read", len(prepared.raw)),
        ("distinct TweetEval tweets", prepared.raw["text"].str.strip().nunique()),
        ("cleaned tweets with >= 1 hashtag", len(clean)),
        ("distinct hashtags in cleaned tweets", clean["hashtags"].explode().nunique()),
        ("mean words per cleaned tweet", round(clean["tokens"].map(len).mean(), 2)),
        ("top-50 data set: tweets", len(top)),
        ("top-50 data set: tweets per hashtag (min)", int(per_tag.min())),
        ("top-50 data set: tweets per hashtag (max)", int(per_tag.max())),
        ("top-50 data set: word vocabulary", top["tokens"].explode().nunique()),
        ("word2vec vocabulary (min_count 2)", len(kv.key_to_index)),
        ("word2vec dimension", kv.vector_size),
        ("top-50 tokens without a vector (OOV rate, %)", round(100 * emb.oov_rate(kv, top["tokens"]), 2)),
        ("top-50 hashtags without a vector", len(emb.hashtag_vectors(kv, prepared.hashtags)[1])),
        ("files missing from the corpus copy", len(prepared.skipped_files)),
    ]
    quantities, values = zip(*rows)
    values = [int(v) if hasattr(v, "item") and float(v).is_integer() else v for v in values]
    return pd.DataFrame({"value": pd.Series(values, index=quantities, dtype=object)}).rename_axis("quantity")
