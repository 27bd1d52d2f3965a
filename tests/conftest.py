"""Shared fixtures: the shared corpus copy, an isolated cache, and NLTK data.

* ``TAGZSL_DATA`` points at the shared offline TweetEval copy (``../shared/data``); tests
  that need it use the ``shared_data`` fixture and are skipped, with the reason, when unset.
* ``NLTK_DATA`` defaults to ``<repo>/../shared/nltk_data`` when unset and that directory exists.
* ``isolated_cache`` points ``TAGZSL_CACHE`` at a temporary directory (for tests that
  download or write artefacts) and returns it.
"""
from __future__ import annotations

import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
_SHARED_NLTK = REPO.parent / "shared" / "nltk_data"
if not os.environ.get("NLTK_DATA") and _SHARED_NLTK.is_dir():
    os.environ["NLTK_DATA"] = str(_SHARED_NLTK)


@pytest.fixture(scope="session")
def shared_data() -> pathlib.Path:
    """The local TweetEval root from ``TAGZSL_DATA`` (skips the test when unset or not a copy)."""
    value = os.environ.get("TAGZSL_DATA")
    if not value:
        pytest.skip("TAGZSL_DATA is not set; point it at the shared copy (../shared/data)")
    root = pathlib.Path(value).expanduser()
    if not (root / "tweeteval" / "datasets").is_dir():
        pytest.skip(f"TAGZSL_DATA={root} holds no tweeteval/datasets directory")
    return root


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> pathlib.Path:
    """``TAGZSL_CACHE`` pointed at a fresh temporary directory; returns that directory."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TAGZSL_CACHE", str(cache))
    return cache


@pytest.fixture
def no_data_root(monkeypatch):
    """``TAGZSL_DATA`` unset, so loaders take the download path."""
    monkeypatch.delenv("TAGZSL_DATA", raising=False)
