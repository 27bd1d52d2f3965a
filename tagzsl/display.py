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


def masked(text) -> str:
    """``text`` with every word of the profanity list replaced by asterisks (for the papers' own
    example posts, which are shown whatever they say)."""
    from better_profanity import profanity

    return profanity.censor(str(text), "*")


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


#: what a table shows where a side has no value
DASH = "–"


def dash(frame: pd.DataFrame, digits: int | None = None) -> pd.DataFrame:
    """``frame`` for display: numbers rounded to ``digits`` (when given), every empty cell
    (``NaN``, ``None``, ``<NA>``) shown as "–", and the index kept."""
    out = frame.round(digits) if digits is not None else frame.copy()
    out = out.astype(object)
    return out.where(out.notna(), DASH)


def counted(n: int, noun: str) -> str:
    """``"7 sources"``, ``"1 source"``: a count with its noun in the right number."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def readable_text(text) -> str:
    """``text`` with mojibake repaired where it can be: runs of characters that are UTF-8 bytes
    read as Latin-1/cp1252 (``"ðŸ˜Š"``) are decoded back; a run that does not decode (bytes
    lost by the source) is dropped rather than shown as garbage."""
    import re

    def repair(match):
        run = match.group(0)
        for codec in ("cp1252", "latin-1"):
            try:
                return run.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
        return ""

    return re.sub(r"[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                  r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}",
                  repair, str(text))


def shorten(text, width: int = 90) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters, "…" marking a cut."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1].rsplit(" ", 1)[0]
    return cut + "…"


def readable(frame: pd.DataFrame, columns=None, width: int | None = None) -> pd.DataFrame:
    """A copy of ``frame`` with the text ``columns`` (default: every object column) repaired by
    :func:`readable_text` and, with ``width``, cut at a word boundary by :func:`shorten`; a text
    already ``width`` characters or longer (cut elsewhere, perhaps mid-word) loses its last,
    possibly partial, word."""
    out = frame.copy()

    def fix(value):
        if not isinstance(value, str):
            return value
        text = readable_text(value)
        if width and len(value) >= width and " " in text.strip():
            text = text.rstrip().rsplit(" ", 1)[0] + "…"
        return shorten(text, width) if width else text

    for c in columns or [c for c in out.columns if pd.api.types.is_object_dtype(out[c]) or pd.api.types.is_string_dtype(out[c])]:
        out[c] = [fix(v) for v in out[c]]
    return out
