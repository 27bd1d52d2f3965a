"""A hashtag recommender people can use: raw tweets in, ranked hashtags out.

>>> rec = HashtagRecommender(model="gru", vectors=prepared.vectors).fit(texts, hashtags)
>>> rec.recommend(["what a goal in the last minute"], k=5)
[[("football", 0.41), ("soccer", 0.12), ...]]
>>> rec.recommend(["..."], candidates=["worldcup", "nba", "brexit"])   # zero-shot (ConSE)
>>> rec.save("models/gru"); HashtagRecommender.load("models/gru")

The cleaning is the training cleaning (:func:`tagzsl.preprocess.clean_text`), applied inside.
With ``candidates=`` the recommender ranks any hashtags that have a word vector, including
hashtags it was never trained on, with ConSE (:func:`tagzsl.zsl.conse`): each tweet is
embedded as the probability-weighted mean of its seen hashtags' vectors and the candidates
are ranked by cosine similarity to it.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import warnings

import numpy as np

from tagzsl import __version__, config, preprocess

FORMAT = "tagzsl-hashtag-recommender"
FORMAT_VERSION = 1
_FILES = {"model": "model.keras", "config": "config.json", "vocabulary": "vocabulary.json",
          "hashtags": "hashtags.json", "vectors": "vectors.kv"}


class MissingVectorWarning(UserWarning):
    """Some candidate hashtags have no word vector and cannot be ranked."""


def normalise_hashtag(tag: str) -> str:
    """``"#WorldCup"`` -> ``"worldcup"`` (hashtags are words in the word2vec vocabulary)."""
    if not isinstance(tag, str) or not tag.strip().lstrip("#").strip():
        raise ValueError(f"not a hashtag: {tag!r}")
    return tag.strip().lstrip("#").strip().lower()


def _short(text, n=40) -> str:
    text = str(text)
    return repr(text if len(text) <= n else text[: n - 3] + "...")


def clean_texts(texts) -> list[str]:
    """Cleaned, space-joined texts; a clear ``ValueError`` naming every empty one."""
    if isinstance(texts, str):
        texts = [texts]
    texts = list(texts)
    if not texts:
        raise ValueError("no texts given")
    cleaned, bad = [], []
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            bad.append(f"item {i} ({_short(text)}) is empty")
            cleaned.append("")
            continue
        tokens = preprocess.clean_text(text)
        if not tokens:
            bad.append(f"item {i} ({_short(text)}) has no words left after cleaning "
                       "(hashtags, mentions, URLs and stop words are removed)")
        cleaned.append(" ".join(tokens))
    if bad:
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        if len(texts) == 1:
            raise ValueError(f"unusable text {_short(texts[0])}: {bad[0].split(') ', 1)[1]}")
        raise ValueError(f"{len(bad)} of {len(texts)} texts are unusable: " + "; ".join(bad[:5]) + more)
    return cleaned


class HashtagRecommender:
    """A supervised hashtag classifier (:mod:`tagzsl.models`) with its vocabulary and cleaning.

    Args:
        model: a name from :func:`tagzsl.models.available_models` (default ``"gru"``).
        epochs: the most epochs to train (early stopping on ``validation_split`` usually stops sooner).
        batch_size, sequence_length: training batch size and tokens kept per tweet (cleaned tweets
            of the top-50 set have 9 words on average, 99% have <= 25).
        seed: seeds the validation split, the weight initialisation and shuffling.
        vectors: gensim ``KeyedVectors`` (the 150-d skip-gram vectors): the Embedding layer's
            initialiser, and the hashtag vectors that zero-shot ranking (``candidates=``) needs.
            ``None`` trains embeddings from scratch and disables ``candidates=``.
        patience: early-stopping patience in epochs.
        monitor: what early stopping watches on the validation slice (``"val_accuracy"``, the
            metric Table 2 reports, or ``"val_loss"``); the best epoch's weights are kept.
        max_tokens: vocabulary cap (``None``: every training word).
        verbose: Keras ``fit`` verbosity.
        **model_hparams: passed to :func:`tagzsl.models.build_model` (``units=256``, ...).

    Learned state: ``classes_`` (hashtags, the model's output order), ``vectorizer_``,
    ``model_``, ``history_`` (Keras history dict), ``embedding_oov_rate_``.
    """

    def __init__(self, model: str = "gru", epochs: int = 10, batch_size: int = 32,
                 sequence_length: int = 30, seed: int = config.DEFAULT_SEED, vectors=None,
                 patience: int = 2, monitor: str = "val_accuracy", max_tokens: int | None = None,
                 verbose: int = 0, **model_hparams):
        self.model = model
        self.epochs = epochs
        self.batch_size = batch_size
        self.sequence_length = sequence_length
        self.seed = seed
        self.vectors = vectors
        self.patience = patience
        self.monitor = monitor
        self.max_tokens = max_tokens
        self.verbose = verbose
        self.model_hparams = model_hparams

    # sklearn's BaseEstimator does not allow **kwargs in __init__, so these are written out.
    _PARAMS = ("model", "epochs", "batch_size", "sequence_length", "seed", "vectors", "patience",
               "monitor", "max_tokens", "verbose")

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

    def __repr__(self):
        shown = {k: v for k, v in self.get_params().items() if k != "vectors"}
        return f"HashtagRecommender({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    # ------------------------------------------------------------------ training
    def fit(self, texts, hashtags, validation_split: float = 0.1, validation_data=None):
        """Train on raw tweet ``texts`` and one hashtag each; returns ``self``.

        Early stopping watches ``monitor`` on a stratified ``validation_split`` slice of these
        training texts (or on ``validation_data=(texts, hashtags)`` when given); the best
        epoch's weights are kept. ``validation_split=0`` trains for ``epochs`` epochs.
        """
        from tagzsl import models

        if self.model not in models.MODELS:
            raise ValueError(f"unknown model {self.model!r}; choose one of {models.available_models()}")
        texts = [texts] if isinstance(texts, str) else list(texts)
        labels = [normalise_hashtag(h) for h in ([hashtags] if isinstance(hashtags, str) else hashtags)]
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} hashtags")
        cleaned = clean_texts(texts)
        val = None
        if validation_data is not None:
            val_texts, val_tags = validation_data
            val = (clean_texts(val_texts), [normalise_hashtag(h) for h in val_tags])
        return self._fit_cleaned(cleaned, labels, validation_split=validation_split, validation_data=val)

    def _fit_cleaned(self, cleaned, labels, validation_split=0.1, validation_data=None):
        """:meth:`fit` on already cleaned, space-joined texts and normalised hashtags
        (``tagzsl.supervised`` cleans the corpus once and calls this for every fold)."""
        import keras
        from sklearn.model_selection import train_test_split

        from tagzsl import models

        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ValueError(f"need at least two different hashtags to train; got {classes}")
        index = {c: i for i, c in enumerate(classes)}
        y = np.array([index[h] for h in labels], dtype="int32")
        if validation_data is not None:
            train_x, train_y = list(cleaned), y
            val_x, val_tags = validation_data
            unknown = sorted(set(val_tags) - set(index))
            if unknown:
                raise ValueError(f"validation hashtags not in the training hashtags: {unknown[:5]}")
            val_x, val_y = list(val_x), np.array([index[h] for h in val_tags], dtype="int32")
        elif validation_split and validation_split > 0:
            counts = np.bincount(y)
            n_val = int(round(validation_split * len(y)))
            stratify = y if counts.min() >= 2 and n_val >= len(classes) else None
            train_x, val_x, train_y, val_y = train_test_split(
                list(cleaned), y, test_size=validation_split, random_state=self.seed, stratify=stratify)
        else:
            train_x, train_y, val_x, val_y = list(cleaned), y, None, None

        keras.utils.set_random_seed(self.seed)
        self.classes_ = classes
        self.vectorizer_ = models.text_vectorizer(train_x, self.sequence_length, self.max_tokens)
        vocabulary = self.vectorizer_.get_vocabulary()
        matrix, self.embedding_oov_rate_ = None, None
        if self.vectors is not None:
            from tagzsl import embeddings

            matrix, self.embedding_oov_rate_ = embeddings.embedding_matrix(self.vectors, vocabulary)
        self.model_ = models.build_model(self.model, vocab_size=len(vocabulary), num_classes=len(classes),
                                         embedding_matrix=matrix, sequence_length=self.sequence_length,
                                         **self.model_hparams)
        train = self._dataset(train_x, train_y, shuffle=True)
        callbacks, val = [], None
        if val_x is not None and len(val_x):
            val = self._dataset(val_x, val_y)
            callbacks.append(keras.callbacks.EarlyStopping(monitor=self.monitor, patience=self.patience,
                                                           restore_best_weights=True))
        history = self.model_.fit(train, validation_data=val, epochs=self.epochs, callbacks=callbacks,
                                  shuffle=False, verbose=self.verbose)  # tf.data shuffles
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        return self

    def _ids(self, cleaned) -> np.ndarray:
        from tagzsl import models

        return models.vectorize(self.vectorizer_, cleaned)

    def _dataset(self, cleaned, y=None, shuffle=False):
        import tensorflow as tf

        x = self._ids(cleaned)
        ds = tf.data.Dataset.from_tensor_slices(x if y is None else (x, np.asarray(y, "int32")))
        if shuffle:
            ds = ds.shuffle(len(x), seed=self.seed, reshuffle_each_iteration=True)
        return ds.batch(self.batch_size).prefetch(tf.data.AUTOTUNE)

    def _check_fitted(self):
        if not hasattr(self, "model_"):
            raise RuntimeError("this HashtagRecommender is not fitted yet: call fit() or load()")

    # ------------------------------------------------------------------ prediction
    def predict_proba(self, texts, batch_size: int = 256) -> np.ndarray:
        """Class probabilities, shape ``(n_texts, len(classes_))``, columns in ``classes_`` order."""
        return self._predict_proba_cleaned(clean_texts(texts), batch_size)

    def _predict_proba_cleaned(self, cleaned, batch_size: int = 256) -> np.ndarray:
        self._check_fitted()
        return np.asarray(self.model_.predict(self._ids(cleaned), batch_size=batch_size, verbose=0))

    def predict(self, texts) -> list[str]:
        """The most likely trained hashtag of each text."""
        return [self.classes_[i] for i in self.predict_proba(texts).argmax(axis=1)]

    def candidate_coverage(self, candidates) -> tuple[list[str], list[str]]:
        """Split ``candidates`` (normalised, de-duplicated) into those with a vector and those without."""
        if self.vectors is None:
            raise ValueError("ranking candidates needs word vectors; this recommender was built "
                             "with vectors=None")
        tags = list(dict.fromkeys(normalise_hashtag(c) for c in candidates))
        keys = self.vectors.key_to_index
        return [t for t in tags if t in keys], [t for t in tags if t not in keys]

    def recommend(self, texts, k: int = 5, candidates=None) -> list[list[tuple[str, float]]]:
        """The top ``k`` ``(hashtag, score)`` of each text, best first (one list per text).

        Without ``candidates`` the scores are the classifier's probabilities over the trained
        hashtags. With ``candidates`` (any hashtags, ``#`` optional) they are ConSE cosine
        similarities; candidates without a word vector are left out with a
        :class:`MissingVectorWarning` naming them, and a ``ValueError`` is raised when none
        has a vector.
        """
        if int(k) < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        probs = self.predict_proba(texts)
        if candidates is None:
            names, scores = self.classes_, probs
        else:
            from tagzsl import zsl

            if isinstance(candidates, str):
                candidates = [c for c in candidates.split(",") if c.strip()]
            names, missing = self.candidate_coverage(candidates)
            if not names:
                raise ValueError(f"none of the candidate hashtags has a word vector: {missing}")
            if missing:
                warnings.warn(f"{len(missing)} candidate hashtag(s) have no word vector and were not "
                              f"ranked: {', '.join(missing)}", MissingVectorWarning, stacklevel=2)
            scores = zsl.conse(probs, self._seen_vectors(), np.stack([self.vectors[n] for n in names]))
        top = np.argsort(-scores, axis=1, kind="stable")[:, : int(k)]
        return [[(names[j], float(row[j])) for j in idx] for row, idx in zip(scores, top)]

    def _seen_vectors(self) -> np.ndarray:
        from tagzsl import embeddings

        vectors, missing = embeddings.hashtag_vectors(self.vectors, self.classes_)
        if len(missing) == len(self.classes_):
            raise ValueError("none of the trained hashtags has a word vector; cannot rank candidates")
        return vectors

    # ------------------------------------------------------------------ persistence
    def save(self, directory) -> pathlib.Path:
        """Write the model directory (``model.keras``, vocabulary, hashtags, config, vectors).

        Written to a temporary sibling directory, then renamed into place, so a failed save
        leaves nothing half-written. An existing recommender directory is replaced; any other
        existing non-empty directory is refused.
        """
        from tagzsl import embeddings

        self._check_fitted()
        directory = pathlib.Path(directory)
        if directory.exists() and not (directory / _FILES["config"]).is_file() and any(directory.iterdir()):
            raise FileExistsError(f"{directory} exists and is not a tagzsl model directory; not overwriting it")
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = directory.with_name(f".{directory.name}.saving-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            self.model_.save(tmp / _FILES["model"])
            params = {k: v for k, v in self.get_params().items() if k != "vectors"}
            cfg = {"format": FORMAT, "format_version": FORMAT_VERSION, "tagzsl_version": __version__,
                   "params": params, "has_vectors": self.vectors is not None,
                   "embedding_oov_rate": self.embedding_oov_rate_, "history": self.history_}
            (tmp / _FILES["vocabulary"]).write_text(json.dumps(self.vectorizer_.get_vocabulary()))
            (tmp / _FILES["hashtags"]).write_text(json.dumps(self.classes_))
            if self.vectors is not None:
                embeddings.save_vectors(self.vectors, tmp / _FILES["vectors"])
            (tmp / _FILES["config"]).write_text(json.dumps(cfg, indent=1))  # last: marks a complete dir
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            if directory.exists():
                directory.rename(old)
            tmp.rename(directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return directory

    @classmethod
    def load(cls, directory) -> "HashtagRecommender":
        """Load a directory written by :meth:`save`; clear errors for anything else."""
        import keras

        from tagzsl import embeddings, models  # noqa: F401  (registers the custom layers)

        directory = pathlib.Path(directory)
        if not directory.exists():
            raise FileNotFoundError(f"no model directory at {directory}")
        if not directory.is_dir():
            raise ValueError(f"{directory} is a file, not a model directory")
        cfg_path = directory / _FILES["config"]
        try:
            cfg = json.loads(cfg_path.read_text())
        except FileNotFoundError:
            raise ValueError(f"{directory} is not a tagzsl model directory (no {_FILES['config']}; "
                             "create one with `tagzsl train`)") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise ValueError(f"{cfg_path} is not valid JSON ({err}); not a tagzsl model directory") from None
        if not isinstance(cfg, dict) or cfg.get("format") != FORMAT:
            raise ValueError(f"{directory} is not a tagzsl hashtag recommender directory")
        if cfg.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{directory} was saved in format version {cfg.get('format_version')} "
                             f"(tagzsl {cfg.get('tagzsl_version')}); this tagzsl ({__version__}) reads "
                             f"version {FORMAT_VERSION}: retrain it with `tagzsl train`")
        needed = ["model", "vocabulary", "hashtags"] + (["vectors"] if cfg.get("has_vectors") else [])
        absent = [_FILES[n] for n in needed if not (directory / _FILES[n]).is_file()]
        if absent:
            raise ValueError(f"{directory} is an incomplete model directory: missing {', '.join(absent)}")
        params = dict(cfg["params"])
        rec = cls(**params)
        if cfg.get("has_vectors"):
            rec.vectors = embeddings.load_vectors(directory / _FILES["vectors"])
        vocabulary = json.loads((directory / _FILES["vocabulary"]).read_text())
        rec.vectorizer_ = _vectorizer_from(vocabulary, rec.sequence_length)
        rec.classes_ = json.loads((directory / _FILES["hashtags"]).read_text())
        rec.model_ = keras.saving.load_model(directory / _FILES["model"])
        rec.history_ = cfg.get("history", {})
        rec.embedding_oov_rate_ = cfg.get("embedding_oov_rate")
        return rec


def _vectorizer_from(vocabulary, sequence_length):
    from keras import layers

    return layers.TextVectorization(standardize=None, split="whitespace", output_mode="int",
                                    output_sequence_length=int(sequence_length), vocabulary=vocabulary)
