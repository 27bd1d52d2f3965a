"""A person's own posts, read one at a time from their files, whatever the format.

:func:`detect` tells the format from a file's content (and, where the content cannot decide,
its name); every file may be gzipped (detected from its first bytes):

* ``json``: Twitter API v1.1 or v2 JSON lines, as :mod:`tagzsl.data.twitter_json` reads them
  (retweets to their originals, extended text, API hashtags);
* ``csv`` / ``tsv``: a header row and a text column (``text_column``; ``text`` when not given;
  a ``lang`` column is used as language metadata when present);
* ``text``: plain text, one post per line.

:func:`check` validates every file before any long stage and raises :class:`DataError` with one
line saying what is wrong and what to do. :func:`posts` yields ``(text, lang, hashtags)``
(``lang`` and ``hashtags`` ``None`` where the file has none) and counts what it skips in a
:class:`ReadStats`: malformed lines (not JSON, bad CSV rows) and undecodable rows are counted,
never fatal.
"""
from __future__ import annotations

import csv
import io
import json
import pathlib
import sys
from dataclasses import dataclass, field

from tagzsl.data.twitter_json import iter_tweet_json, open_maybe_gzip

FORMATS = ("json", "csv", "tsv", "text")
_SNIFF_BYTES = 64 * 1024
_JSON_NAMES = (".json", ".jsonl", ".ndjson")


class DataError(ValueError):
    """A user's data cannot be used; the message is one line saying what is wrong and what to do."""


@dataclass
class ReadStats:
    """What reading one file gave: posts yielded, lines skipped and why."""

    path: str
    format: str
    posts: int = 0
    malformed: int = 0
    undecodable: int = 0
    notices: int = 0
    truncated: bool = False
    examples: list = field(default_factory=list)   # first few skipped line/row numbers


def _base_name(path: pathlib.Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def _head(path: pathlib.Path) -> bytes:
    with open_maybe_gzip(path) as fh:
        try:
            return fh.read(_SNIFF_BYTES)
        except (EOFError, OSError) as err:
            raise DataError(f"{path}: cannot read the file ({err}); check it is a complete gzip or plain file") from None


def _is_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def detect(path, text_column: str | None = None) -> str:
    """The format of ``path`` (one of :data:`FORMATS`); :class:`DataError` when none fits."""
    path = pathlib.Path(path)
    head = _head(path)
    name = _base_name(path)
    if b"\x00" in head:
        raise DataError(f"{path}: unknown format (binary content); tagzsl reads Twitter JSON lines, "
                        "CSV/TSV with a text column, or plain text with one post per line")
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(f"{path}: the file is empty; give a file with posts in it")
    first = lines[0].strip()
    if first.startswith("["):
        raise DataError(f"{path} is a JSON array, not JSON lines; convert it with `jq -c '.[]' FILE > FILE.jsonl`")
    if first.startswith("{") and any(_is_object(line) for line in lines[:20]):
        return "json"   # a malformed first line (counted later) does not hide JSON lines
    if name.endswith(_JSON_NAMES):
        raise DataError(f"{path}: named like JSON but its first line is not a JSON object; "
                        "tagzsl reads JSON lines (one tweet object per line)")
    if name.endswith(".tsv") or name.endswith(".tab"):
        return "tsv"
    if name.endswith(".csv"):
        return "csv"
    header = first.lstrip("\ufeff")
    wanted = text_column or "text"
    for fmt, sep in (("tsv", "\t"), ("csv", ",")):
        if sep in header and wanted in [c.strip().strip('"') for c in header.split(sep)]:
            return fmt
    if text_column:
        raise DataError(f"{path}: --text-column {text_column} given but the file is not CSV/TSV with that column "
                        f"(first line: {header[:80]!r}); drop --text-column for one post per line")
    return "text"


def _columns(path: pathlib.Path, fmt: str) -> list[str]:
    with open_maybe_gzip(path) as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline=""),
                            delimiter="\t" if fmt == "tsv" else ",")
        return next(reader, [])


def check(paths, text_column: str | None = None) -> list[tuple[pathlib.Path, str]]:
    """Each path with its format, after checking all exist and are readable (:class:`DataError`)."""
    if isinstance(paths, (str, pathlib.Path)):
        paths = [paths]
    out = []
    if not paths:
        raise DataError("no data files given; pass --data FILE [FILE ...]")
    for path in map(lambda p: pathlib.Path(p).expanduser(), paths):
        if path.is_dir():
            raise DataError(f"{path} is a directory; pass the files in it (for example {path}/*.jsonl.gz)")
        if not path.is_file():
            raise DataError(f"no file at {path}; check the path (shell patterns that match nothing stay as written)")
        fmt = detect(path, text_column)
        if fmt in ("csv", "tsv"):
            columns = _columns(path, fmt)
            column = text_column or "text"
            if column not in columns:
                found = ", ".join(repr(c) for c in columns[:20]) or "none"
                raise DataError(f"{path}: no column {column!r}; the columns are {found}; "
                                f"pass --text-column NAME")
        out.append((path, fmt))
    return out


def _json_posts(fh, stats: ReadStats):
    raw: dict = {}
    for row in iter_tweet_json(fh, raw, name=stats.path):
        yield row["text"], row["lang"], row["hashtags"] or None
    stats.malformed, stats.notices, stats.truncated = len(raw["bad"]), raw["notices"], raw["truncated"]
    stats.examples = raw["bad"][:5]


def _skip(stats: ReadStats, where: int, kind: str):
    setattr(stats, kind, getattr(stats, kind) + 1)
    if len(stats.examples) < 5:
        stats.examples.append(where)


def _csv_posts(fh, stats: ReadStats, fmt: str, text_column: str | None):
    csv.field_size_limit(min(sys.maxsize, 2 ** 31 - 1))
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    reader = csv.reader(text, delimiter="\t" if fmt == "tsv" else ",")
    header = next(reader, [])
    col = header.index(text_column or "text")
    lang_col = header.index("lang") if "lang" in header and (text_column or "text") != "lang" else None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            _skip(stats, reader.line_num, "malformed")
            continue
        if not row:
            continue
        if len(row) <= col:
            _skip(stats, reader.line_num, "malformed")
            continue
        value = row[col]
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:   # surrogates: bytes that were not UTF-8
            _skip(stats, reader.line_num, "undecodable")
            continue
        if value.strip():
            lang = row[lang_col] if lang_col is not None and len(row) > lang_col and row[lang_col] else None
            yield value, lang, None


def _text_posts(fh, stats: ReadStats):
    for lineno, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8").lstrip("\ufeff").strip()
        except UnicodeDecodeError:
            _skip(stats, lineno, "undecodable")
            continue
        if line:
            yield line, None, None


def posts(path, fmt: str, stats: ReadStats, text_column: str | None = None):
    """``(text, lang, hashtags)`` for each post of ``path`` (format ``fmt``); ``stats`` counts them."""
    with open_maybe_gzip(path) as fh:
        if fmt == "json":
            rows = _json_posts(fh, stats)
        elif fmt in ("csv", "tsv"):
            rows = _csv_posts(fh, stats, fmt, text_column)
        else:
            rows = _text_posts(fh, stats)
        try:
            for row in rows:
                stats.posts += 1
                yield row
        except (EOFError, OSError):   # a damaged gzip stream in a CSV or text file
            stats.truncated = True
