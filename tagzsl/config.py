"""Where data lives, and the project-wide seed.

* ``TAGZSL_DATA``: a local root laid out like ``<root>/tweeteval/datasets/<task>/...`` and
  ``<root>/github/<owner>/<repo>/...`` (for example the shared offline copy ``../shared/data``).
  When set, no corpus file is downloaded.
* ``TAGZSL_CACHE``: where downloads (the corpus files; NLTK's stop words when no
  ``NLTK_DATA`` copy has them) and derived artefacts (cleaned corpus, word2vec) are cached;
  default ``~/.cache/tagzsl``.
"""
from __future__ import annotations

import os
import pathlib

#: The package version (``tagzsl.__version__``), written into every saved model folder.
VERSION = "0.1.0"

#: The seed every experiment uses unless told otherwise (documented in the README).
DEFAULT_SEED = 2019


def data_root() -> pathlib.Path | None:
    """The local corpus root from ``TAGZSL_DATA``, or ``None`` to download."""
    value = os.environ.get("TAGZSL_DATA")
    return pathlib.Path(value).expanduser() if value else None


def cache_dir(create: bool = True) -> pathlib.Path:
    """The cache directory (``TAGZSL_CACHE`` or ``~/.cache/tagzsl``), created on demand unless ``create=False``."""
    path = pathlib.Path(os.environ.get("TAGZSL_CACHE", "~/.cache/tagzsl")).expanduser()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write_bytes(path: pathlib.Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
