"""NLTK's English stop words fetched into the tagzsl cache (tagzsl.data.stopwords), against 127.0.0.1."""
import hashlib
import io
import pathlib
import shutil
import zipfile

import nltk
import pytest
from conftest import dead_url, leftovers
from nltk.corpus.reader import WordListCorpusReader
from nltk.corpus.util import LazyCorpusLoader

from tagzsl import preprocess
from tagzsl.data import ChecksumError
from tagzsl.data import stopwords as sw

WORDS = ["the", "and", "zzzfakeword"]


def stopwords_zip(words=WORDS) -> bytes:
    """A zip laid out as NLTK's stopwords.zip: ``stopwords/english`` (one word a line) and a README."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("stopwords/", "")
        archive.writestr("stopwords/english", "".join(w + "\n" for w in words))
        archive.writestr("stopwords/README", "a test stand-in for NLTK's stopwords package\n")
    return buf.getvalue()


@pytest.fixture
def no_nltk_copy(tmp_path, monkeypatch):
    """NLTK finds no stop words anywhere (an empty search path, a fresh corpus loader), and
    :func:`preprocess.stopwords` forgets what it read before and after the test."""
    empty = tmp_path / "no-nltk-data"
    empty.mkdir()
    monkeypatch.setattr(nltk.data, "path", [str(empty)])
    fresh = LazyCorpusLoader("stopwords", WordListCorpusReader, r"(?!README|\.).*", encoding="utf8")
    monkeypatch.setattr(nltk.corpus, "stopwords", fresh)
    preprocess.stopwords.cache_clear()
    yield
    preprocess.stopwords.cache_clear()


@pytest.fixture
def served_zip(tmp_path, serve, monkeypatch):
    """A test zip served on 127.0.0.1, with its SHA-256 recorded in place of NLTK's; returns its bytes."""
    data = stopwords_zip()
    served = tmp_path / "served"
    served.mkdir()
    (served / "stopwords.zip").write_bytes(data)
    monkeypatch.setenv(sw.URL_VARIABLE, serve(served) + "stopwords.zip")
    monkeypatch.setattr(sw, "SHA256", hashlib.sha256(data).hexdigest())
    return data


@pytest.mark.usefixtures("no_nltk_copy")
def test_fetched_verified_cached_and_used(isolated_cache, served_zip, monkeypatch):
    with pytest.raises(LookupError):
        nltk.corpus.stopwords.words("english")  # really no NLTK copy
    assert preprocess.stopwords() == frozenset(WORDS)
    cached = isolated_cache / "nltk_data" / "corpora" / "stopwords.zip"
    assert leftovers(isolated_cache) == ["nltk_data/corpora/stopwords.zip"]  # no temporary download left
    assert cached.read_bytes() == served_zip
    # the second time needs no server
    monkeypatch.setenv(sw.URL_VARIABLE, dead_url() + "stopwords.zip")
    preprocess.stopwords.cache_clear()
    assert preprocess.stopwords() == frozenset(WORDS)
    # the cache's nltk_data folder is one NLTK reads itself (what tests/conftest.py relies on)
    monkeypatch.setattr(nltk.data, "path", [str(sw.nltk_data_dir(isolated_cache))])
    reader = LazyCorpusLoader("stopwords", WordListCorpusReader, r"(?!README|\.).*", encoding="utf8")
    assert reader.words("english") == WORDS


@pytest.mark.usefixtures("no_nltk_copy")
def test_checksum_mismatch_leaves_nothing(isolated_cache, served_zip, monkeypatch):
    monkeypatch.setattr(sw, "SHA256", hashlib.sha256(b"something else").hexdigest())
    with pytest.raises(ChecksumError, match=r"stopwords.zip does not match its recorded SHA-256.*NLTK_DATA") as err:
        preprocess.stopwords()
    assert "\n" not in str(err.value)
    assert leftovers(isolated_cache) == []


@pytest.mark.usefixtures("no_nltk_copy")
def test_a_damaged_cached_copy_is_fetched_again(isolated_cache, served_zip):
    cached = sw.zip_path(isolated_cache)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(stopwords_zip(["not", "the", "list"]))
    assert preprocess.stopwords() == frozenset(WORDS)
    assert cached.read_bytes() == served_zip


@pytest.mark.usefixtures("no_nltk_copy")
@pytest.mark.parametrize("where", ["down", "404"])
def test_offline_without_a_copy_is_one_line(where, isolated_cache, serve, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    url = dead_url() + "stopwords.zip" if where == "down" else serve(tmp_path / "empty") + "stopwords.zip"
    monkeypatch.setenv(sw.URL_VARIABLE, url)
    with pytest.raises(LookupError) as err:
        preprocess.stopwords()
    message = str(err.value)
    assert message.startswith("NLTK's English stop-word list was not found.") and "\n" not in message
    assert "NLTK_DATA" in message and "python -m nltk.downloader stopwords" in message and url in message
    assert leftovers(isolated_cache) == []


def test_default_url_is_pinned_and_overridable(monkeypatch, isolated_cache):
    assert f"/nltk/nltk_data/{sw.COMMIT}/packages/corpora/stopwords.zip" in sw.URL and len(sw.COMMIT) == 40
    monkeypatch.delenv(sw.URL_VARIABLE, raising=False)
    seen = []

    def fake_download(url, dest, digest, cache_dir, fallback):
        seen.append((url, digest))
        raise ChecksumError("stop here")

    monkeypatch.setattr(sw, "download_verified", fake_download)
    with pytest.raises(ChecksumError):
        sw.fetch()
    assert seen == [(sw.URL, sw.SHA256)]


def test_recorded_sha256_is_nltks_package(tmp_path):
    """The recorded sum is that of NLTK's stopwords.zip (the shared copy is one, as nltk.download
    installs it), and our reading of its English list is NLTK's."""
    copies = [pathlib.Path(d) / "corpora" / "stopwords.zip" for d in nltk.data.path]
    found = next((c for c in copies if c.is_file()), None)
    if found is None:
        pytest.skip("no NLTK stopwords.zip on NLTK's path (NLTK_DATA) to compare with")
    assert hashlib.sha256(found.read_bytes()).hexdigest() == sw.SHA256
    sw.zip_path(tmp_path).parent.mkdir(parents=True)
    shutil.copy(found, sw.zip_path(tmp_path))
    assert sw.english(tmp_path) == nltk.corpus.stopwords.words("english")
