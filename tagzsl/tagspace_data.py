"""#TagSpace's input side: posts to padded word-id batches and hashtags to ids, for :mod:`tagzsl.tagspace`.

* :class:`Encoder`: words to padded ids (:func:`tagzsl.models.text_vectorizer`), hashtags to ids,
  and seeded ``tf.data`` batches;
* :func:`trim_batch`: each batch cut to its longest post, so no work is spent on padding.
"""
from __future__ import annotations

import collections

import numpy as np
import tensorflow as tf

from tagzsl import config, models

SEQ_LEN = 30
MAX_TAGS = 8  # hashtags a post carries, at most (longer lists are cut in the model input only)


# --------------------------------------------------------------------------- encoding
class Encoder:
    """Words to padded id sequences (a Keras ``TextVectorization`` vocabulary) and tags to ids.

    Index 0 is padding and 1 is ``[UNK]``, as ``TextVectorization`` does.
    """

    def __init__(self, seq_len: int = SEQ_LEN, max_tags: int = MAX_TAGS, min_word_count: int = 1):
        self.seq_len = seq_len
        self.max_tags = max_tags
        self.min_word_count = min_word_count

    def fit(self, token_lists, tags):
        counts = collections.Counter(t for tokens in token_lists for t in tokens)
        vocab = sorted((w for w, n in counts.items() if n >= self.min_word_count), key=lambda w: (-counts[w], w))
        self.vectorizer_ = models.text_vectorizer(vocabulary=vocab, sequence_length=self.seq_len)
        self.vocabulary_ = self.vectorizer_.get_vocabulary()
        self.tags_ = list(tags)
        self.tag_index_ = {t: i for i, t in enumerate(self.tags_)}
        return self

    def words(self, token_lists) -> np.ndarray:
        if len(token_lists) == 0:
            return np.zeros((0, self.seq_len), "int32")
        return models.vectorize(self.vectorizer_, [" ".join(t) for t in token_lists])

    def tag_ids(self, tag_lists) -> list[list[int]]:
        """Hashtag ids of each post (hashtags the encoder does not know are left out)."""
        return [[self.tag_index_[t] for t in tags if t in self.tag_index_] for tags in tag_lists]

    def positives(self, tag_lists) -> np.ndarray:
        """``(n, max_tags)`` int array of hashtag ids, ``-1`` padded."""
        out = np.full((len(tag_lists), self.max_tags), -1, dtype="int32")
        for i, ids in enumerate(self.tag_ids(tag_lists)):
            ids = ids[: self.max_tags]
            out[i, : len(ids)] = ids
        return out

    def dataset(self, frame, batch_size: int, shuffle: bool = False, seed: int = config.DEFAULT_SEED,
                trim: bool = True):
        """Batches of ``(word ids, positives)``; ``trim``: each batch cut to its longest post."""
        x, y = self.words(frame["tokens"]), self.positives(frame["hashtags"])
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        ds = ds.batch(batch_size)
        if trim:
            ds = ds.map(trim_batch, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        return ds.prefetch(tf.data.AUTOTUNE)


def trim_batch(word_ids, positives=None):
    """Cut a batch of end-padded word ids to its longest post (at least one position).

    The models are length-invariant (padded positions are zero vectors, masked out of the
    max/mean over time, and a ``'same'`` convolution pads with zeros too), so the scores do not
    change; the convolution no longer runs over the padding (72% of it at 30 positions).
    """
    positions = tf.range(1, tf.shape(word_ids)[1] + 1)
    last = tf.reduce_max(tf.where(tf.not_equal(word_ids, 0), positions[None, :], 0))
    trimmed = word_ids[:, :tf.maximum(last, 1)]
    return trimmed if positives is None else (trimmed, positives)
