"""The one place the recommender calls :func:`tagzsl.tagspace.train`: explicit split frames in,
the trained model out (no experiment corpus container)."""
from __future__ import annotations

import dataclasses

import pandas as pd


@dataclasses.dataclass(frozen=True)
class Split:
    """What :func:`tagzsl.tagspace.train` reads: fit and validation frames (``tokens``,
    ``hashtags`` columns) and the hashtags to rank."""

    train: pd.DataFrame
    val: pd.DataFrame
    tags: list


def train(method: str, fit: pd.DataFrame, val: pd.DataFrame, tags: list, seed: int, hparams: dict):
    """:func:`tagzsl.tagspace.train` on ``fit``/``val`` with ``hparams`` as its
    :class:`tagzsl.tagspace.TrainingSettings`; returns its ``Trained``."""
    from tagzsl import tagspace

    return tagspace.train(method, Split(fit, val, list(tags)), tagspace.TrainingSettings(**hparams), seed=seed)
