"""Raw Twitter API JSON (the zero-shot paper's section 3.1 collection format).

:func:`read_tweet_json` reads one JSON object per line, plain or gzipped (detected from the
file's first bytes, whatever its name), in any of these shapes:

* API v1.1 REST: ``full_text`` (``tweet_mode=extended``) or ``text``;
* API v1.1 streaming: ``text`` plus, for a ``truncated`` tweet, ``extended_tweet.full_text``
  (and ``extended_tweet.entities``);
* retweets (v1.1): the *original* tweet is recovered from ``retweeted_status`` with its own
  extended text and hashtags, and marked ``is_retweet=True``;
* API v2: a ``{"data": {...}, "includes": {...}}`` response line or a bare v2 tweet
  (``id``, ``text``, ``lang``, ``entities.hashtags[].tag``; ``note_tweet.text`` for long
  tweets). A v2 retweet whose original is in ``includes.tweets`` yields the original.

Hashtags come from the tweet's ``entities.hashtags`` when present (v1.1 ``text`` key, v2
``tag`` key), otherwise from the text with :func:`tagzsl.preprocess.extract_hashtags`.
Twitter's HTML escapes in v1.1 text (``&amp;``, ``&lt;``, ``&gt;``) are undone.

Lines that are not JSON, not an object, or a tweet without text are counted and skipped
(``df.attrs["malformed"]``, ``df.attrs["malformed_lines"]``); streaming notices such as
``{"delete": ...}`` or ``{"limit": ...}`` are counted separately (``df.attrs["notices"]``).
"""
from __future__ import annotations

import gzip
import json
import logging
import pathlib
from typing import Iterator

import pandas as pd

from tagzsl.preprocess import extract_hashtags

log = logging.getLogger(__name__)

COLUMNS = ["id", "text", "lang", "hashtags", "is_retweet", "created_at"]
_GZIP_MAGIC = b"\x1f\x8b"
#: Top-level keys of the streaming API's non-tweet messages.
_NOTICES = frozenset({"delete", "limit", "scrub_geo", "status_withheld", "user_withheld",
                      "disconnect", "warning", "event", "friends"})
_SHOW_LINES = 5


