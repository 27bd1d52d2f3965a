"""One hashtag recommender for people: raw tweets in, ranked hashtags out, any method.

>>> rec = Recommender(method="gru_attention", vectors=prepared.vectors, units=128).fit(texts, hashtags)
>>> rec.recommend(["what a goal in the last minute"], k=5)
[[("football", 0.41), ("soccer", 0.12), ...]]
>>> rec.recommend(["..."], candidates=["worldcup", "nba", "brexit"])   # any hashtags
>>> rec.save("models/gru"); Recommender.load("models/gru")

Methods (``method=``), all with the same ``fit``, ``recommend``, ``save`` and ``load``:

* supervised (Kumar et al. 2019, section 5): ``ann``, ``cnn``, ``gru``, ``gru_attention``,
  ``transformer`` (:class:`tagzsl.supervised.Classifier`, one hashtag per tweet); with
  ``candidates=`` the classifier's probabilities rank any hashtags by ConSE;
* #TagSpace (Weston et al. 2014): ``tagspace`` and ``wsabie`` (:func:`tagzsl.tagspace.train`,
  WARP), several hashtags per tweet, thousands of hashtags; ``candidates=`` picks among them;
* zero-shot rankers (section 6): ``conse``, ``eszsl``, ``dem`` (word space): trained on seen
  hashtags, they rank any candidate hashtag by its word vector.

Hubness: ConSE rankings (``conse``, and a supervised model with ``candidates=``) are centred
(``hubness="centre"``, the default; :func:`tagzsl.hashtag_vectors.centred_cosine`): tweet vectors
on the mean ConSE vector of the training tweets (computed by ``fit``, saved as
``centring.npz``), candidate vectors on the candidate list's mean. ``benchmarks/hubness.py``
measured that this raises hit@1/2/5 for ConSE and word2vec similarity on every split; CSLS
helped less. (That benchmark's ConSE took its seen-hashtag probabilities from a logistic
regression on mean word vectors; the ConSE score is the same.) ``hubness="none"`` turns it off.
It is not applied where it was not measured: ESZSL, DEM, #TagSpace/WSABIE and a supervised
model's own probabilities are ranked as trained.

A candidate hashtag without a word vector gets one composed from its segmented words
(:func:`tagzsl.hashtag_vectors.hashtag_vector`); one for which none can be composed is left
out with a :class:`MissingVectorWarning`. A text that cleans to nothing (empty, emoji only,
hashtags and links only) gets an :class:`Unusable` entry instead of a ranking; the others are
still ranked. Saving writes a folder without pickles (:mod:`tagzsl.storage`).
"""
from __future__ import annotations

import dataclasses
import pathlib
import warnings

import numpy as np

from tagzsl import config, embeddings, hashtag_vectors, hparams as hp_check, preprocess, ranking, storage, supervised
from tagzsl.backends import checks

SUPERVISED = ("ann", "cnn", "gru", "gru_attention", "transformer")
TAGSPACE = ("tagspace", "wsabie")
ZERO_SHOT = ("conse", "eszsl", "dem")
METHODS = SUPERVISED + TAGSPACE + ZERO_SHOT
HUBNESS = ("centre", "none")
PREDICT_BATCH = ranking.PREDICT_BATCH


class MissingVectorWarning(UserWarning):
    """Some candidate hashtags have no vector (own or composed) and were not ranked."""


class QuickModelWarning(UserWarning):
    """The model was trained in quick mode: a smoke test, not a useful recommender."""


@dataclasses.dataclass(frozen=True)
class Unusable:
    """The entry :meth:`Recommender.recommend` returns for a text it cannot rank hashtags for."""

    text: object
    reason: str

    def __str__(self) -> str:
        return self.reason


