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


# --------------------------------------------------------------------------- checking
_POSITIVE_INTS = ("epochs", "batch_size", "sequence_length", "units", "units2", "filters", "features", "dim",
                  "hidden", "dem_epochs", "few_shot_epochs", "max_draws", "min_count", "num_blocks", "num_heads",
                  "ff_dim", "key_dim", "attention_units", "embedding_dim", "max_tokens")
_POSITIVE_FLOATS = ("learning_rate", "dem_learning_rate")
_FRACTIONS = ("dropout", "token_dropout")
_OPTIONAL = ("max_tokens", "attention_units", "key_dim", "patience")


def valid_names(method: str) -> list[str]:
    """The hyper-parameters ``method`` takes (``Recommender(method, **hparams)``)."""
    import inspect

    kind = family(method)
    if kind == "zero_shot":
        from tagzsl.zsl_training import TrainingSettings

        return sorted(f.name for f in dataclasses.fields(TrainingSettings))
    if kind == "tagspace":
        from tagzsl.tagspace import TrainingSettings

        names = {f.name for f in dataclasses.fields(TrainingSettings)} | {"min_count"}
        return sorted(names - ({"hidden"} if method == "wsabie" else set()))
    from tagzsl import models

    skip = {"self", "model", "seed", "vectors", "inputs", "x", "num_classes", "vocab_size", "embedding_matrix",
            "compile", "name"}
    names = set()
    for fn in (supervised_init(), models.build_model, models.MODELS[method]):
        names |= {p.name for p in inspect.signature(fn).parameters.values()
                  if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name not in skip}
    return sorted(names)


def supervised_init():
    from tagzsl.supervised import Classifier

    return Classifier.__init__


def check(method: str, params: dict, names_only: bool = False) -> None:
    """ValueError naming the first unknown hyper-parameter of ``method`` (and the valid ones) or,
    unless ``names_only``, a value of the wrong kind (counts must be positive integers, learning
    rates positive, dropouts in [0, 1))."""
    valid = valid_names(method)
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ValueError(f"unknown hyper-parameter(s) for method {method!r}: {', '.join(unknown)}; "
                         f"valid ones: {', '.join(valid)}")
    if names_only:
        return
    for name, value in params.items():
        if value is None and name in _OPTIONAL:
            continue
        if name in _POSITIVE_INTS and not _is_int(value, minimum=1):
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if name == "patience" and not _is_int(value, minimum=0):
            raise ValueError(f"patience must be a non-negative integer or None; got {value!r}")
        if name in _POSITIVE_FLOATS and not (_is_number(value) and value > 0):
            raise ValueError(f"{name} must be a positive number; got {value!r}")
        if name in _FRACTIONS and not (_is_number(value) and 0 <= value < 1):
            raise ValueError(f"{name} must be a number in [0, 1); got {value!r}")


def _is_int(value, minimum: int) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and bool(np.isfinite(value))
