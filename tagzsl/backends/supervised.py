"""The supervised family (Kumar et al. 2019, section 5): ``ann``, ``cnn``, ``gru``,
``gru_attention``, ``transformer``, a :class:`tagzsl.supervised.Classifier` with one hashtag
per tweet. Without candidates it ranks its trained hashtags by its own probabilities (untouched);
with ``candidates=`` its probabilities rank any hashtags by ConSE, hubness-corrected
(:meth:`tagzsl.backends.base.Backend.scores`)."""
from __future__ import annotations

import numpy as np

from tagzsl import ranking, storage
from tagzsl.backends import base, checks


class Supervised(base.Backend):
    def fit(self, cleaned, tag_lists, kv) -> None:
        from tagzsl import supervised

        self.classifier_ = supervised.Classifier(self.method, seed=self.seed, vectors=kv, **self.hparams)
        self.classifier_.fit(cleaned, base.first_labels(tag_lists))
        self.hashtags_, self.history_ = list(self.classifier_.classes_), self.classifier_.history_
        self.keep_reference(cleaned)  # candidates= ranks by ConSE, corrected against these

    def outputs(self, cleaned) -> np.ndarray:
        return self.classifier_.predict_proba(cleaned, ranking.PREDICT_BATCH)

    @property
    def output_width(self) -> int:
        return len(self.hashtags_)

    @property
    def vocabulary_(self) -> list[str]:
        return self.classifier_.vectorizer_.get_vocabulary()

    def write(self, tmp) -> None:
        storage.write_keras(tmp / storage.MODEL, self.classifier_.model_)
        storage.write_json(tmp / storage.VOCABULARY, self.vocabulary_)

    def read(self, directory, vocabulary) -> None:
        from tagzsl import models, supervised

        clf = supervised.Classifier(self.method, seed=self.seed, **self.hparams)  # vectors: training only
        clf.vectorizer_ = models.text_vectorizer(vocabulary=vocabulary, sequence_length=clf.sequence_length)
        clf.model_ = storage.read_keras(directory / storage.MODEL)
        clf.classes_, clf.history_ = list(self.hashtags_), self.history_
        checks.check_fits(directory, clf.model_, vocabulary, outputs=len(self.hashtags_))
        self.classifier_ = clf
