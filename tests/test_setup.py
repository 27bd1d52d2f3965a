"""Tests without exports: with TAGZSL_DATA unset, the corpus tests use the verified files an earlier
run left in the cache; with neither, they skip and the run's last lines say what to run (and the
same for NLTK's stop words, which tests never download).

Each case runs pytest in a subprocess with tests/conftest.py as a plugin, over one small test
that needs the corpus, and a tiny fake corpus whose checksums a second plugin records in place
of the real ones (``tagzsl.data.github.corpus_files`` and ``tweeteval.recorded_checksums``).
"""
import os
import pathlib
import subprocess
import sys

import pytest

TESTS = pathlib.Path(__file__).resolve().parent
FAKE = {"tweeteval/datasets/irony/train_text.txt": b"a fake tweet #one\nanother fake tweet\n",
        "tweeteval/datasets/irony/train_labels.txt": b"0\n1\n"}

FAKE_SUMS_PLUGIN = f'''
import hashlib
from tagzsl.data import github, tweeteval

SUMS = {{rel: hashlib.sha256(data).hexdigest() for rel, data in {FAKE!r}.items()}}
github.corpus_files = lambda: dict(SUMS)
tweeteval.recorded_checksums = lambda: {{rel.removeprefix("tweeteval/"): s for rel, s in SUMS.items()}}
'''

CORPUS_TEST = '''
import os
import pathlib

from tagzsl.data import TweetEval


def test_needs_the_corpus(shared_data):
    df = TweetEval(root=shared_data, tasks=("irony",), splits=("train",)).load()
    print("ROOT", shared_data, "TEXTS", df["text"].tolist())
'''

STOPWORDS_TEST = '''
import nltk
import pytest
from nltk.corpus.reader import WordListCorpusReader
from nltk.corpus.util import LazyCorpusLoader

from tagzsl import preprocess


def test_needs_stop_words(monkeypatch):
    monkeypatch.setattr(nltk.data, "path", [])  # NLTK has no copy; the cache (TAGZSL_CACHE) has none either
    monkeypatch.setattr(nltk.corpus, "stopwords", LazyCorpusLoader("stopwords", WordListCorpusReader, "english"))
    try:
        preprocess.stopwords()
    except LookupError as err:  # what the suite's tests do (tests/conftest.py: synthetic_with_vectors)
        pytest.skip(str(err))
'''


def write_cache(cache: pathlib.Path, damage: str | None = None):
    for rel, data in FAKE.items():
        (cache / rel).parent.mkdir(parents=True, exist_ok=True)
        (cache / rel).write_bytes(data + (b"changed\n" if rel == damage else b""))


def run_pytest(tmp_path, cache, data_root=None, test=CORPUS_TEST) -> list[str]:
    """The lines pytest prints, run over ``test`` with tests/conftest.py (it must pass)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "fake_sums.py").write_text(FAKE_SUMS_PLUGIN)
    (work / "test_corpus_user.py").write_text(test)
    env = {k: v for k, v in os.environ.items() if k not in ("TAGZSL_DATA", "PYTEST_ADDOPTS")}
    env.update(TAGZSL_CACHE=str(cache), PYTHONPATH=os.pathsep.join([str(work), str(TESTS)]))
    if data_root is not None:
        env["TAGZSL_DATA"] = str(data_root)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "fake_sums", "-p", "conftest", "-p", "no:cacheprovider",
         "-rs", "-s", "--rootdir", str(work), "test_corpus_user.py"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip().splitlines()


def test_corpus_tests_use_the_verified_cache(tmp_path):
    cache = tmp_path / "cache"
    write_cache(cache)
    lines = run_pytest(tmp_path, cache)
    view = cache / "verified-root"
    assert any(f"ROOT {view} TEXTS ['a fake tweet #one', 'another fake tweet']" in line for line in lines), lines
    assert "1 passed" in lines[-1], lines[-1]
    for rel in FAKE:  # the root is links to the cache's files, never copies
        assert (view / rel).is_symlink() and (view / rel).resolve() == (cache / rel).resolve()


@pytest.mark.parametrize("cache_state", ["empty", "damaged"])
def test_without_a_corpus_the_last_lines_say_what_to_run(tmp_path, cache_state):
    cache = tmp_path / "cache"
    if cache_state == "damaged":
        write_cache(cache, damage="tweeteval/datasets/irony/train_text.txt")
    lines = run_pytest(tmp_path, cache)
    assert "1 skipped" in lines[-1], lines[-1]
    held = "1 of the 2" if cache_state == "damaged" else "0 of the 2"
    assert lines[-2].startswith(f"1 corpus-dependent test(s) skipped: TAGZSL_DATA is unset and the cache {cache} "
                                f"holds verified copies of {held} corpus files"), lines[-2]
    assert "`tagzsl reproduce --lesson`" in lines[-2] and "set TAGZSL_DATA" in lines[-2]
    assert not (cache / "verified-root").exists()
    assert not any("ROOT" in line for line in lines)


def test_tagzsl_data_when_set_is_used_as_before(tmp_path):
    root, cache = tmp_path / "root", tmp_path / "cache"
    write_cache(root)
    write_cache(cache, damage="tweeteval/datasets/irony/train_labels.txt")
    lines = run_pytest(tmp_path, cache, data_root=root)
    assert any(f"ROOT {root} TEXTS ['a fake tweet #one', 'another fake tweet']" in line for line in lines), lines
    assert not (cache / "verified-root").exists()
    assert not any("corpus-dependent" in line for line in lines)


def test_without_stop_words_the_last_lines_say_what_to_run(tmp_path):
    cache = tmp_path / "cache"
    lines = run_pytest(tmp_path, cache, test=STOPWORDS_TEST)
    assert "1 skipped" in lines[-1], lines[-1]
    assert lines[-2].startswith("1 test(s) skipped for want of NLTK's English stop words"), lines[-2]
    assert "`tagzsl reproduce --lesson`" in lines[-2] and "NLTK_DATA" in lines[-2]
    assert any("tests-never-download/stopwords.zip" in line for line in lines)  # tried no network
    assert not cache.exists() or not any(cache.rglob("*.zip"))
