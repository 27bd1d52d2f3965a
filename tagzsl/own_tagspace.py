"""#TagSpace and WSABIE trained on a person's encoded posts, streamed from disk by ``tf.data``.

``tagzsl train --data FILES --method tagspace|wsabie`` never turns the posts into Python strings:
the encoder's vocabulary comes from the corpus's word counts, each batch is read from the
memory-mapped arrays (:func:`tagzsl.own_training.dataset`), and only a capped, seeded validation
sample (``MAX_VAL`` posts) is held as token lists, for the per-epoch ranking that picks the best
epoch. The same :func:`tagzsl.tagspace.train` as the notebooks does the training.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tagzsl import config, own_training
from tagzsl.own_data import Encoded
from tagzsl.tagspace_data import Encoder

VAL_SHARE = 0.1      # as the list path's train_test_split(test_size=0.1)
MAX_VAL = 20_000     # validation posts ranked after each epoch, at most


def split_rows(n_rows: int, seed: int, share: float = VAL_SHARE, cap: int = MAX_VAL) -> tuple[np.ndarray, np.ndarray]:
    """``(fit, val)`` positions of ``n_rows`` label rows: a seeded ``share`` (at most ``cap``, at
    least 1) held out for validation, the rest in their original order."""
    n_val = min(max(int(round(share * n_rows)), 1), cap)
    val = np.sort(np.random.default_rng(seed).choice(n_rows, size=n_val, replace=False))
    fit = np.ones(n_rows, bool)
    fit[val] = False
    return np.flatnonzero(fit), val


class StreamEncoder(Encoder):
    """An :class:`~tagzsl.tagspace_data.Encoder` whose vocabulary is the corpus's words by count
    (as :meth:`Encoder.fit` orders them) and whose training batches come from disk."""

    def fit_encoded(self, encoded: Encoded, labels: own_training.Labels):
        from tagzsl import models

        counts = encoded.word_counts()
        order = sorted((i for i in range(len(counts)) if counts[i] >= self.min_word_count),
                       key=lambda i: (-counts[i], encoded.words[i]))
        self.vectorizer_ = models.text_vectorizer(vocabulary=[encoded.words[i] for i in order],
                                                  sequence_length=self.seq_len)
        self.vocabulary_ = self.vectorizer_.get_vocabulary()
        self.word_map_ = np.ones(len(counts), np.int32)       # [UNK] for words under min_word_count
        self.word_map_[np.asarray(order, np.int64)] = np.arange(2, len(order) + 2, dtype=np.int32)
        self.tags_ = list(labels.names)
        self.tag_index_ = {t: i for i, t in enumerate(self.tags_)}
        self.encoded_, self.labels_ = encoded, labels
        return self

    def dataset(self, rows, batch_size: int, shuffle: bool = False, seed: int = config.DEFAULT_SEED,
                trim: bool = True):
        """Batches of ``(word ids, positives)`` of the encoded ``rows``, read from disk."""
        return own_training.dataset(self.encoded_, self.labels_, batch_size=batch_size, seq_len=self.seq_len,
                                    max_tags=self.max_tags, shuffle=shuffle, seed=seed, rows=rows,
                                    word_map=self.word_map_, trim=trim)


@dataclass
class StreamedCorpus:
    """What :func:`tagzsl.tagspace.train` reads: ``train`` (encoded row numbers, streamed),
    ``val`` (a frame of the validation sample) and ``tags``."""

    train: np.ndarray
    val: pd.DataFrame
    tags: list


def corpus(encoded: Encoded, labels: own_training.Labels, seed: int = config.DEFAULT_SEED) -> StreamedCorpus:
    """The seeded fit/validation split of ``labels``'s rows (:func:`split_rows`)."""
    rows = np.asarray(labels.rows, np.int64)
    fit, val = split_rows(len(rows), seed)
    words = encoded.words
    token_ids = encoded.rows(rows[val])[0]
    frame = pd.DataFrame({"tokens": [[words[i] for i in ids] for ids in token_ids],
                          "hashtags": [labels.hashtags[i] for i in val]})
    return StreamedCorpus(rows[fit], frame, list(labels.names))


def train(method: str, encoded: Encoded, labels: own_training.Labels, seed: int, hparams: dict, verbose: int = 0):
    """:func:`tagzsl.tagspace.train` on ``encoded``'s posts with ``labels`` (every hashtag kept by
    ``--min-count``); ``hparams``: its :class:`~tagzsl.tagspace.TrainingSettings`. Returns ``Trained``."""
    from tagzsl import tagspace

    data = corpus(encoded, labels, seed)
    encoder = StreamEncoder().fit_encoded(encoded, labels)
    return tagspace.train(method, data, tagspace.TrainingSettings(**hparams), encoder=encoder, seed=seed,
                          verbose=verbose)