def _unescape(text: str) -> str:
    """Undo the three HTML escapes Twitter applies to tweet text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _tweet_text(tweet: dict) -> str | None:
    """The full text of one tweet object (v2 note_tweet, extended_tweet, full_text, text)."""
    for holder, key in ((tweet.get("note_tweet"), "text"),
                        (tweet.get("extended_tweet"), "full_text"),
                        (tweet, "full_text"),
                        (tweet, "text")):
        if isinstance(holder, dict) and isinstance(holder.get(key), str) and holder[key].strip():
            return _unescape(holder[key])
    return None


def _entity_hashtags(tweet: dict) -> list[str]:
    """Lower-case hashtags from the most complete ``entities`` of ``tweet`` (may be empty)."""
    for holder in (tweet.get("extended_tweet"), tweet.get("note_tweet"), tweet):
        entities = holder.get("entities") if isinstance(holder, dict) else None
        tags = entities.get("hashtags") if isinstance(entities, dict) else None
        if tags:
            out = []
            for tag in tags:
                name = (tag.get("tag") or tag.get("text")) if isinstance(tag, dict) else None
                if isinstance(name, str) and name.strip():
                    out.append(name.strip().lstrip("#").lower())
            return list(dict.fromkeys(out))
    return []


def _v2_original(tweet: dict, includes: dict | None) -> dict | None:
    """For a v2 retweet, the original tweet from ``includes.tweets`` (or ``None``)."""
    refs = tweet.get("referenced_tweets") or []
    ids = {str(r.get("id")) for r in refs if isinstance(r, dict) and r.get("type") == "retweeted"}
    if not ids or not isinstance(includes, dict):
        return None
    for candidate in includes.get("tweets") or []:
        if isinstance(candidate, dict) and str(candidate.get("id")) in ids:
            return candidate
    return None


def parse_tweet(obj: dict) -> dict | None:
    """One row (``id, text, lang, hashtags, is_retweet, created_at``) from one API object.

    Returns ``None`` when the object holds no tweet text.
    """
    includes = None
    if isinstance(obj.get("data"), dict):  # v2 response line
        obj, includes = obj["data"], obj.get("includes")
    is_retweet = False
    if isinstance(obj.get("retweeted_status"), dict):  # v1.1 retweet
        obj, is_retweet = obj["retweeted_status"], True
    else:
        original = _v2_original(obj, includes)
        if original is not None:
            obj, is_retweet = original, True
    text = _tweet_text(obj)
    if text is None:
        return None
    tweet_id = obj.get("id_str") or obj.get("id")
    return {
        "id": str(tweet_id) if tweet_id is not None else None,
        "text": text,
        "lang": obj.get("lang"),
        "hashtags": _entity_hashtags(obj) or extract_hashtags(text, drop=()),
        "is_retweet": is_retweet,
        "created_at": obj.get("created_at"),
    }


def is_gzip(path) -> bool:
    """True when ``path`` starts with the gzip magic bytes (whatever its name)."""
    with open(path, "rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def open_maybe_gzip(path):
    """``path`` opened for binary reading, decompressed when it is gzip (detected from its bytes)."""
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def iter_tweet_json(fh, stats: dict, name="") -> Iterator[dict]:
    """Rows (as :func:`parse_tweet`) from an open binary stream of JSON lines, one at a time.

    ``stats`` is updated in place: ``bad`` (1-based numbers of malformed lines), ``notices``,
    ``truncated`` (a damaged gzip stream ended the read; the rows before it were yielded) and
    ``first`` (the first non-blank character, to tell a JSON array from JSON lines).
    """
    stats.setdefault("bad", [])
    stats.setdefault("notices", 0)
    stats.setdefault("truncated", False)
    stats.setdefault("first", "")
    lineno = rows = 0
    try:
        for lineno, raw in enumerate(fh, start=1):
            try:
                line = raw.decode("utf-8").lstrip("\ufeff").strip()
            except UnicodeDecodeError:
                stats["bad"].append(lineno)
                continue
            if not line:
                continue
            stats["first"] = stats["first"] or line[:1]
            try:
                obj = json.loads(line)
            except ValueError:
                stats["bad"].append(lineno)
                continue
            if not isinstance(obj, dict):
                stats["bad"].append(lineno)
                continue
            row = parse_tweet(obj)
            if row is None:
                if _NOTICES & obj.keys():
                    stats["notices"] += 1
                else:
                    stats["bad"].append(lineno)
                continue
            rows += 1
            yield row
    except (EOFError, OSError) as err:  # a damaged or cut-off gzip stream
        stats["truncated"] = True
        log.warning("%s: the compressed stream is damaged after line %d (%s); "
                    "the %d tweets read before it are kept", name, lineno, err, rows)


def read_tweet_json(path) -> pd.DataFrame:
    """Tweets from a one-object-per-line Twitter API JSON file (optionally gzipped).

    Returns a DataFrame with columns ``id`` (str), ``text``, ``lang``, ``hashtags`` (list of
    lower-case strings without ``#``), ``is_retweet`` and ``created_at``, ready for
    :func:`tagzsl.preprocess.clean_corpus`. Blank lines are ignored; malformed lines are
    counted, reported in one warning and skipped: ``df.attrs["malformed"]`` (count) and
    ``df.attrs["malformed_lines"]`` (1-based line numbers). ``df.attrs["notices"]`` counts
    streaming notices (delete, limit, ...); ``df.attrs["truncated"]`` is True when a gzip
    stream ended early (the lines before the damage are kept).
    """
    path = pathlib.Path(path).expanduser()
    if not path.is_file():
        raise FileNotFoundError(f"no tweet JSON file at {path}" +
                                (" (it is a directory)" if path.is_dir() else ""))
    stats: dict = {}
    with open_maybe_gzip(path) as fh:
        rows = list(iter_tweet_json(fh, stats, name=str(path)))
    bad, notices, truncated, first = stats["bad"], stats["notices"], stats["truncated"], stats["first"]
    if not rows and not notices and first in ("", "["):  # one warning saying what is expected
        log.warning("%s %s; read_tweet_json expects JSON lines: one tweet object per line (convert an "
                    "array with `jq -c '.[]'`)", path, "is a JSON array, not JSON lines" if first else "is empty")
    elif bad:
        shown = ", ".join(map(str, bad[:_SHOW_LINES])) + (", ..." if len(bad) > _SHOW_LINES else "")
        log.warning("%s: skipped %d malformed line(s) (not JSON, not an object, or no tweet "
                    "text); line(s) %s", path, len(bad), shown)
    if notices:
        log.info("%s: skipped %d streaming notice(s) (delete, limit, ...)", path, notices)
    df = pd.DataFrame(rows, columns=COLUMNS)
    df["is_retweet"] = df["is_retweet"].astype(bool)
    df.attrs.update(malformed=len(bad), malformed_lines=bad, notices=notices, truncated=truncated)
    return df
