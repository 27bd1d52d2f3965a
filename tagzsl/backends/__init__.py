"""Per-family parts of :class:`tagzsl.recommender.Recommender`: one backend class per method
family (:data:`BACKENDS`), each owning its fit, scores, save and load."""
from __future__ import annotations

from tagzsl import hparams
from tagzsl.backends.base import Backend
from tagzsl.backends.supervised import Supervised
from tagzsl.backends.tagspace import TagSpace
from tagzsl.backends.zero_shot import ZeroShot

#: family (:func:`tagzsl.hparams.family`) -> its backend class
BACKENDS: dict[str, type[Backend]] = {"supervised": Supervised, "tagspace": TagSpace, "zero_shot": ZeroShot}


def backend_for(method: str, seed: int, hubness: str, hyper: dict) -> Backend:
    """A new, unfitted backend for ``method`` (ValueError for an unknown one)."""
    return BACKENDS[hparams.family(method)](method, seed, hubness, hyper)
