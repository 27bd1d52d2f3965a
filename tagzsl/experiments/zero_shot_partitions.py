"""The random seen/unseen partitions of notebook 03's protocol (:mod:`tagzsl.experiments.zero_shot`).

:func:`make_partitions` draws them (seed ``seed + 1000 * n_seen + i`` for partition ``i``);
:func:`scaled_splits` fits the paper's splits of 50 hashtags to a label set of another size (one's
own posts); :func:`check_no_leak` asserts that no seen-only training set holds an unseen-hashtag tweet or
a test tweet. :mod:`tagzsl.experiments.zero_shot` re-exports both and :class:`Partition`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tagzsl import config

#: Random partitions per split in full mode (the paper does not say; we take 5).
N_PARTITIONS = 5
#: The paper's label set: its splits (40/10, 30/20, 25/25) divide 50 hashtags.
PAPER_LABELS = 50
#: The fewest seen and unseen hashtags a scaled split keeps (ConSE and ESZSL need two seen ones).
MIN_SEEN, MIN_UNSEEN = 2, 1


def scaled_splits(splits, n_labels: int) -> tuple:
    """``splits`` ((n_seen, n_unseen) pairs) for a label set of ``n_labels`` hashtags.

    A split whose counts add up to ``n_labels`` is kept as it is (the built-in corpus's 50:
    exactly ``splits``); any other keeps its seen fraction, rounded half up, with at least
    :data:`MIN_SEEN` seen and :data:`MIN_UNSEEN` unseen hashtags (12 labels: 10/2, 7/5, 6/6).
    Splits that come out equal are kept once (their partitions would be the same). Fewer than
    ``MIN_SEEN + MIN_UNSEEN`` labels is a ``ValueError`` (one line).
    """
    n_labels = int(n_labels)
    if n_labels < MIN_SEEN + MIN_UNSEEN:
        raise ValueError(f"zero-shot needs at least {MIN_SEEN + MIN_UNSEEN} label hashtags ({MIN_SEEN} seen, "
                         f"{MIN_UNSEEN} unseen); this corpus has {n_labels}: add posts with more hashtags")
    out = []
    for n_seen, n_unseen in splits:
        if n_seen + n_unseen != n_labels:
            n_seen = int(np.floor(n_labels * n_seen / (n_seen + n_unseen) + 0.5))
            n_seen = min(max(n_seen, MIN_SEEN), n_labels - MIN_UNSEEN)
        if (n_seen, n_labels - n_seen) not in out:
            out.append((n_seen, n_labels - n_seen))
    return tuple(out)


@dataclass
class Partition:
    """One random seen/unseen partition of the hashtags and its tweet index sets (row positions).

    ``train``: seen-hashtag tweets the models learn from; ``seen_test``: a stratified slice of
    the seen-hashtag tweets no model trains on (generalised setting); ``unseen_test``: every
    tweet of an unseen hashtag (zero-shot test); ``few_shot``: 5-10 tweets per unseen hashtag
    added to training in the few-shot setting, removed from its test set (``few_shot_test``).
    """

    n_seen: int
    n_unseen: int
    index: int
    seed: int
    seen: list
    unseen: list
    train: np.ndarray
    seen_test: np.ndarray
    unseen_test: np.ndarray
    few_shot: np.ndarray
    few_shot_test: np.ndarray = field(init=False)

    def __post_init__(self):
        self.few_shot_test = np.setdiff1d(self.unseen_test, self.few_shot)

    @property
    def split(self) -> str:
        return f"{self.n_seen}/{self.n_unseen}"


def make_partitions(hashtags, n_seen: int, n_partitions: int = N_PARTITIONS,
                    seed: int = config.DEFAULT_SEED, seen_test_fraction: float = 0.2,
                    few_shot=(5, 10)) -> list[Partition]:
    """``n_partitions`` random seen/unseen partitions of the tweets' ``hashtags`` (one per tweet).

    Partition ``i`` uses the seed ``seed + 1000 * n_seen + i`` (stated, reproducible). The
    hashtag set is split into ``n_seen`` seen and the rest unseen; the seen tweets are split
    stratified into train and a ``seen_test_fraction`` test slice; ``few_shot`` = (low, high)
    tweets per unseen hashtag are drawn uniformly for the few-shot setting.
    """
    hashtags = np.asarray(hashtags)
    classes = sorted(set(hashtags.tolist()))
    if not 0 < n_seen < len(classes):
        raise ValueError(f"n_seen must be between 1 and {len(classes) - 1}; got {n_seen}")
    out = []
    for i in range(n_partitions):
        pseed = seed + 1000 * n_seen + i
        rng = np.random.default_rng(pseed)
        order = rng.permutation(len(classes))
        seen = sorted(classes[j] for j in order[:n_seen])
        unseen = sorted(classes[j] for j in order[n_seen:])
        train, seen_test, few = [], [], []
        for tag in seen:
            rows = rng.permutation(np.flatnonzero(hashtags == tag))
            n_test = max(1, int(round(seen_test_fraction * len(rows))))
            seen_test.extend(rows[:n_test])
            train.extend(rows[n_test:])
        for tag in unseen:
            rows = rng.permutation(np.flatnonzero(hashtags == tag))
            n_few = int(rng.integers(few_shot[0], few_shot[1] + 1))
            few.extend(rows[:min(n_few, len(rows) - 1)])
        unseen_test = np.flatnonzero(np.isin(hashtags, unseen))
        out.append(Partition(n_seen, len(classes) - n_seen, i, pseed, seen, unseen,
                             np.sort(np.asarray(train, int)), np.sort(np.asarray(seen_test, int)),
                             unseen_test, np.sort(np.asarray(few, int))))
    return out


def check_no_leak(partition: Partition, hashtags) -> None:
    """Raise if a seen-only training set holds an unseen-hashtag tweet or a test tweet."""
    hashtags = np.asarray(hashtags)
    leaked = set(hashtags[partition.train].tolist()) & set(partition.unseen)
    if leaked:
        raise AssertionError(f"unseen hashtags in the seen-only training set: {sorted(leaked)}")
    if np.intersect1d(partition.train, partition.seen_test).size:
        raise AssertionError("seen test tweets in the training set")
    if np.intersect1d(partition.few_shot, partition.few_shot_test).size:
        raise AssertionError("few-shot training tweets in the few-shot test set")
