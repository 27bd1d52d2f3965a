"""The papers' experimental protocols, one module per notebook.

* :mod:`tagzsl.experiments.dataset`: notebook 01 (corpus, cleaning funnel, label set).
* :mod:`tagzsl.experiments.supervised`: notebook 02 (Table 2: folds, models, result tables).
* :mod:`tagzsl.experiments.zero_shot`: notebook 03 (Tables 3-4: partitions, grids, results).
* :mod:`tagzsl.experiments.tagspace`: notebook 04 (#TagSpace corpus, baselines, Tables 3-5).

Each module has a frozen ``Settings`` dataclass and three instances, ``FULL`` (the papers'
protocol as far as the 2-core CPU allows), ``LESSON`` (a notebook in under five minutes with
numbers above chance) and ``QUICK`` (a smoke test for CI), looked up by :func:`settings_for`.
Methods (models, losses, closed forms) live one level down, in ``tagzsl.models``,
``tagzsl.supervised``, ``tagzsl.zsl`` and ``tagzsl.tagspace``; nothing there imports from here.
"""
from __future__ import annotations

MODES = ("full", "lesson", "quick")


def settings_for(module, mode: str):
    """The ``FULL``/``LESSON``/``QUICK`` settings of an experiments ``module`` by mode name."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    return getattr(module, mode.upper())
