"""Shared fixtures: the corpus, an isolated cache, NLTK data, and a local HTTP server.

* The corpus: ``TAGZSL_DATA`` when set (``.ci/run`` points it at the shared offline copy
  ``../shared/data``). When unset, the verified files an earlier run (``tagzsl reproduce
  --lesson``) left in the cache: :func:`pytest_configure` links them into ``<cache>/verified-root``
  (:func:`tagzsl.data.github.link_verified`) and sets ``TAGZSL_DATA`` there, so nothing is
  downloaded. With neither, the tests that need the corpus (fixture ``shared_data``) are skipped
  and the run's last lines say how many and what to run.
* NLTK's stop words: ``NLTK_DATA`` when set, else ``<repo>/../shared/nltk_data`` when it exists,
  else the copy an earlier run fetched into the cache (:mod:`tagzsl.data.stopwords`). Tests never
  download them: ``TAGZSL_STOPWORDS_URL`` names a file that is not there (the stop-word tests
  serve their own zip).
* ``serve`` starts HTTP servers on 127.0.0.1 over a directory (download tests never touch the network).
* ``isolated_cache`` points ``TAGZSL_CACHE`` at a temporary directory (for tests that
  download or write artefacts) and returns it.
"""
from __future__ import annotations

import functools
import http.server
import os
import pathlib
import socket
import threading

import pytest

from tagzsl import config as tagzsl_config
from tagzsl.data import github
from tagzsl.data import stopwords as cached_stopwords

REPO = pathlib.Path(__file__).resolve().parents[1]
_SHARED_NLTK = REPO.parent / "shared" / "nltk_data"
#: the cache as the session starts (tests may point TAGZSL_CACHE elsewhere later)
USER_CACHE = tagzsl_config.cache_dir(create=False)
if not os.environ.get("NLTK_DATA"):
    if _SHARED_NLTK.is_dir():
        os.environ["NLTK_DATA"] = str(_SHARED_NLTK)
    elif cached_stopwords.cached_zip(USER_CACHE):
        os.environ["NLTK_DATA"] = str(cached_stopwords.nltk_data_dir(USER_CACHE))
os.environ[cached_stopwords.URL_VARIABLE] = (REPO / "tests" / "tests-never-download" / "stopwords.zip").as_uri()

#: how the corpus tests get the corpus, or why they cannot (set by pytest_configure)
CORPUS = {"root": None, "why": ""}
#: what to do when there is no corpus (a skip whose reason names TAGZSL_DATA counts as a corpus skip)
CORPUS_HINT = "run `tagzsl reproduce --lesson` once (it downloads and verifies the corpus into the cache) or set TAGZSL_DATA"


def pytest_configure(config):
    """With ``TAGZSL_DATA`` unset, point it at the cache's verified copy when an earlier run left one."""
    if os.environ.get("TAGZSL_DATA"):
        CORPUS["root"] = os.environ["TAGZSL_DATA"]
        return
    view = USER_CACHE / "verified-root"
    try:
        bad = github.link_verified(USER_CACHE, view)
    except OSError as err:  # e.g. no symbolic links on this file system
        CORPUS["why"] = f"the cache's copy could not be linked into {view} ({err})"
        return
    if bad:
        total = len(github.corpus_files())
        CORPUS["why"] = (f"TAGZSL_DATA is unset and the cache {USER_CACHE} holds verified copies of "
                         f"{total - len(bad)} of the {total} corpus files")
        return
    os.environ["TAGZSL_DATA"] = CORPUS["root"] = str(view)


def pytest_report_header(config):
    where = CORPUS["root"] or f"none ({CORPUS['why']})"
    return [f"tagzsl corpus: {where}; NLTK_DATA: {os.environ.get('NLTK_DATA') or 'unset'}"]


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """The run's last lines (after pytest's own short summary): how many tests were skipped for
    want of the corpus or of NLTK's stop words, and what to run to include them."""
    result = yield
    skipped = {r.nodeid: _skip_reason(r) for r in terminalreporter.stats.get("skipped", [])}
    corpus = sum("TAGZSL_DATA" in why for why in skipped.values())
    stop = sum("stop-word list was not found" in why for why in skipped.values())
    if corpus:
        why = CORPUS["why"] or f"TAGZSL_DATA={CORPUS['root']} lacks some of it"
        terminalreporter.write_line(f"{corpus} corpus-dependent test(s) skipped: {why}. To include them, "
                                    f"{CORPUS_HINT}, then run pytest again.", yellow=True, bold=True)
    if stop:
        terminalreporter.write_line(f"{stop} test(s) skipped for want of NLTK's English stop words. To include them, "
                                    "run `tagzsl reproduce --lesson` once (it fetches them into the cache) or set "
                                    "NLTK_DATA, then run pytest again.", yellow=True, bold=True)
    return result


@pytest.fixture(scope="session")
def shared_data() -> pathlib.Path:
    """The local corpus root: ``TAGZSL_DATA``, or the cache's verified copy (see
    :func:`pytest_configure`); skips the test, saying what to run, when there is neither."""
    value = os.environ.get("TAGZSL_DATA")
    if not value:
        pytest.skip(f"no corpus: {CORPUS['why']}; {CORPUS_HINT}")
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


def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port that was free a moment ago)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def leftovers(cache) -> list[str]:
    """Files and temporary download folders anywhere in ``cache``, as sorted relative paths."""
    cache = pathlib.Path(cache)
    return sorted(p.relative_to(cache).as_posix() for p in cache.rglob("*")
                  if p.is_file() or p.name.startswith(".download-")) if cache.exists() else []


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
