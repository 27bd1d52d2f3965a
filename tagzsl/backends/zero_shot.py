"""The zero-shot family (Kumar et al. 2019, section 6): ``conse``, ``eszsl``, ``dem`` in the
word space. A GRU is trained on the seen hashtags; any candidate hashtag is ranked by its word
vector (ConSE: the seen-hashtag probabilities' embedding; ESZSL: a bilinear map; DEM: the
nearest hashtag to the tweet's learned word-space vector), the trained hashtags too; every
ranking is hubness-corrected (:meth:`tagzsl.backends.base.Backend.scores`)."""
from __future__ import annotations

import numpy as np

from tagzsl import embeddings, ranking, storage
from tagzsl.backends import base, checks


class ZeroShot(base.Backend):
    trained_by_vector = True

    def settings(self):
        from tagzsl.zsl_training import TrainingSettings

        return TrainingSettings(**self.hparams)

    def fit(self, cleaned, tag_lists, kv) -> None:
        import keras

        from tagzsl import models, zsl, zsl_training

        labels = base.first_labels(tag_lists)
        if kv is None:
            raise ValueError(f"method {self.method!r} needs word vectors (vectors=...)")
        settings = self.settings()
        self.hashtags_ = sorted(set(labels))
        seen, missing = ranking.vectors_for(kv, self.hashtags_)
        if missing:
            raise ValueError(f"training hashtags without a word vector: {', '.join(missing)}")
        # vocabulary: every word with a vector (so words of new topics are not [UNK]) + training words
        words = [w for w in kv.index_to_key if w and w != "[UNK]"]
        words += sorted({w for t in cleaned for w in t.split()} - set(words))
        self.vectorizer_ = models.text_vectorizer(vocabulary=words, sequence_length=settings.sequence_length)
        matrix, _ = embeddings.embedding_matrix(kv, self.vectorizer_.get_vocabulary())
        ids = models.vectorize(self.vectorizer_, cleaned)
        y = np.array([self.hashtags_.index(h) for h in labels])
        gru = zsl_training.train_gru(ids, y, len(self.hashtags_), matrix, settings, seed=self.seed)
        self.history_ = {k: [float(v) for v in vals] for k, vals in gru.history.history.items()}
        if self.method == "conse":
            self.model_, self.arrays_ = gru, {"seen": seen}
        elif self.method == "eszsl":
            self.model_ = models.feature_extractor(gru)
            feats = ranking.run(self.model_, ids)
            params, _ = zsl.select_eszsl(feats, y, seen, grid=settings.eszsl_grid, seed=self.seed)
            self.arrays_ = {"W": zsl.ESZSL(**params).fit(feats, y, seen).W_, "seen": seen}
        else:  # DEM in the word-vector space: f(x) = unit mean word vector + learned correction
            encoder = zsl.word_space_encoder(models.feature_extractor(gru), matrix)
            dem = zsl_training.train_dem(encoder, ids, seen[y], settings, seed=self.seed, labels=y,
                                         hashtag_branch=keras.layers.UnitNormalization(name="unit_hashtag"))
            self.model_, self.arrays_ = dem.tweet_encoder, {"seen": seen}
        self.keep_reference(cleaned)

    def outputs(self, cleaned) -> np.ndarray:
        """ConSE: seen-hashtag probabilities; ESZSL: GRU features; DEM: word-space encodings."""
        from tagzsl import models

        return ranking.run(self.model_, models.vectorize(self.vectorizer_, cleaned))

    @property
    def output_width(self) -> int:
        if self.method == "conse":
            return len(self.hashtags_)
        return self.arrays_["W"].shape[0] if self.method == "eszsl" else self.arrays_["seen"].shape[1]

    def seen_vectors(self, kv) -> np.ndarray:
        return self.arrays_["seen"]  # saved with the model

    def vector_scores(self, outputs, vectors, seen) -> np.ndarray:
        if self.method == "conse":
            return super().vector_scores(outputs, vectors, seen)
        if self.method == "eszsl":
            return (outputs.astype("float64") @ self.arrays_["W"] @ vectors.astype("float64").T).astype("float32")
        g = embeddings.unit_rows(vectors).astype("float64")  # DEM: nearest in the word space
        f = outputs.astype("float64")
        return (-((f ** 2).sum(1, keepdims=True) - 2 * f @ g.T + (g ** 2).sum(1)[None, :])).astype("float32")

    @property
    def vocabulary_(self) -> list[str]:
        return self.vectorizer_.get_vocabulary()

    def write(self, tmp) -> None:
        storage.write_keras(tmp / storage.MODEL, self.model_)
        storage.write_arrays(tmp / storage.ARRAYS, self.arrays_)
        storage.write_json(tmp / storage.VOCABULARY, self.vocabulary_)

    def read(self, directory, vocabulary) -> None:
        from tagzsl import models

        self.vectorizer_ = models.text_vectorizer(vocabulary=vocabulary,
                                                  sequence_length=self.settings().sequence_length)
        self.model_ = storage.read_keras(directory / storage.MODEL)
        self.arrays_ = storage.read_arrays(directory / storage.ARRAYS)
        checks.check_zero_shot(directory, self, vocabulary)
