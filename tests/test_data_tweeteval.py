"""The TweetEval loader: local root, missing files, and the download path against 127.0.0.1."""
import hashlib
import logging
import shutil

import pytest
from conftest import dead_url, leftovers

from tagzsl.data import TASKS, ChecksumError, CorpusUnavailableError, TweetEval
from tagzsl.data.tweeteval import SPLITS, recorded_checksums, relative_path


def line_count(path) -> int:
    data = path.read_bytes()
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# --------------------------------------------------------------------------- local root
def test_local_root_row_counts_match_the_files(shared_data):
    loader = TweetEval(root=shared_data)
    df = loader.load()
    assert list(df.columns[:5]) == ["id", "text", "task", "split", "label"] and "lang" in df.columns
    datasets = shared_data / "tweeteval" / "datasets"
    sizes = df.groupby(["task", "split"]).size()
    expected_files = 0
    for task in TASKS:
        for split in SPLITS:
            text_file = datasets / relative_path(task, split, "text").removeprefix("datasets/")
            if text_file.is_file():
                expected_files += 1
                assert sizes[(task, split)] == line_count(text_file), (task, split)
            else:
                assert (task, split) not in sizes.index
    assert len(df) == sum(sizes) and df["id"].is_unique
    assert df["lang"].isna().all()  # TweetEval has no language metadata


def test_missing_local_file_is_reported_and_skipped(shared_data, tmp_path, caplog):
    # the shared copy lacks sentiment/train; check on a copy where we know what is missing
    root = tmp_path / "root"
    src = shared_data / "tweeteval" / "datasets" / "irony"
    dst = root / "tweeteval" / "datasets" / "irony"
    dst.mkdir(parents=True)
    for name in ["val_text.txt", "val_labels.txt", "test_text.txt", "test_labels.txt"]:
        shutil.copy(src / name, dst / name)
    with caplog.at_level(logging.WARNING, logger="tagzsl.data.tweeteval"):
        loader = TweetEval(root=root, tasks=("irony",))
        df = loader.load()
    assert set(df["split"]) == {"val", "test"}
    assert len(df) == line_count(src / "val_text.txt") + line_count(src / "test_text.txt")
    assert "datasets/irony/train_text.txt" in loader.skipped
    assert "irony/train_text.txt" in caplog.text


def test_shared_copy_reports_missing_sentiment_train(shared_data):
    if (shared_data / "tweeteval" / "datasets" / "sentiment" / "train_text.txt").exists():
        pytest.skip("this copy has the sentiment train split")
    loader = TweetEval(root=shared_data, tasks=("sentiment",))
    df = loader.load()
    assert "datasets/sentiment/train_text.txt" in loader.skipped
    assert set(df["split"]) == {"val", "test"}


def test_root_without_tweeteval_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusUnavailableError, match="TAGZSL_DATA"):
        TweetEval(root=tmp_path, tasks=("irony",)).load()


def test_unknown_task_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="unknown TweetEval task"):
        TweetEval(root=tmp_path, tasks=("nope",))


# --------------------------------------------------------------------------- download (fixture `serve`: conftest.py)
@pytest.mark.usefixtures("no_data_root")
def test_download_verifies_and_then_reads_from_the_cache(shared_data, serve, tmp_path):
    cache = tmp_path / "cache"
    url = serve(shared_data / "tweeteval")
    loader = TweetEval(root=None, cache_dir=cache, base_url=url, tasks=("irony",))
    df = loader.load()
    local = TweetEval(root=shared_data, tasks=("irony",)).load()
    assert df.drop(columns="lang").equals(local.drop(columns="lang"))
    assert loader.skipped == []
    sums = recorded_checksums()
    files = leftovers(cache)
    assert files == sorted(f"tweeteval/datasets/irony/{s}_{k}.txt" for s in SPLITS for k in ("text", "labels"))
    for rel in files:  # what is cached is exactly what the project recorded
        path = cache / rel
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sums[rel.removeprefix("tweeteval/")]
    # a second load needs no server: a base URL where nothing listens
    again = TweetEval(root=None, cache_dir=cache, base_url=dead_url(), tasks=("irony",)).load()
    assert again.equals(df)


@pytest.mark.usefixtures("no_data_root")
def test_checksum_mismatch_leaves_nothing_in_the_cache(shared_data, serve, tmp_path):
    served = tmp_path / "served"
    shutil.copytree(shared_data / "tweeteval" / "datasets" / "irony", served / "datasets" / "irony")
    altered = served / "datasets" / "irony" / "train_text.txt"
    altered.write_bytes(altered.read_bytes().replace(b"a", b"4", 1))
    cache = tmp_path / "cache"
    loader = TweetEval(root=None, cache_dir=cache, base_url=serve(served), tasks=("irony",),
                       splits=("train",))
    with pytest.raises(ChecksumError, match="train_text.txt.*SHA-256"):
        loader.load()
    assert leftovers(cache) == []


@pytest.mark.usefixtures("no_data_root")
def test_server_down_says_to_set_tagzsl_data(tmp_path):
    cache = tmp_path / "cache"
    loader = TweetEval(root=None, cache_dir=cache, base_url=dead_url(), tasks=("irony",))
    with pytest.raises(CorpusUnavailableError, match="TAGZSL_DATA"):
        loader.load()
    assert leftovers(cache) == []


@pytest.mark.usefixtures("no_data_root")
def test_http_404_says_to_set_tagzsl_data(tmp_path, serve):
    (tmp_path / "empty").mkdir()
    cache = tmp_path / "cache"
    loader = TweetEval(root=None, cache_dir=cache, base_url=serve(tmp_path / "empty"), tasks=("irony",))
    with pytest.raises(CorpusUnavailableError, match="TAGZSL_DATA") as err:
        loader.load()
    assert "404" in str(err.value)
    assert leftovers(cache) == []


def test_default_cache_comes_from_tagzsl_cache(isolated_cache, no_data_root):
    loader = TweetEval(tasks=("irony",))
    assert loader.root is None
    assert loader.cache_dir == isolated_cache
