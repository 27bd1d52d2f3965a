"""What every method family's backend shares: its hyper-parameters, its learned state
(``hashtags_``, ``history_``, ``centring_``) and the ConSE ranking with the hubness correction."""
from __future__ import annotations

import numpy as np

from tagzsl import hashtag_vectors, ranking


class Backend:
    """One method family's fit, scores, save (:meth:`write`) and load (:meth:`read`).

    :class:`tagzsl.recommender.Recommender` cleans the texts, picks the candidates and writes the
    parts every folder has (``config.json``, ``vectors.npz``, ``centring.npz``); a backend does the rest.
    """

    #: candidates are ranked by their word vectors (False: only among the trained hashtags)
    by_vector = True
    #: the training tweets' mean ConSE vector (hubness centring), where the family measured it
    centring_ = None

    def __init__(self, method: str, seed: int, hubness: str, hparams: dict):
        self.method, self.seed, self.hubness, self.hparams = method, seed, hubness, dict(hparams)

    def fit(self, cleaned: list[str], tag_lists: list[list[str]], kv) -> None:
        """Train on cleaned texts and their normalised hashtags; ``kv``: word vectors or None."""
        raise NotImplementedError

    def scores(self, cleaned: list[str], names: list[str], vectors, kv) -> np.ndarray:
        """One row per cleaned text, one column per hashtag of ``names``; ``vectors``: theirs
        (None: ``names`` are the trained hashtags), ``kv``: the word vectors when ``vectors`` is given."""
        raise NotImplementedError

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

    def tweet_mean(self, kv, probs) -> np.ndarray:
        """Mean ConSE vector of the training tweets (``probs``: their seen-hashtag probabilities)."""
        seen = ranking.vectors_for(kv, self.hashtags_)[0]
        return hashtag_vectors.conse_embedding(probs, seen).mean(axis=0)

    def conse(self, probs, seen, candidates) -> np.ndarray:
        """ConSE scores, centred when ``hubness="centre"`` and the tweet mean is known."""
        from tagzsl import zsl

        if self.hubness == "none" or self.centring_ is None:
            return zsl.conse(probs, seen, candidates)
        return hashtag_vectors.centred_cosine(hashtag_vectors.conse_embedding(probs, seen), candidates,
                                              self.centring_)


def first_labels(tag_lists) -> list[str]:
    """One hashtag per text (the first of its list) for the one-label families."""
    if any(not tags for tags in tag_lists):
        raise ValueError("every text needs at least one hashtag")
    return [tags[0] for tags in tag_lists]
