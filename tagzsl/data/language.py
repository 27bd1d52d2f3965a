"""Which language a post is in, for the English filter of the cleaning funnel.

Sources without language metadata get a code from py3langid (its model ships inside the
package, so this works offline), restricted to the languages most used on Twitter.
"""
from __future__ import annotations

import functools
import html
import re

import numpy as np
import pandas as pd

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w+")

#: languages the identifier chooses among: the most used on Twitter (restricting the set
#: stops short English tweets being read as Pidgin, Latin or Frisian)
TWITTER_LANGUAGES = ("en", "ja", "es", "pt", "ar", "ko", "th", "fr", "tr", "id", "ru", "de", "it",
                     "tl", "hi", "nl", "pl", "fa", "ur", "ms", "sv", "zh")


@functools.lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)
    ident.set_languages(list(TWITTER_LANGUAGES))
    return ident


def identify_languages(texts) -> list[str]:
    """ISO 639-1 code of each text by py3langid (among :data:`TWITTER_LANGUAGES`), read on the
    text without links, mentions, HTML entities and ``#`` signs (hashtag words stay)."""
    ident = _language_identifier()
    out = []
    for text in texts:
        text = _MENTION.sub(" ", _URL.sub(" ", html.unescape(str(text)))).replace("#", " ")
        out.append(ident.classify(text)[0] if text.strip() else "und")
    return out


def fill_languages(lang: pd.Series, texts: pd.Series) -> pd.Series:
    """``lang`` with every missing value identified from ``texts``; metadata wins where present."""
    missing = np.array([not isinstance(x, str) or x == "" for x in lang], dtype=bool)
    out = lang.astype(object).copy()
    if missing.any():
        out[missing] = identify_languages(texts[missing])
    return out