class Recommender:
    """Recommend hashtags for raw tweets with ``method`` (see the module docstring).

    Args:
        method: one of :data:`METHODS`.
        vectors: gensim ``KeyedVectors`` (the 150-d skip-gram vectors): the supervised models'
            Embedding initialiser, and the hashtag vectors that ``candidates=`` and the zero-shot
            methods need (required for those).
        seed: every random choice of training derives from it.
        hubness: ``"centre"`` (default) centres ConSE rankings (module docstring); ``"none"``.
        **hparams: the method's hyper-parameters: :class:`tagzsl.supervised.Classifier`
            arguments (supervised), :func:`tagzsl.tagspace.train` arguments plus ``min_count``
            (hashtags seen fewer times are dropped; #TagSpace), or
            :class:`tagzsl.zsl_training.TrainingSettings` fields (zero-shot).

    Learned state: ``hashtags_`` (the hashtags it was trained on), ``history_``.
    """

    def __init__(self, method: str = "gru_attention", vectors=None, seed: int = config.DEFAULT_SEED,
                 hubness: str = "centre", **hparams):
        self.method = method
        self.vectors = vectors
        self.seed = seed
        self.hubness = hubness
        if method in METHODS:  # an unknown method is reported by fit
            hp_check.check(method, hparams)
        self.hparams = hparams

    @property
    def vectors(self):
        """The word vectors; a loaded model reads its ``vectors.npz`` only when first needed
        (ranking the trained hashtags of most methods does not need it: a faster start)."""
        if self._vectors is None and getattr(self, "_vectors_file", None) is not None:
            self._vectors, self._vectors_file = storage.read_vectors(self._vectors_file), None
        return self._vectors

    @vectors.setter
    def vectors(self, value):
        self._vectors, self._vectors_file = value, None

    def get_params(self, deep: bool = True) -> dict:
        """Constructor arguments (scikit-learn protocol; ``clone`` and ``GridSearchCV`` use it)."""
        return {"method": self.method, "vectors": self.vectors, "seed": self.seed, "hubness": self.hubness,
                **self.hparams}

    def set_params(self, **params):
        method = params.get("method", self.method)
        if method in METHODS:
            hp_check.check(method, {k: v for k, v in params.items() if k not in ("method", "vectors", "seed", "hubness")},
                           names_only=True)
        for key, value in params.items():
            if key in ("method", "vectors", "seed", "hubness"):
                setattr(self, key, value)
            else:
                self.hparams[key] = value
        return self

    def __repr__(self):
        shown = {k: v for k, v in self.get_params().items() if k != "vectors"}
        return f"Recommender({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    # ------------------------------------------------------------------ training
    def fit(self, texts, hashtags):
        """Train on raw tweet ``texts``; ``hashtags``: one per text (a list per text for
        ``tagspace``/``wsabie``; for the others the first of a list is used). Returns ``self``."""
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.hubness not in HUBNESS:
            raise ValueError(f"hubness must be one of {', '.join(HUBNESS)}; got {self.hubness!r}")
        hp_check.check(self.method, self.hparams)
        texts = [texts] if isinstance(texts, str) else list(texts)
        hashtags = [hashtags] if isinstance(hashtags, str) else list(hashtags)
        if len(texts) != len(hashtags):
            raise ValueError(f"{len(texts)} texts but {len(hashtags)} hashtags")
        tag_lists = [[preprocess.normalise_hashtag(t) for t in ([h] if isinstance(h, str) else h)]
                     for h in hashtags]
        cleaned = preprocess.clean_texts(texts)
        if self.method in TAGSPACE:
            self._fit_tagspace(cleaned, tag_lists)
        else:
            if any(not tags for tags in tag_lists):
                raise ValueError("every text needs at least one hashtag")
            labels = [tags[0] for tags in tag_lists]
            if self.method not in SUPERVISED and self.vectors is None:
                raise ValueError(f"method {self.method!r} needs word vectors (vectors=...)")
            (self._fit_supervised if self.method in SUPERVISED else self._fit_zero_shot)(cleaned, labels)
        return self

    def _fit_supervised(self, cleaned, labels):
        self.classifier_ = supervised.Classifier(self.method, seed=self.seed, vectors=self.vectors, **self.hparams)
        self.classifier_.fit(cleaned, labels)
        self.hashtags_, self.history_ = list(self.classifier_.classes_), self.classifier_.history_
        if self.vectors is not None:  # candidates= ranks by ConSE: the training tweets' mean for centring
            self.centring_ = self._tweet_mean(self.classifier_.predict_proba(cleaned, PREDICT_BATCH))

    def _tweet_mean(self, probs) -> np.ndarray:
        """Mean ConSE vector of the training tweets (``probs``: their seen-hashtag probabilities)."""
        seen = ranking.vectors_for(self.vectors, self.hashtags_)[0]
        return hashtag_vectors.conse_embedding(probs, seen).mean(axis=0)

    def _zero_shot_settings(self):
        from tagzsl.zsl_training import TrainingSettings

        return TrainingSettings(**self.hparams)

    def _fit_zero_shot(self, cleaned, labels):
        import keras

        from tagzsl import models, zsl, zsl_training

        settings = self._zero_shot_settings()
        self.hashtags_ = sorted(set(labels))
        seen, missing = ranking.vectors_for(self.vectors, self.hashtags_)
        if missing:
            raise ValueError(f"training hashtags without a word vector: {', '.join(missing)}")
        # vocabulary: every word with a vector (so words of new topics are not [UNK]) + training words
        words = [w for w in self.vectors.index_to_key if w and w != "[UNK]"]
        words += sorted({w for t in cleaned for w in t.split()} - set(words))
        self.vectorizer_ = models.text_vectorizer(vocabulary=words, sequence_length=settings.sequence_length)
        matrix, _ = embeddings.embedding_matrix(self.vectors, self.vectorizer_.get_vocabulary())
        ids = models.vectorize(self.vectorizer_, cleaned)
        y = np.array([self.hashtags_.index(h) for h in labels])
        gru = zsl_training.train_gru(ids, y, len(self.hashtags_), matrix, settings, seed=self.seed)
        self.history_ = {k: [float(v) for v in vals] for k, vals in gru.history.history.items()}
        if self.method == "conse":
            self.model_, self.arrays_ = gru, {"seen": seen}
            self.centring_ = self._tweet_mean(ranking.run(gru, ids))
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

    def _fit_tagspace(self, cleaned, tag_lists):
        import collections

        import pandas as pd
        from sklearn.model_selection import train_test_split

        from tagzsl.backends import tagspace

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
        trained = tagspace.train(self.method, fit, val, self.hashtags_, self.seed, hp)
        self.model_, self.encoder_, self.history_ = trained.model, trained.encoder, {"epochs": trained.history}

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self):
        if not hasattr(self, "hashtags_"):
            raise RuntimeError("this Recommender is not fitted yet: call fit() or Recommender.load()")

    def _candidates(self, candidates):
        """``(names, vectors or None)`` of the hashtags to rank; warns about those left out."""
        if candidates is None:
            return list(self.hashtags_), None
        if isinstance(candidates, str):
            candidates = [c for c in candidates.split(",") if c.strip()]
        names = list(dict.fromkeys(ranking.candidate_name(c) for c in candidates))
        if self.method in TAGSPACE:
            known = set(self.hashtags_)
            missing = [n for n in names if n not in known]
            why = f"are not among the {len(known)} hashtags this {self.method} model was trained on"
            vectors = None
        else:
            vectors, missing = ranking.vectors_for(self.vectors, names)
            why = "have no word vector and none could be composed from their words"
            vectors = vectors[[n not in missing for n in names]]
        names = [n for n in names if n not in set(missing)]
        if not names:
            raise ValueError(f"none of the candidate hashtags can be ranked: {', '.join(missing)} {why}")
        if missing:
            warnings.warn(f"{len(missing)} candidate hashtag(s) {why} and were not ranked: "
                          f"{', '.join(missing)}", MissingVectorWarning, stacklevel=3)
        return names, vectors

    def _scores(self, cleaned, names, vectors) -> np.ndarray:
        from tagzsl import models, tagspace, zsl

        if self.method in SUPERVISED:
            probs = self.classifier_.predict_proba(cleaned, PREDICT_BATCH)
            if vectors is None:
                return probs
            return self._conse(probs, ranking.vectors_for(self.vectors, self.hashtags_)[0], vectors)
        if self.method in TAGSPACE:
            scores = tagspace.predict_scores(self.model_, self.encoder_.words([t.split() for t in cleaned]))
            index = {t: i for i, t in enumerate(self.encoder_.tags_)}
            return scores[:, [index[n] for n in names]]
        if vectors is None:  # the trained hashtags: their vectors are saved with the model
            vectors = self.arrays_["seen"] if "seen" in self.arrays_ else ranking.vectors_for(self.vectors, names)[0]
        out = ranking.run(self.model_, models.vectorize(self.vectorizer_, cleaned))
        if self.method == "conse":
            return self._conse(out, self.arrays_["seen"], vectors)
        if self.method == "eszsl":
            return (out.astype("float64") @ self.arrays_["W"] @ vectors.astype("float64").T).astype("float32")
        g = embeddings.unit_rows(vectors).astype("float64")  # DEM: nearest in the word space
        f = out.astype("float64")
        return (-((f ** 2).sum(1, keepdims=True) - 2 * f @ g.T + (g ** 2).sum(1)[None, :])).astype("float32")

    def _conse(self, probs, seen, candidates) -> np.ndarray:
        """ConSE scores, centred when ``hubness="centre"`` and the tweet mean is known."""
        from tagzsl import zsl

        mean = getattr(self, "centring_", None)
        if self.hubness == "none" or mean is None:
            return zsl.conse(probs, seen, candidates)
        return hashtag_vectors.centred_cosine(hashtag_vectors.conse_embedding(probs, seen), candidates, mean)

    def recommend(self, texts, k: int = 5, candidates=None) -> list:
        """One entry per text: its top ``k`` ``(hashtag, score)`` pairs, best first, or an
        :class:`Unusable` (``str()`` is the reason) for a text that cleans to nothing.

        Without ``candidates`` the trained hashtags are ranked; with ``candidates`` (hashtags,
        ``#`` optional, or one comma-separated string) only those.
        """
        self._check_fitted()
        if int(k) < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        if getattr(self, "mode_", None) == "quick":
            warnings.warn("this model was trained in quick mode: a smoke test, not a useful recommender "
                          "(train it without --quick)", QuickModelWarning, stacklevel=2)
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts:
            raise ValueError("no texts given")
        cleaned, unusable = preprocess.clean_batch(texts)
        names, vectors = self._candidates(candidates)
        usable = [i for i in range(len(texts)) if i not in unusable]
        out = [Unusable(texts[i], unusable[i]) if i in unusable else None for i in range(len(texts))]
        if usable:
            scores = self._scores([cleaned[i] for i in usable], names, vectors)
            top = ranking.top_k(scores, int(k))
            for i, row, idx in zip(usable, scores, top):
                out[i] = [(names[j], float(row[j])) for j in idx]
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, directory, overwrite: bool = True) -> pathlib.Path:
        """Write the model folder (no pickles: JSON, ``.npz``, ``model.keras``) via a temporary
        folder and a rename (:func:`tagzsl.storage.write_folder`); an existing model folder is
        replaced (unless ``overwrite=False``), any other non-empty folder refused."""
        self._check_fitted()
        directory = storage.check_writable(directory, overwrite)
        params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.get_params().items() if k != "vectors"}
        cfg = {"format": storage.FORMAT, "format_version": storage.FORMAT_VERSION, "tagzsl_version": config.VERSION,
               "params": params, "hashtags": self.hashtags_, "has_vectors": self.vectors is not None,
               "mode": getattr(self, "mode_", None), "history": self.history_,
               "centring": getattr(self, "centring_", None) is not None}

        def write(tmp):
            if self.vectors is not None:
                storage.write_vectors(tmp / storage.VECTORS, self.vectors)
            if self.method in SUPERVISED:
                storage.write_keras(tmp / storage.MODEL, self.classifier_.model_)
                storage.write_json(tmp / storage.VOCABULARY, self.classifier_.vectorizer_.get_vocabulary())
            elif self.method in TAGSPACE:
                storage.write_arrays(tmp / storage.ARRAYS, {f"w{i:03d}": w for i, w in enumerate(self.model_.get_weights())})
                storage.write_json(tmp / storage.VOCABULARY, self.encoder_.vocabulary_)
            else:
                storage.write_keras(tmp / storage.MODEL, self.model_)
                storage.write_arrays(tmp / storage.ARRAYS, self.arrays_)
                storage.write_json(tmp / storage.VOCABULARY, self.vectorizer_.get_vocabulary())
            if cfg["centring"]:
                storage.write_arrays(tmp / storage.CENTRING, {"tweet_mean": self.centring_})
            storage.write_json(tmp / storage.CONFIG, cfg)  # last: marks a complete folder

        return storage.write_folder(directory, write, overwrite=overwrite)

    @classmethod
    def load(cls, directory) -> "Recommender":
        """Load a folder written by :meth:`save`; a :class:`tagzsl.storage.ModelFolderError`
        naming the file for anything missing or damaged. Nothing is unpickled."""
        from tagzsl import models

        directory = pathlib.Path(directory).expanduser()
        cfg = storage.read_config(directory)
        config_file = directory / storage.CONFIG
        params, hashtags = cfg.get("params"), cfg.get("hashtags")
        if not isinstance(params, dict) or params.get("method") not in METHODS:
            raise storage.ModelFolderError(f"{config_file} has no usable 'params' (method and hyper-parameters): "
                                           f"the file is damaged; {storage.RETRAIN}")
        if not isinstance(hashtags, list) or not hashtags or not all(isinstance(t, str) for t in hashtags):
            raise storage.ModelFolderError(f"{config_file} has no usable 'hashtags' list: the file is damaged; "
                                           f"{storage.RETRAIN}")
        try:
            rec = cls(**params)
        except (TypeError, ValueError) as err:
            raise storage.ModelFolderError(f"{config_file} has unusable 'params' ({err}); {storage.RETRAIN}") from None
        if cfg.get("has_vectors"):  # read when first needed (Recommender.vectors); checked now
            rec._vectors_file = storage.check_npz(directory / storage.VECTORS, "not a word-vector file")
        rec.hashtags_, rec.history_, rec.mode_ = list(cfg["hashtags"]), cfg.get("history", {}), cfg.get("mode")
        if cfg.get("centring"):  # folders saved before the hubness correction rank without it
            rec.centring_ = storage.read_vector(directory / storage.CENTRING, "tweet_mean")
        vocabulary = storage.read_json(directory / storage.VOCABULARY)
        if not isinstance(vocabulary, list) or len(vocabulary) < 3 or not all(isinstance(w, str) for w in vocabulary):
            raise storage.ModelFolderError(f"{directory / storage.VOCABULARY} is not a vocabulary (a list of words): "
                                           f"the file is damaged; {storage.RETRAIN}")
        if rec.method in SUPERVISED:
            clf = supervised.Classifier(rec.method, seed=rec.seed, **rec.hparams)  # vectors: training only
            clf.vectorizer_ = models.text_vectorizer(vocabulary=vocabulary, sequence_length=clf.sequence_length)
            clf.model_ = storage.read_keras(directory / storage.MODEL)
            clf.classes_, clf.history_ = list(rec.hashtags_), rec.history_
            rec.classifier_ = clf
            checks.check_fits(directory, clf.model_, vocabulary, outputs=len(rec.hashtags_))
        elif rec.method in TAGSPACE:
            rec.model_, rec.encoder_ = checks.read_tagspace(directory, rec.method, rec.hashtags_, vocabulary, rec.hparams)
        else:
            rec.vectorizer_ = models.text_vectorizer(vocabulary=vocabulary,
                                                     sequence_length=rec._zero_shot_settings().sequence_length)
            rec.model_ = storage.read_keras(directory / storage.MODEL)
            rec.arrays_ = storage.read_arrays(directory / storage.ARRAYS)
            checks.check_zero_shot(directory, rec, vocabulary)
        return rec


#: The older name (tagzsl/__init__.py exports it; both go together).
HashtagRecommender = Recommender
