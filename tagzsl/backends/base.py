"""What every method family's backend shares: its hyper-parameters, its learned state
(``hashtags_``, ``history_``, ``reference_``) and the one path that ranks candidate hashtags by
their word vectors with the hubness correction (:meth:`Backend.scores`)."""
from __future__ import annotations

import numpy as np

from tagzsl import hashtag_vectors, hubness, ranking


class Backend:
    """One method family's fit, scores, save (:meth:`write`) and load (:meth:`read`).

    :class:`tagzsl.recommender.Recommender` cleans the texts, picks the candidates and writes the
    parts every folder has (``config.json``, ``vectors.npz``, ``reference.npz``); a backend does the rest.

    Ranking by word vectors, for every family that does (one path, :meth:`scores`): the model's
    :meth:`outputs` for the tweets and for the reference tweets (``reference_``, kept by
    :meth:`keep_reference` at fit) become scores against the same candidates by the family's
    :meth:`vector_scores`, then :func:`tagzsl.hubness.correct` with ``hubness`` (default
    :data:`tagzsl.hubness.DEFAULT`).
    """

    #: candidates are ranked by their word vectors (False: only among the trained hashtags)
    by_vector = True
    #: without candidates the trained hashtags are ranked by their vectors too (zero-shot);
    #: False: by the model's own outputs (a classifier's probabilities), untouched
    trained_by_vector = False
    #: the model outputs of a seeded sample of training tweets (:meth:`keep_reference`)
    reference_ = None
    #: a folder saved before the reference: its training tweets' mean ConSE vector (ConSE centring)
    centring_ = None

    def __init__(self, method: str, seed: int, hubness: str, hparams: dict):
        self.method, self.seed, self.hubness, self.hparams = method, seed, hubness, dict(hparams)

    def fit(self, cleaned: list[str], tag_lists: list[list[str]], kv) -> None:
        """Train on cleaned texts and their normalised hashtags; ``kv``: word vectors or None."""
        raise NotImplementedError

    def fit_encoded(self, encoded, labels, verbose: int = 0) -> None:
        """Train on encoded posts streamed from disk (the families that can: #TagSpace, WSABIE)."""
        raise ValueError(f"{self.method} trains from texts (fit), not from encoded posts; "
                         "fit_encoded is for tagspace and wsabie")

    def outputs(self, cleaned: list[str]) -> np.ndarray:
        """The model's outputs, one row per cleaned text (what :meth:`vector_scores` ranks from)."""
        raise NotImplementedError

    @property
    def output_width(self) -> int:
        """The number of columns of :meth:`outputs` (checks a loaded ``reference.npz``)."""
        raise NotImplementedError

    def seen_vectors(self, kv) -> np.ndarray:
        """The trained hashtags' vectors (ConSE's seen hashtags), from ``kv``."""
        return ranking.vectors_for(kv, self.hashtags_)[0]

    def vector_scores(self, outputs, vectors, seen) -> np.ndarray:
        """Uncorrected scores of ``outputs`` against candidate ``vectors`` (default: ConSE, the
        outputs being probabilities of the hashtags whose vectors are ``seen``)."""
        from tagzsl import zsl

        return zsl.conse(outputs, seen, vectors)

    def keep_reference(self, cleaned: list[str]) -> None:
        """Keep the outputs of a sample of up to :data:`tagzsl.hubness.REFERENCE_TWEETS` training
        texts, drawn from the seed (:func:`tagzsl.hubness.reference_rows`)."""
        rows = hubness.reference_rows(len(cleaned), self.seed)
        self.reference_ = np.asarray(self.outputs([cleaned[i] for i in rows]), dtype="float32")

    def scores(self, cleaned: list[str], names: list[str], vectors, kv) -> np.ndarray:
        """One row per cleaned text, one column per hashtag of ``names``; ``vectors``: theirs
        (None: ``names`` are the trained hashtags), ``kv``: the word vectors when ``vectors`` is given."""
        outputs = self.outputs(cleaned)
        if vectors is None and not self.trained_by_vector:
            return outputs
        seen = self.seen_vectors(kv)
        vectors = seen if vectors is None else vectors
        raw = self.vector_scores(outputs, vectors, seen)
        if self.reference_ is not None:
            return hubness.correct(raw, self.hubness, self.vector_scores(self.reference_, vectors, seen))
        if self.hubness != "none" and self.centring_ is not None:  # saved before the reference: as then
            return hashtag_vectors.centred_cosine(hashtag_vectors.conse_embedding(outputs, seen), vectors,
                                                  self.centring_)
        return raw

    def write(self, tmp) -> None:
        """Write the family's files (model, arrays, vocabulary) into the folder ``tmp``."""
        raise NotImplementedError

    def read(self, directory, vocabulary: list[str]) -> None:
        """Read the family's files from ``directory`` (``hashtags_`` already set), checked."""
        raise NotImplementedError

    @property
    def vocabulary_(self) -> list[str]:
        """The words the model reads (``vocabulary.json`` of a saved folder)."""
        raise NotImplementedError


def first_labels(tag_lists) -> list[str]:
    """One hashtag per text (the first of its list) for the one-label families."""
    if any(not tags for tags in tag_lists):
        raise ValueError("every text needs at least one hashtag")
    return [tags[0] for tags in tag_lists]
