"""The #TagSpace family (Weston et al. 2014): ``tagspace`` and ``wsabie``, trained by
:func:`tagzsl.tagspace.train` (WARP) on explicit split frames (no experiment corpus container);
several hashtags per tweet; ``candidates=`` picks among the trained hashtags."""
from __future__ import annotations

import collections
import dataclasses

import numpy as np
import pandas as pd

from tagzsl import storage
from tagzsl.backends import base, checks


@dataclasses.dataclass(frozen=True)
class Split:
    """What :func:`tagzsl.tagspace.train` reads: fit and validation frames (``tokens``,
    ``hashtags`` columns) and the hashtags to rank."""

    train: pd.DataFrame
    val: pd.DataFrame
    tags: list


def train(method: str, fit: pd.DataFrame, val: pd.DataFrame, tags: list, seed: int, hparams: dict):
    """:func:`tagzsl.tagspace.train` on ``fit``/``val`` with ``hparams`` as its
    :class:`tagzsl.tagspace.TrainingSettings`; returns its ``Trained``."""
    from tagzsl import tagspace

    return tagspace.train(method, Split(fit, val, list(tags)), tagspace.TrainingSettings(**hparams), seed=seed)


class TagSpace(base.Backend):
    by_vector = False

    def fit(self, cleaned, tag_lists, kv) -> None:
        from sklearn.model_selection import train_test_split

        hp = dict(self.hparams)
        min_count = hp.pop("min_count", 1)
        counts = collections.Counter(t for tags in tag_lists for t in tags)
        self.hashtags_ = sorted(t for t, n in counts.items() if n >= min_count)
        keep = set(self.hashtags_)
        frame = pd.DataFrame({"tokens": [t.split() for t in cleaned],
                              "hashtags": [[t for t in tags if t in keep] for tags in tag_lists]})
        frame = frame[frame["hashtags"].map(len) > 0].reset_index(drop=True)
        if len(self.hashtags_) < 2 or len(frame) < 10:
            raise ValueError(f"need at least 10 tweets and 2 hashtags seen >= {min_count} times; "
                             f"got {len(frame)} tweets, {len(self.hashtags_)} hashtags")
        fit, val = train_test_split(frame, test_size=0.1, random_state=self.seed)
        self._keep(train(self.method, fit, val, self.hashtags_, self.seed, hp))

    def _keep(self, trained) -> None:
        self.model_, self.encoder_, self.history_ = trained.model, trained.encoder, {"epochs": trained.history}

    def fit_encoded(self, encoded, labels, verbose: int = 0) -> None:
        """Train on a person's encoded posts (:mod:`tagzsl.own_tagspace`: streamed from disk, never
        held as strings); ``labels``: every hashtag with at least ``--min-count`` posts."""
        from tagzsl import own_tagspace

        hp = dict(self.hparams)
        hp.pop("min_count", None)   # the rule that chose ``labels`` (kept in the saved hyper-parameters)
        if len(labels.names) < 2 or len(labels.rows) < 10:
            raise ValueError(f"need at least 10 tweets and 2 hashtags; got {len(labels.rows)} tweets, "
                             f"{len(labels.names)} hashtags")
        self.hashtags_ = list(labels.names)
        self._keep(own_tagspace.train(self.method, encoded, labels, self.seed, hp, verbose))

    def scores(self, cleaned, names, vectors, kv) -> np.ndarray:
        from tagzsl import tagspace

        scores = tagspace.predict_scores(self.model_, self.encoder_.words([t.split() for t in cleaned]))
        index = {t: i for i, t in enumerate(self.encoder_.tags_)}
        return scores[:, [index[n] for n in names]]

    @property
    def vocabulary_(self) -> list[str]:
        return self.encoder_.vocabulary_

    def write(self, tmp) -> None:
        storage.write_arrays(tmp / storage.ARRAYS, {f"w{i:03d}": w for i, w in enumerate(self.model_.get_weights())})
        storage.write_json(tmp / storage.VOCABULARY, self.vocabulary_)

    def read(self, directory, vocabulary) -> None:
        self.model_, self.encoder_ = checks.read_tagspace(directory, self.method, self.hashtags_, vocabulary,
                                                          self.hparams)
