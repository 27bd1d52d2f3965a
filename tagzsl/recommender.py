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

Hubness (one candidate on top of nearly every tweet whatever it says): every ranking by word
vectors is corrected, in one place (:meth:`tagzsl.backends.Backend.scores`): ``conse``,
``eszsl`` and ``dem`` always (trained hashtags or ``candidates=``), a supervised model with
``candidates=``. ``fit`` keeps the model's outputs for a seeded sample of training tweets
(up to :data:`tagzsl.hubness.REFERENCE_TWEETS`; ``reference_``, saved as ``reference.npz``);
their scores against the same candidates are the reference of :func:`tagzsl.hubness.correct`.
``hubness=`` is one of :data:`tagzsl.hubness.CORRECTIONS`, by default
:data:`tagzsl.hubness.DEFAULT` (``"normalise"``: each candidate's scores as z-scores of its
reference scores, so the scores shown are z-scores, not probabilities or cosines; that module
says what ``benchmarks/zero_shot_ood.py`` measured); ``"none"`` ranks as trained. #TagSpace/WSABIE and a
supervised model's own probabilities (no ``candidates=``) are ranked as trained. A folder saved
before the reference ranks as it did (ConSE centred on ``centring.npz`` if it has one).

A candidate hashtag without a word vector of its own gets, with fastText vectors (gensim
``FastTextKeyedVectors``: :func:`tagzsl.embeddings.train_fasttext`, a fastText ``.bin``), the
mean of its character n-gram vectors (every hashtag has one; saved with the model); with
word2vec vectors one composed from its segmented words
(:func:`tagzsl.hashtag_vectors.hashtag_vector`), and one for which none can be composed is left
out with a :class:`MissingVectorWarning`. A text that cleans to nothing (empty, emoji only,
hashtags and links only) gets an :class:`Unusable` entry instead of a ranking; the others are
still ranked. Saving writes a folder without pickles (:mod:`tagzsl.storage`).

