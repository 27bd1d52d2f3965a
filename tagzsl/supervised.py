"""Supervised hashtag classifiers (Kumar et al. 2019, section 5): train, predict, score.

* :class:`Classifier`: one of the :mod:`tagzsl.models` networks over cleaned, space-joined
  texts: a ``TextVectorization`` adapted on the training texts, the skip-gram matrix as the
  Embedding initialiser, Adam, and early stopping on the validation slice.
* :func:`tfidf_logreg` and :func:`fit_tfidf`: TF-IDF (word 1-2 grams) + logistic regression,
  the row a practitioner would try first.
* :func:`classification_scores`: accuracy and macro precision / recall / F1, in percent.

**Early stopping** (one definition, :data:`EARLY_STOPPING`): after each epoch the model is
scored on the validation slice; training stops when validation accuracy (the metric Table 2
reports) has not improved for ``patience`` epochs, and the weights of the epoch with the best
validation accuracy are restored.

Texts here are already cleaned (:func:`tagzsl.preprocess.clean_texts`); raw tweets go through
:class:`tagzsl.recommender.Recommender`. The protocol of Table 2 (folds, grid search, tables)
is :mod:`tagzsl.experiments.supervised`.
"""
from __future__ import annotations

import numpy as np

from tagzsl import config

#: What early stopping watches, and in which direction (see the module docstring).
EARLY_STOPPING = {"monitor": "val_accuracy", "mode": "max"}
METRICS = ("accuracy", "precision", "recall", "f1")


