"""Training input from a person's encoded posts (:mod:`tagzsl.own_data`): labels and ``tf.data``.

* :func:`select_labels`: the paper's label rule (:func:`tagzsl.preprocess.select_label_set`, with
  its printed fallback) for supervised and zero-shot methods, or every hashtag with at least
  ``min_count`` posts for #TagSpace and WSABIE;
* :func:`texts`: the cleaned texts of chosen posts (what ``Recommender.fit`` takes);
* :func:`dataset`: ``(word ids, hashtag ids)`` batches read from the memory-mapped corpus.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tagzsl import config, preprocess
from tagzsl.own_data import _ARRAYS, CHUNK, DataError, Encoded, flat_index


@dataclass
class Labels:
    """The training posts and their hashtags: ``rows`` (encoded row numbers), ``hashtags`` (one
    string per row for the paper's rule, a list per row for #TagSpace/WSABIE), the label
    ``names``, which ``rule`` made them and a one-line ``note``. For #TagSpace/WSABIE ``hashtags``
    is a sequence read from disk on access."""

    rows: np.ndarray
    hashtags: list
    names: list
    rule: str
    note: str
    qualifying: int = 0


class _TagLists(Sequence):
    """Each row's kept hashtags, read from the memory-mapped corpus when asked (never all held)."""

    def __init__(self, encoded: Encoded, rows: np.ndarray, keep: np.ndarray):
        self.names, self.rows, self.keep = encoded.hashtags, rows, keep
        self.tags, self.offsets = encoded.array("tags"), encoded.array("tag_offsets")

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i):
        r = self.rows[i]
        return [self.names[t] for t in self.tags[self.offsets[r]:self.offsets[r + 1]] if self.keep[t]]


def select_labels(encoded: Encoded, multi_label: bool, n_labels: int = 50, min_count: int = 10,
                  min_tweets: int = 200, per_hashtag: int = 200, seed: int = config.DEFAULT_SEED) -> Labels:
    """Labels for training (:class:`DataError` when the data cannot give them).

    ``multi_label`` (#TagSpace, WSABIE): every hashtag carried by ``>= min_count`` kept posts;
    every kept post carrying one of them, with its list. Otherwise the paper's rule
    (:func:`tagzsl.preprocess.select_label_set`: ``n_labels`` hashtags with ``>= min_tweets``
    posts, ``per_hashtag`` each, else its explicit fallback), on the posts carrying one of the
    ``max(10 n, 1000)`` most used hashtags (the rule only ever takes hashtags from the top).
    """
    counts = encoded.tag_counts()
    usable = int((counts >= (min_count if multi_label else 1)).sum())
    if usable < 2:
        what = f"with >= {min_count} posts (--min-count)" if multi_label else "in the kept posts"
        raise DataError(f"only {usable} hashtag(s) {what}; a recommender needs at least 2: add posts"
                        + (" or lower --min-count" if multi_label else ""))
    names = encoded.hashtags
    kept = encoded.kept
    if multi_label:
        keep = counts >= min_count
        tags, offsets, rows = encoded.array("tags"), encoded.array("tag_offsets"), []
        for start in range(0, len(kept), 1_000_000):   # rows carrying a kept hashtag, vectorised by block
            block = np.asarray(kept[start:start + 1_000_000])
            index, lengths = flat_index(offsets, block)
            rows.append(block[np.add.reduceat(keep[tags[index]].astype(np.int64), np.cumsum(lengths) - lengths) > 0])
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        chosen = sorted(names[i] for i in np.flatnonzero(keep))
        note = f"every hashtag with >= {min_count} posts: {len(chosen):,} hashtags, {len(rows):,} posts"
        return Labels(rows, _TagLists(encoded, rows, keep), chosen, "min-count", note, len(chosen))
    if n_labels > usable:
        raise DataError(f"--labels {n_labels} is more than the {usable} distinct hashtags in the kept posts; "
                        f"pass --labels {usable} or fewer")
    import pandas as pd

    top = set(np.argsort(-counts, kind="stable")[:max(10 * n_labels, 1000)].tolist())
    rows, lists = [], []
    for start in range(0, len(kept), CHUNK):
        block = kept[start:start + CHUNK]
        for r, ids in zip(block, encoded.rows(block)[1]):
            tags = [names[i] for i in ids if i in top]
            if tags:
                rows.append(int(r))
                lists.append(tags)
    frame = pd.DataFrame({"id": rows, "hashtags": lists})
    try:
        chosen = preprocess.select_label_set(frame, n=n_labels, min_tweets=min_tweets, per_hashtag=per_hashtag,
                                             seed=seed)
    except ValueError as err:
        raise DataError(f"{err}; pass a smaller --labels") from None
    out = chosen.frame
    return Labels(out["id"].to_numpy(np.int64), list(out["hashtag"]), list(dict.fromkeys(out["hashtag"])),
                  chosen.rule, chosen.note, chosen.qualifying)