Each group of methods has one backend (:mod:`tagzsl.backends`) that owns its fit, scores, save and
load; the recommender picks it once from ``method`` and does what all families share (cleaning,
candidates, top-k, the folder's ``config.json``, ``vectors.npz`` and ``reference.npz``).
"""
from __future__ import annotations
import dataclasses
import pathlib
import warnings

from tagzsl import backends, config, hparams as hp_check, preprocess, ranking, storage
from tagzsl.backends import Backend, checks
from tagzsl.hubness import CORRECTIONS as HUBNESS, DEFAULT as DEFAULT_HUBNESS

METHODS = hp_check.METHODS
PREDICT_BATCH = ranking.PREDICT_BATCH
_PARAMS = ("method", "vectors", "seed", "hubness")


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


def _learned(name: str, doc: str) -> property:
    """A fitted attribute read from the backend (AttributeError before ``fit``/``load``)."""
    def get(self):
        backend = self.__dict__.get("backend_")
        if backend is None or not hasattr(backend, name):
            raise AttributeError(f"this Recommender has no {name!r}: it is not fitted (or its method has none)")
        return getattr(backend, name)
    return property(get, doc=doc)


def _check_hubness(hubness) -> None:
    if hubness not in HUBNESS:
        raise ValueError(f"hubness must be one of {', '.join(HUBNESS)}; got {hubness!r}")


def _as_cleaned(texts) -> list[str]:
    """Texts already cleaned (strings, or lists of tokens), checked non-empty."""
    out = [" ".join(t) if isinstance(t, (list, tuple)) else t for t in texts]
    if not out:
        raise ValueError("no texts given")
    bad = [i for i, t in enumerate(out) if not isinstance(t, str) or not t.split()]
    if bad:
        raise ValueError(f"{len(bad)} of {len(out)} cleaned texts are empty or not text: items "
                         f"{', '.join(map(str, bad[:5]))}{' ...' if len(bad) > 5 else ''}")
    return out


class Recommender:
    """Recommend hashtags for raw tweets with ``method`` (see the module docstring).

    Args:
        method: one of :data:`METHODS`.
        vectors: gensim ``KeyedVectors`` (the 150-d skip-gram vectors): the supervised models'
            Embedding initialiser, and the hashtag vectors that ``candidates=`` and the zero-shot
            methods need (required for those).
        seed: every random choice of training derives from it.
        hubness: the correction of rankings by word vectors, one of :data:`HUBNESS`; default
            :data:`tagzsl.hubness.DEFAULT` (module docstring); ``"none"``: as trained.
        **hparams: the method's hyper-parameters: :class:`tagzsl.supervised.Classifier`
            arguments (supervised), :func:`tagzsl.tagspace.train` arguments plus ``min_count``
            (hashtags seen fewer times are dropped; #TagSpace), or
            :class:`tagzsl.zsl_training.TrainingSettings` fields (zero-shot).

    Learned state: ``backend_`` (the method's :class:`tagzsl.backends.Backend`), and read
    from it ``hashtags_`` (the hashtags it was trained on), ``history_``, ``vocabulary_``,
    ``reference_`` (``centring_`` of an older folder) and its parts (``classifier_``; ``model_``,
    ``encoder_``; ``model_``, ``vectorizer_``, ``arrays_``); ``mode_`` (``"quick"``/``"full"``
    when ``tagzsl train`` set it).
    """

    hashtags_ = _learned("hashtags_", "The hashtags it was trained on (the columns it ranks).")
    history_ = _learned("history_", "Training history (per-epoch figures).")
    vocabulary_ = _learned("vocabulary_", "The words the model reads.")
    reference_ = _learned("reference_", "Model outputs of sampled training tweets (the hubness reference), or None.")
    centring_ = _learned("centring_", "A folder saved before the reference: its training tweets' mean ConSE vector.")
    classifier_ = _learned("classifier_", "Supervised: the trained tagzsl.supervised.Classifier.")
    model_ = _learned("model_", "#TagSpace and zero-shot: the Keras model.")
    encoder_ = _learned("encoder_", "#TagSpace: the word and hashtag encoder.")
    vectorizer_ = _learned("vectorizer_", "Zero-shot: the TextVectorization layer.")
    arrays_ = _learned("arrays_", "Zero-shot: the seen hashtags' vectors ('seen') and ESZSL's 'W'.")

    def __init__(self, method: str = "gru_attention", vectors=None, seed: int = config.DEFAULT_SEED,
                 hubness: str = DEFAULT_HUBNESS, **hparams):
        _check_hubness(hubness)
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
            hp_check.check(method, {k: v for k, v in params.items() if k not in _PARAMS}, names_only=True)
        for key, value in params.items():
            if key in _PARAMS:
                setattr(self, key, value)
            else:
                self.hparams[key] = value
        return self

    def __repr__(self):
        shown = {k: v for k, v in self.get_params().items() if k != "vectors"}
        return f"Recommender({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    def _backend(self) -> Backend:
        """A new backend of this ``method``'s family: the one dispatch on the family."""
        return backends.backend_for(self.method, self.seed, self.hubness, self.hparams)

    # ------------------------------------------------------------------ training
    def _checked_backend(self) -> Backend:
        """:meth:`_backend` after checking the method, the hubness correction and the hyper-parameters."""
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        _check_hubness(self.hubness)
        hp_check.check(self.method, self.hparams)
        return self._backend()

    def fit(self, texts, hashtags, cleaned: bool = False):
        """Train on raw tweet ``texts``; ``hashtags``: one per text (a list per text for
        ``tagspace``/``wsabie``; for the others the first of a list is used). Returns ``self``.

        ``cleaned=True``: ``texts`` are already cleaned (:func:`tagzsl.preprocess.clean_texts`
        output, or lists of tokens) and are not cleaned again."""
        backend = self._checked_backend()
        texts = [texts] if isinstance(texts, str) else list(texts)
        hashtags = [hashtags] if isinstance(hashtags, str) else list(hashtags)
        if len(texts) != len(hashtags):
            raise ValueError(f"{len(texts)} texts but {len(hashtags)} hashtags")
        tag_lists = [[preprocess.normalise_hashtag(t) for t in ([h] if isinstance(h, str) else h)]
                     for h in hashtags]
        texts = _as_cleaned(texts) if cleaned else preprocess.clean_texts(texts)
        backend.fit(texts, tag_lists, self.vectors)
        self.backend_ = backend
        return self

    def fit_encoded(self, encoded, labels, verbose: int = 0):
        """``tagspace``/``wsabie`` only: train on a person's encoded posts
        (:func:`tagzsl.own_data.encode`) with ``labels`` (:func:`tagzsl.own_training.select_labels`
        with ``multi_label=True``), streamed from disk by ``tf.data``; ``verbose``: Keras's epoch
        progress (1 a bar, 2 a line an epoch). Returns ``self``."""
        backend = self._checked_backend()
        backend.fit_encoded(encoded, labels, verbose)
        self.backend_ = backend
        return self

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self):
        if "backend_" not in self.__dict__:
            raise RuntimeError("this Recommender is not fitted yet: call fit() or Recommender.load()")

    def _candidates(self, candidates):
        """``(names, vectors or None)`` of the hashtags to rank; warns about those left out."""
        if candidates is None:
            return list(self.hashtags_), None
        if isinstance(candidates, str):
            candidates = [c for c in candidates.split(",") if c.strip()]
        names = list(dict.fromkeys(ranking.candidate_name(c) for c in candidates))
        if self.backend_.by_vector:
            vectors, missing = ranking.vectors_for(self.vectors, names)
            why = "have no word vector and none could be composed from their words"
            vectors = vectors[[n not in missing for n in names]]
        else:
            known = set(self.hashtags_)
            missing = [n for n in names if n not in known]
            why = f"are not among the {len(known)} hashtags this {self.method} model was trained on"
            vectors = None
        names = [n for n in names if n not in set(missing)]
        if not names:
            raise ValueError(f"none of the candidate hashtags can be ranked: {', '.join(missing)} {why}")
        if missing:
            warnings.warn(f"{len(missing)} candidate hashtag(s) {why} and were not ranked: "
                          f"{', '.join(missing)}", MissingVectorWarning, stacklevel=3)
        return names, vectors

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
            kv = self.vectors if vectors is not None else None  # already read for the candidates
            scores = self.backend_.scores([cleaned[i] for i in usable], names, vectors, kv)
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
               "centring": self.centring_ is not None, "reference": self.reference_ is not None}

        def write(tmp):
            if self.vectors is not None:
                storage.write_vectors(tmp / storage.VECTORS, self.vectors)
            self.backend_.write(tmp)
            if cfg["centring"]:
                storage.write_arrays(tmp / storage.CENTRING, {"tweet_mean": self.centring_})
            if cfg["reference"]:
                storage.write_arrays(tmp / storage.REFERENCE, {"outputs": self.reference_})
            storage.write_json(tmp / storage.CONFIG, cfg)  # last: marks a complete folder

        return storage.write_folder(directory, write, overwrite=overwrite)

    @classmethod
    def load(cls, directory) -> "Recommender":
        """Load a folder written by :meth:`save`; a :class:`tagzsl.storage.ModelFolderError`
        naming the file for anything missing or damaged. Nothing is unpickled."""
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
        backend = rec._backend()
        backend.hashtags_, backend.history_, rec.mode_ = list(hashtags), cfg.get("history", {}), cfg.get("mode")
        if cfg.get("centring"):  # folders saved before the reference (ConSE centring)
            backend.centring_ = storage.read_vector(directory / storage.CENTRING, "tweet_mean")
        if cfg.get("reference"):  # folders saved before it rank as they did
            backend.reference_ = storage.read_matrix(directory / storage.REFERENCE, "outputs")
        vocabulary = storage.read_json(directory / storage.VOCABULARY)
        if not isinstance(vocabulary, list) or len(vocabulary) < 3 or not all(isinstance(w, str) for w in vocabulary):
            raise storage.ModelFolderError(f"{directory / storage.VOCABULARY} is not a vocabulary (a list of words): "
                                           f"the file is damaged; {storage.RETRAIN}")
        backend.read(directory, vocabulary)
        checks.check_reference(directory, backend)
        rec.backend_ = backend
        return rec