class Classifier:
    """A supervised hashtag classifier over cleaned texts (scikit-learn conventions).

    Args:
        model: a name from :func:`tagzsl.models.available_models`.
        epochs: the most epochs (early stopping usually stops sooner).
        batch_size, sequence_length: training batch size and tokens kept per tweet.
        patience: epochs without a better validation accuracy before stopping.
        seed: seeds the validation split, the weight initialisation and the shuffling.
        vectors: gensim ``KeyedVectors``, the Embedding initialiser (``None``: from scratch).
        max_tokens: vocabulary cap (``None``: every training word).
        verbose: Keras ``fit`` verbosity.
        **model_hparams: passed to :func:`tagzsl.models.build_model` (``units=256``, ...).

    Learned state: ``classes_`` (the output order), ``vectorizer_``, ``model_``, ``history_``
    (Keras history dict), ``embedding_oov_rate_`` (fraction of vocabulary words without a vector).
    """

    _PARAMS = ("model", "epochs", "batch_size", "sequence_length", "patience", "seed", "vectors",
               "max_tokens", "verbose")

    def __init__(self, model: str = "gru", epochs: int = 10, batch_size: int = 32,
                 sequence_length: int = 30, patience: int = 2, seed: int = config.DEFAULT_SEED,
                 vectors=None, max_tokens: int | None = None, verbose: int = 0, **model_hparams):
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.sequence_length = sequence_length
        self.patience = patience
        self.seed = seed
        self.vectors = vectors
        self.max_tokens = max_tokens
        self.verbose = verbose
        self.model_hparams = model_hparams

    # sklearn's BaseEstimator does not allow **kwargs in __init__, so these are written out.
    def get_params(self, deep: bool = True) -> dict:
        """Constructor arguments (scikit-learn protocol; ``clone`` and ``GridSearchCV`` use it)."""
        return {**{p: getattr(self, p) for p in self._PARAMS}, **self.model_hparams}

    def set_params(self, **params):
        for key, value in params.items():
            if key in self._PARAMS:
                setattr(self, key, value)
            else:
                self.model_hparams[key] = value
        return self

    def fit(self, texts, labels, validation_data=None, validation_split: float = 0.1):
        """Train on cleaned ``texts`` and one hashtag each; returns ``self``.

        Early stopping uses ``validation_data=(texts, labels)`` when given, else a stratified
        ``validation_split`` slice of the training texts; ``validation_split=0`` trains for
        ``epochs`` epochs.
        """
        import keras
        from sklearn.model_selection import train_test_split

        from tagzsl import embeddings, models

        if self.model not in models.MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of {models.available_models()}")
        texts, labels = list(texts), list(labels)
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} hashtags")
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError(f"need at least two different hashtags to train; got {classes}")
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[h] for h in labels], dtype="int32")
        if validation_data is not None:
            val_x, val_tags = list(validation_data[0]), list(validation_data[1])
            unknown = sorted(set(val_tags) - set(index))
            if unknown:
                raise ValueError(f"validation hashtags not in the training hashtags: {unknown[:5]}")
            train_x, train_y, val_y = texts, y, np.array([index[h] for h in val_tags], dtype="int32")
        elif validation_split and validation_split > 0:
            n_val = int(round(validation_split * len(y)))
            stratify = y if np.bincount(y).min() >= 2 and n_val >= len(classes) else None
            train_x, val_x, train_y, val_y = train_test_split(
                texts, y, test_size=validation_split, random_state=self.seed, stratify=stratify)
        else:
            train_x, train_y, val_x, val_y = texts, y, [], None

        keras.utils.set_random_seed(self.seed)
        self.classes_ = classes
        self.vectorizer_ = models.text_vectorizer(train_x, self.sequence_length, self.max_tokens)
        vocabulary = self.vectorizer_.get_vocabulary()
        matrix, self.embedding_oov_rate_ = None, None
        if self.vectors is not None:
            matrix, self.embedding_oov_rate_ = embeddings.embedding_matrix(self.vectors, vocabulary)
        self.model_ = models.build_model(self.model, vocab_size=len(vocabulary), num_classes=len(classes),
                                         embedding_matrix=matrix, sequence_length=self.sequence_length,
                                         **self.model_hparams)
        callbacks, val = [], None
        if len(val_x):
            val = self._dataset(val_x, val_y)
            callbacks.append(keras.callbacks.EarlyStopping(patience=self.patience, restore_best_weights=True,
                                                           **EARLY_STOPPING))
        history = self.model_.fit(self._dataset(train_x, train_y, shuffle=True), validation_data=val,
                                  epochs=self.epochs, callbacks=callbacks, shuffle=False,  # tf.data shuffles
                                  verbose=self.verbose)
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        return self

    def token_ids(self, texts) -> np.ndarray:
        """Token ids of cleaned ``texts`` through the fitted vocabulary."""
        from tagzsl import models

        self._check_fitted()
        return models.vectorize(self.vectorizer_, texts)

    def _dataset(self, texts, y=None, shuffle=False):
        import tensorflow as tf

        from tagzsl import models

        x = models.vectorize(self.vectorizer_, texts)
        ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, np.asarray(y, "int32")))
        if shuffle:
            ds = ds.shuffle(len(x), seed=self.seed, reshuffle_each_iteration=True)
        return ds.batch(self.batch_size).prefetch(tf.data.AUTOTUNE)

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise RuntimeError(f"this {type(self).__name__} is not fitted yet: call fit() first")

    def predict_proba(self, texts, batch_size: int = 256) -> np.ndarray:
        """Class probabilities ``(n_texts, len(classes_))``, columns in ``classes_`` order."""
        ids = self.token_ids(texts)
        if len(ids) <= batch_size:  # one compiled step: no predict() set-up cost for a few tweets
            return np.asarray(self.model_.predict_on_batch(ids))
        return np.asarray(self.model_.predict(ids, batch_size=batch_size, verbose=0))

    def predict(self, texts) -> list[str]:
        """The most likely hashtag of each cleaned text."""
        return [self.classes_[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def epochs_trained(self) -> int:
        """How many epochs ``fit`` ran (early stopping included)."""
        return len(self.history_["loss"])


def classification_scores(y_true, y_pred) -> dict:
    """Accuracy and macro precision, recall and F1 (``zero_division=0``), in percent."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    return {"accuracy": 100 * accuracy_score(y_true, y_pred), "precision": 100 * p, "recall": 100 * r,
            "f1": 100 * f}


def tfidf_logreg(C: float = 10.0, seed: int = config.DEFAULT_SEED):
    """TF-IDF over word 1-2 grams of the cleaned text + multinomial logistic regression (saga
    solver: the same validation accuracy as lbfgs here, 10-30x faster)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), token_pattern=None, tokenizer=str.split, lowercase=False,
                        sublinear_tf=True, min_df=1),
        LogisticRegression(C=C, solver="saga", max_iter=1000, random_state=seed))


def fit_tfidf(texts, labels, val_texts, val_labels, Cs=(10.0, 100.0), seed: int = config.DEFAULT_SEED):
    """:func:`tfidf_logreg` fitted on ``texts`` for each ``C`` in ``Cs``; returns the model with
    the best accuracy on the validation texts and its ``C``."""
    best = None
    for C in Cs:
        model = tfidf_logreg(C, seed).fit(list(texts), list(labels))
        acc = float(np.mean(model.predict(list(val_texts)) == np.asarray(val_labels)))
        if best is None or acc > best[0]:
            best = (acc, C, model)
    return best[2], best[1]
