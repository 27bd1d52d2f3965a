"""Out-of-domain zero-shot: leave one source out (issue 23).

Notebook 03's protocol (:mod:`tagzsl.experiments.zero_shot`) tests unseen hashtags on tweets
from the same seven sources the models learnt from. Here the test tweets come from a source
no model saw: for each held-out source S with at least ``min_hashtags`` hashtags of at least
``min_tweets`` tweets in S, up to ``n_unseen`` of those hashtags are drawn as *unseen*
(seed ``seed + crc32(S) % 10000``); every other label hashtag is *seen*.

* ``train``: tweets of the OTHER sources with a seen hashtag (never a tweet of S, never an
  unseen hashtag; :func:`check_ood_no_leak`), leaving out a seen hashtag with fewer than
  ``min_train`` such tweets (a class of one tweet cannot be split for early stopping);
* ``unseen_test``: S's tweets of the unseen hashtags (the zero-shot test: rank the unseen
  hashtags); ``seen_test``: S's tweets of seen hashtags (the generalised setting);
  ``few_shot``: 5-10 of S's tweets per unseen hashtag, as in-domain.

:class:`OODPartition` is a :class:`tagzsl.experiments.zero_shot_partitions.Partition`, so
:func:`tagzsl.experiments.zero_shot.run_partition` runs notebook 03's methods (GRU, ConSE,
ESZSL, DEM) on it unchanged. :mod:`.zero_shot_ood_methods` runs the lesson-sized rankers with
their hubness corrections (chosen on a validation split of the seen hashtags) and the vector
choices for new hashtags. The word vectors are the corpus's (trained on every source's text,
no label used), as in-domain.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from tagzsl import config
from tagzsl.experiments.zero_shot_partitions import Partition, check_no_leak

MIN_TWEETS = 10      # a hashtag counts for a source from this many of its tweets there
MIN_HASHTAGS = 5     # a source is held out only with this many such hashtags
N_UNSEEN = 10        # at most this many unseen hashtags per held-out source (as the 40/10 split)
MIN_TRAIN = 5        # a seen hashtag with fewer training tweets outside the source is not trained on


@dataclass
class OODPartition(Partition):
    """A :class:`Partition` whose test tweets all come from the held-out ``source``."""

    source: str = ""

    @property
    def split(self) -> str:
        return f"without {self.source}"


def eligible_hashtags(hashtags, sources, source: str, min_tweets: int = MIN_TWEETS) -> list[str]:
    """The hashtags with at least ``min_tweets`` tweets in ``source``, sorted."""
    tags, counts = np.unique(np.asarray(hashtags)[np.asarray(sources) == source], return_counts=True)
    return sorted(tags[counts >= min_tweets].tolist())


def source_seed(source: str, seed: int = config.DEFAULT_SEED) -> int:
    """The partition seed of a held-out source: ``seed + crc32(source) % 10000`` (stable)."""
    return seed + zlib.crc32(source.encode("utf-8")) % 10000


def make_ood_partitions(hashtags, sources, n_unseen: int = N_UNSEEN, min_tweets: int = MIN_TWEETS,
                        min_hashtags: int = MIN_HASHTAGS, seed: int = config.DEFAULT_SEED,
                        only=None, few_shot=(5, 10), min_train: int = MIN_TRAIN) -> tuple[list[OODPartition], dict]:
    """One leave-one-source-out partition per source with enough hashtags.

    ``hashtags`` and ``sources``: one per tweet. ``only``: names of the sources to hold out
    (default every one that qualifies). Returns ``(partitions, skipped)`` where ``skipped``
    maps each source not held out to the reason, so a caller can report it.
    """
    hashtags, sources = np.asarray(hashtags), np.asarray(sources)
    if hashtags.shape != sources.shape:
        raise ValueError(f"need one source per tweet: {hashtags.shape} hashtags, {sources.shape} sources")
    names = sorted(set(sources.tolist()))
    if only is not None:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise ValueError(f"no tweets from source(s) {unknown}; the corpus has {names}")
        names = [s for s in names if s in set(only)]
    classes = sorted(set(hashtags.tolist()))
    out, skipped = [], {}
    for source in names:
        eligible = eligible_hashtags(hashtags, sources, source, min_tweets)
        if len(eligible) < max(2, min_hashtags):
            skipped[source] = f"{len(eligible)} hashtag(s) with >= {min_tweets} tweets (needs {max(2, min_hashtags)})"
            continue
        pseed = source_seed(source, seed)
        rng = np.random.default_rng(pseed)
        unseen = sorted(rng.choice(eligible, size=min(n_unseen, len(eligible)), replace=False).tolist())
        seen = [t for t in classes if t not in set(unseen)]
        inside = sources == source
        is_unseen = np.isin(hashtags, unseen)
        train = np.flatnonzero(~inside & ~is_unseen)
        kept, counts = np.unique(hashtags[train], return_counts=True)
        train = train[np.isin(hashtags[train], kept[counts >= min_train])]
        if len(train) == 0 or len(seen) < 2:
            skipped[source] = "no training tweets of seen hashtags outside it"
            continue
        unseen_test = np.flatnonzero(inside & is_unseen)
        few = []
        for tag in unseen:
            rows = rng.permutation(np.flatnonzero(inside & (hashtags == tag)))
            few.extend(rows[:min(int(rng.integers(few_shot[0], few_shot[1] + 1)), len(rows) - 1)])
        out.append(OODPartition(len(seen), len(unseen), len(out), pseed, seen, unseen, train,
                                np.flatnonzero(inside & ~is_unseen), unseen_test,
                                np.sort(np.asarray(few, int)), source=source))
    return out, skipped


def check_ood_no_leak(partition: OODPartition, hashtags, sources) -> None:
    """Raise if training holds a tweet of the held-out source, an unseen hashtag or a test tweet."""
    sources = np.asarray(sources)
    if (sources[partition.train] == partition.source).any():
        raise AssertionError(f"tweets of the held-out source {partition.source!r} in the training set")
    check_no_leak(partition, hashtags)
    tests = np.concatenate([partition.unseen_test, partition.seen_test, partition.few_shot])
    if np.intersect1d(partition.train, tests).size:
        raise AssertionError("test tweets in the training set")
    if (sources[tests] != partition.source).any():
        raise AssertionError(f"test tweets from a source other than {partition.source!r}")


def validation_split(partition: Partition, hashtags, val_fraction: float = 0.25):
    """A validation split of the SEEN hashtags inside ``partition.train`` (for choosing corrections).

    Returns ``(inner_seen, val_seen, inner_train_rows, val_rows)``: models refitted on
    ``inner_train_rows`` (tweets of ``inner_seen``) rank ``val_seen`` on ``val_rows``; no
    test tweet and no unseen hashtag is involved. Seen hashtags without training tweets are left out.
    """
    from tagzsl.zsl import class_split

    hashtags = np.asarray(hashtags)
    present = sorted(set(hashtags[partition.train].tolist()))
    inner, val = class_split(present, val_fraction, partition.seed)
    rows = partition.train
    return inner, val, rows[np.isin(hashtags[rows], inner)], rows[np.isin(hashtags[rows], val)]


def interval(hits, n_boot: int = 0, seed: int = config.DEFAULT_SEED) -> tuple[float, float, float]:
    """Mean hit rate (percent) of 0/1 ``hits`` and its 95% interval: Wilson's binomial interval
    (``scipy.stats.binomtest``), or with ``n_boot`` > 0 a percentile bootstrap over tweets."""
    hits = np.asarray(hits, dtype="float64")
    if hits.size == 0:
        return float("nan"), float("nan"), float("nan")
    if n_boot:
        rng = np.random.default_rng(seed)
        means = hits[rng.integers(0, len(hits), (n_boot, len(hits)))].mean(axis=1)
        low, high = np.percentile(means, [2.5, 97.5])
    else:
        from scipy import stats

        ci = stats.binomtest(int(hits.sum()), len(hits)).proportion_ci(0.95, method="wilson")
        low, high = ci.low, ci.high
    return 100 * float(hits.mean()), 100 * float(low), 100 * float(high)
