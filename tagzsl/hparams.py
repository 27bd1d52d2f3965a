"""The one translation from an experiment's settings to a recommender method's hyper-parameters.

``tagzsl train``, the demo and the notebooks' "for people" sections all train a
:class:`tagzsl.recommender.Recommender` in the sizes of a notebook run; they take those sizes
from :func:`for_method` (or :func:`for_mode`), so a method trains the same way wherever it is
made (the supervised models at the settings' batch size, the zero-shot GRU with every
:class:`tagzsl.zsl_training.TrainingSettings` field, #TagSpace with the picked learning rate
and token dropout).

A smoke run's ``train_limit`` (:func:`train_limit`) means a seeded random sample of that many
rows (:func:`sample_rows`), as :func:`tagzsl.experiments.tagspace.build_corpus` draws it, not
the first rows of the corpus.
"""
from __future__ import annotations

import dataclasses

import numpy as np

SUPERVISED = ("ann", "cnn", "gru", "gru_attention", "transformer")
TAGSPACE = ("tagspace", "wsabie")
ZERO_SHOT = ("conse", "eszsl", "dem")
METHODS = SUPERVISED + TAGSPACE + ZERO_SHOT


def family(method: str) -> str:
    """``"supervised"``, ``"tagspace"`` or ``"zero_shot"``; ValueError for an unknown method."""
    for name, members in (("supervised", SUPERVISED), ("tagspace", TAGSPACE), ("zero_shot", ZERO_SHOT)):
        if method in members:
            return name
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")


def experiment_module(method: str):
    """The :mod:`tagzsl.experiments` module whose ``Settings`` size ``method``."""
    import importlib

    return importlib.import_module(f"tagzsl.experiments.{family(method)}")


def for_method(method: str, settings) -> dict:
    """The :class:`~tagzsl.recommender.Recommender` hyper-parameters (``**hparams``) of ``method``
    in an experiment's ``settings`` (the ``Settings`` of :func:`experiment_module`; e.g.
    ``tagzsl.experiments.supervised.LESSON`` for ``"gru_attention"``)."""
    kind = family(method)
    if kind == "supervised":
        spec = settings.spec(method)
        spec.pop("model")
        return spec
    if kind == "zero_shot":
        from tagzsl.zsl_training import TrainingSettings

        return {f.name: getattr(settings, f.name) for f in dataclasses.fields(TrainingSettings)}
    return {"dim": settings.dims[0], "min_count": settings.min_count,
            **settings.train_kwargs(method), **settings.picked(method)}


def for_mode(method: str, mode: str) -> dict:
    """:func:`for_method` with the ``"full"``, ``"lesson"`` or ``"quick"`` settings of ``method``'s notebook."""
    from tagzsl import experiments

    return for_method(method, experiments.settings_for(experiment_module(method), mode))


def train_limit(method: str, settings) -> int | None:
    """How many training rows a run of ``settings`` keeps (None: all)."""
    return getattr(settings, "train_limit", None) if family(method) == "tagspace" else None


def sample_rows(n_rows: int, limit: int | None, seed: int) -> np.ndarray:
    """Row indices of a seeded random sample of ``limit`` of ``n_rows`` rows (all rows, in order,
    when ``limit`` is None or not smaller): the rows ``pandas.DataFrame.sample(n=limit,
    random_state=seed)`` picks."""
    if limit is None or limit >= n_rows:
        return np.arange(n_rows)
    return np.random.RandomState(seed).choice(n_rows, size=int(limit), replace=False)
