"""Shared fixtures: the shared corpus copy, an isolated cache, and NLTK data.

* ``TAGZSL_DATA`` points at the shared offline TweetEval copy (``../shared/data``); tests
  that need it use the ``shared_data`` fixture and are skipped, with the reason, when unset.
* ``NLTK_DATA`` defaults to ``<repo>/../shared/nltk_data`` when unset and that directory exists.
* ``serve`` starts HTTP servers on 127.0.0.1 over a directory (download tests never touch the network).
* ``isolated_cache`` points ``TAGZSL_CACHE`` at a temporary directory (for tests that
  download or write artefacts) and returns it.
"""
from __future__ import annotations

import functools
import http.server
import os
import pathlib
import threading

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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """``serve(directory) -> base URL`` of an HTTP server on 127.0.0.1; all stopped after the test."""
    servers = []

    def start(directory):
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def synthetic_with_vectors(n_tweets: int, n_topics: int, seed: int, epochs: int):
    """A synthetic corpus (``tagzsl.data.synthetic_corpus``, 2 hashtags per topic) and 16-d word2vec
    vectors trained on its cleaned words plus hashtags; skips the test when NLTK's stop words are missing."""
    from tagzsl import embeddings, preprocess
    from tagzsl.data import synthetic_corpus

    df = synthetic_corpus(n_tweets=n_tweets, n_topics=n_topics, hashtags_per_topic=2, seed=seed)
    sentences = [preprocess.clean_text(t) + list(h) for t, h in zip(df["text"], df["hashtags"])]
    try:
        kv = embeddings.train_word2vec(sentences, dim=16, epochs=epochs, min_count=1)
    except LookupError as err:  # NLTK stop words missing
        pytest.skip(str(err))
    return df, kv
