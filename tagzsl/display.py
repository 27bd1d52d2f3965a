"""What the notebooks show a class: example tweets that pass a profanity word list, and the
content note at the top of each notebook.

The word list is the maintained one of the ``better-profanity`` package (with its leetspeak
variants), not a list typed here. A word list cannot catch every offensive tweet: the note
says so.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from tagzsl import config

CONTENT_NOTE = """\
> **Content note.** The corpus is real tweets, collected by others for research. Some of it
> comes from collections built to study hate speech, offensive language and irony, so the
> tweets (and a few hashtags) can be offensive. The models are trained and evaluated on all
> of them; the example tables in these notebooks show only tweets that pass a profanity
> word list (the `better-profanity` package), which catches swear words but not every
> offensive tweet."""


def content_note() -> str:
    """The content note (Markdown) for the top of each notebook and the README."""
    return CONTENT_NOTE


def is_clean(text) -> bool:
    """True when ``text`` contains no word (or leetspeak variant) of better-profanity's list."""
    from better_profanity import profanity

    return not profanity.contains_profanity(str(text))


def safe_examples(frame: pd.DataFrame, text_column: str | Sequence[str] = "text", n: int = 5,
                  seed: int = config.DEFAULT_SEED) -> pd.DataFrame:
    """``n`` rows of ``frame`` drawn at random (from ``seed``) among those whose text passes
    the profanity word list, in the frame's order.

    ``text_column`` may name several columns (e.g. the tweet and its hashtags): all must
    pass. Rows are checked in the random order until ``n`` pass, so a large frame costs
    only a few checks; fewer than ``n`` rows come back when fewer pass.
    """
    columns = [text_column] if isinstance(text_column, str) else list(text_column)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"safe_examples: column(s) {missing} not in the frame (columns: {list(frame.columns)})")
    if n < 0:
        raise ValueError(f"safe_examples: n must be >= 0, got {n}")
    order = np.random.default_rng(seed).permutation(len(frame))
    picked = []
    for position in order:
        if len(picked) == n:
            break
        row = frame.iloc[position]
        if all(is_clean(_as_text(row[c])) for c in columns):
            picked.append(position)
    return frame.iloc[sorted(picked)]


def _as_text(value) -> str:
    if isinstance(value, (list, tuple, np.ndarray)):
        return " ".join(map(str, value))
    return "" if value is None else str(value)
