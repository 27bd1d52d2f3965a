"""NLTK's English stop-word list, fetched into the tagzsl cache when no ``NLTK_DATA`` copy has it.

NLTK's data index points at ``packages/corpora/stopwords.zip`` of ``github.com/nltk/nltk_data``
(branch ``gh-pages``); :data:`URL` pins that file to a commit and :data:`SHA256` records its
checksum. The download goes through the corpus download helper
(:func:`tagzsl.data.tweeteval.download_verified`: the same progress and error lines, and a
failed or mismatching download leaves nothing in the cache). The verified zip is kept as
``<cache>/nltk_data/corpora/stopwords.zip``, a layout NLTK reads itself
(``NLTK_DATA=<cache>/nltk_data``). ``TAGZSL_STOPWORDS_URL`` overrides :data:`URL` (the tests
point it at 127.0.0.1).
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import zipfile

from tagzsl import config
from tagzsl.data.tweeteval import CorpusUnavailableError, download_verified

#: an nltk_data commit (gh-pages head of 2023-02-02) whose ``stopwords.zip`` (git blob 3f1d9130...,
#: 34,276 bytes, MD5 8726a900bca7083674536e2593686361 as its ``index.xml`` lists) is byte-identical
#: to the package ``nltk.download("stopwords")`` installs
COMMIT = "5db857e6f7df11eabb5e5665836db9ec8df07e28"
URL = f"https://raw.githubusercontent.com/nltk/nltk_data/{COMMIT}/packages/corpora/stopwords.zip"
SHA256 = "15c94179887425ca1bedc265608cab9f27d650211f709bb929e320990a4b01d1"
URL_VARIABLE = "TAGZSL_STOPWORDS_URL"
MEMBER = "stopwords/english"
#: what to do instead of the download (ends the error lines)
FALLBACK = ("set NLTK_DATA to a directory holding corpora/stopwords (the project's shared copy is "
            "../shared/nltk_data), or run python -m nltk.downloader stopwords")


def nltk_data_dir(cache_dir=None) -> pathlib.Path:
    """``<cache>/nltk_data``: usable as ``NLTK_DATA`` once :func:`fetch` has put the zip there."""
    return pathlib.Path(cache_dir or config.cache_dir()) / "nltk_data"


def zip_path(cache_dir=None) -> pathlib.Path:
    """Where the verified zip is kept: ``<cache>/nltk_data/corpora/stopwords.zip``."""
    return nltk_data_dir(cache_dir) / "corpora" / "stopwords.zip"


def cached_zip(cache_dir=None) -> pathlib.Path | None:
    """The cached ``stopwords.zip`` when it is there and matches :data:`SHA256`, else ``None``."""
    path = zip_path(cache_dir)
    if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == SHA256:
        return path
    return None


def fetch(cache_dir=None) -> pathlib.Path:
    """The verified ``stopwords.zip`` in the cache, downloaded on first use (a damaged copy is
    replaced). Raises :class:`~tagzsl.data.tweeteval.ChecksumError` on a mismatch and
    :class:`~tagzsl.data.tweeteval.CorpusUnavailableError` when the download fails."""
    cache = pathlib.Path(cache_dir or config.cache_dir())
    found = cached_zip(cache)
    if found is not None:
        return found
    url = os.environ.get(URL_VARIABLE) or URL
    return download_verified(url, zip_path(cache), SHA256, cache, FALLBACK)


def english(cache_dir=None) -> list[str]:
    """The English list from the cached zip (fetched first if needed), as NLTK reads it: one word a
    line. Offline without a copy: a one-line :class:`LookupError`, like NLTK's own."""
    try:
        path = fetch(cache_dir)
    except CorpusUnavailableError as err:
        raise LookupError(f"NLTK's English stop-word list was not found. {err}") from None
    with zipfile.ZipFile(path) as archive:
        text = archive.read(MEMBER).decode("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]