def texts(encoded: Encoded, rows) -> list[str]:
    """The cleaned, space-joined words of ``rows`` (what ``Recommender.fit`` takes as texts)."""
    words = encoded.words
    out = []
    for start in range(0, len(rows), CHUNK):
        out += [" ".join(words[i] for i in ids) for ids in encoded.rows(rows[start:start + CHUNK])[0]]
    return out


# --------------------------------------------------------------------------- tf.data
def dataset(encoded: Encoded, labels: Labels, batch_size: int = 128, seq_len: int = 30, max_tags: int = 8,
            shuffle: bool = True, seed: int = config.DEFAULT_SEED, rows=None, word_map=None, trim: bool = False):
    """``tf.data`` of ``(word ids, hashtag ids)`` batches read from the memory-mapped corpus.

    Word ids are the encoded ids shifted by 2 (0 padding, 1 ``[UNK]``, as ``TextVectorization``),
    or ``word_map[id]`` when given (an encoder's own vocabulary order), truncated or padded to
    ``seq_len``; hashtag ids index ``labels.names`` (``-1`` padded to ``max_tags``), the input
    :class:`tagzsl.tagspace.WarpModel` trains on. ``rows``: the encoded rows to read (default
    ``labels.rows``); ``trim``: each batch cut to its longest post. Only a batch is in memory at a time.
    """
    import tensorflow as tf

    index = {name: i for i, name in enumerate(labels.names)}
    tag_ids = np.full(len(encoded.hashtags), -1, np.int32)
    for i, name in enumerate(encoded.hashtags):
        tag_ids[i] = index.get(name, -1)
    rows = np.asarray(labels.rows if rows is None else rows, np.int64)
    word_map = np.arange(len(encoded.words), dtype=np.int32) + 2 if word_map is None else word_map
    tok, toff, tag, tagoff = (encoded.array(n) for n in _ARRAYS[:4])

    def gather(positions):
        x = np.zeros((len(positions), seq_len), np.int32)
        y = np.full((len(positions), max_tags), -1, np.int32)
        for j, r in enumerate(rows[positions]):
            words = tok[toff[r]:toff[r + 1]][:seq_len]
            x[j, :len(words)] = word_map[words]
            ids = tag_ids[tag[tagoff[r]:tagoff[r + 1]]]
            ids = ids[ids >= 0][:max_tags]
            y[j, :len(ids)] = ids
        return x, y

    def batch(positions):
        x, y = tf.numpy_function(gather, [positions], (tf.int32, tf.int32))
        return tf.ensure_shape(x, (None, seq_len)), tf.ensure_shape(y, (None, max_tags))

    order = np.random.default_rng(seed)   # one stream of epochs: a rerun with the same seed repeats it

    def positions():
        """Each epoch's batches of row positions: a fresh seeded permutation (8 bytes a post, not
        a ``Dataset.shuffle`` buffer of one tensor per post, which grows past a GiB at 10M posts)."""
        perm = order.permutation(len(rows)) if shuffle else np.arange(len(rows))
        for start in range(0, len(rows), batch_size):
            yield perm[start:start + batch_size]

    ds = tf.data.Dataset.from_generator(positions, output_signature=tf.TensorSpec((None,), tf.int64))
    ds = ds.apply(tf.data.experimental.assert_cardinality(-(-len(rows) // batch_size))).map(batch)  # epoch bars
    if trim:
        from tagzsl.tagspace_data import trim_batch

        ds = ds.map(trim_batch)
    return ds.prefetch(2)
