"""The seven-source loader: entries, the shared mirror, bad rows, missing files, and downloads from 127.0.0.1."""
import hashlib
import logging
import os
import shutil

import pytest
from conftest import dead_url, leftovers

from tagzsl.data import github, sources
from tagzsl.data.tweeteval import ChecksumError, CorpusUnavailableError

EXPECTED_FILES = {"semeval2017": 12, "sentiment_practice": 2, "crisislex": 32, "hashtagwars": 112,
                  "fivethirtyeight": 4, "vaccination": 1}


@pytest.fixture(scope="module")
def mirror(shared_data):
    path = shared_data / "github"
    if not path.is_dir():
        pytest.skip(f"TAGZSL_DATA={shared_data} holds no GitHub mirror ({path})")
    return path


# --------------------------------------------------------------------------- entries
def test_every_entry_resolves_to_recorded_files():
    assert sources.ALL[0] == "tweeteval" and len(sources.ALL) == 7
    assert {n: len(sources.GITHUB_SOURCES[n].files()) for n in EXPECTED_FILES} == EXPECTED_FILES
    sums = sources.recorded_checksums()
    for src in sources.GITHUB_SOURCES.values():
        assert len(src.commit) == 40 and src.url.endswith(src.commit)
        assert all(f"{src.folder}/{rel}" in sums for rel in src.files())


def test_glob_star_stays_within_a_folder():
    src = sources.GITHUB_SOURCES["hashtagwars"]
    table = sources.Table("data/*.tsv", id=0, text=1, sep="\t", header=False)
    assert sources.table_files(src, table) == []          # the games are two folders down
    assert len(src.documented_hashtags()) == 112 and "420celebs" in src.documented_hashtags()


def test_resolve_sources():
    assert sources.resolve(None) == sources.ALL == sources.resolve("all")
    assert sources.resolve("tweeteval") == sources.TWEETEVAL_ONLY
    assert sources.resolve(["vaccination", "tweeteval", "vaccination"]) == ("vaccination", "tweeteval")
    with pytest.raises(ValueError, match="unknown source"):
        sources.resolve(["twitter"])


def test_unescape_u():
    assert github.unescape_u(r"Plus\u002c tomorrow\u2019s \ud83d\ude00 C:\path") == "Plus, tomorrow’s 😀 C:\\path"


# --------------------------------------------------------------------------- reading rows
def test_malformed_rows_are_counted_and_skipped(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b'id,tweet\n1,fine text\n2,"two, commas, quoted"\n3,too,many\n,no id\n4,\n5,"\xff bad byte"\n')
    counts = github.Counter()
    df = github.read_table(path, sources.Table("t.csv", id="id", text="tweet"), counts)
    assert list(df["post_id"]) == ["1", "2", "5"]
    assert df["text"][1] == "two, commas, quoted"
    assert counts["malformed rows"] == 3 and counts["undecodable characters"] == 1


def test_headerless_tsv_with_quotes_ids_and_escapes(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text('9\tneutral\t"quoted \\u002c text"\t\n8\tonly-two\n7\tpositive\tplain\r\n')
    counts = github.Counter()
    table = sources.Table("t.tsv", id=0, text=2, sep="\t", header=False, unescape=True)
    df = github.read_table(path, table, counts)
    assert df.values.tolist() == [["9", "quoted , text"], ["7", "plain"]]
    assert counts["malformed rows"] == 1


def test_missing_columns_name_the_file(tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n")
    with pytest.raises(CorpusUnavailableError, match="t.csv.*'tweet'"):
        github.read_table(tmp_path / "t.csv", sources.Table("t.csv", id="id", text="tweet"), github.Counter())


# --------------------------------------------------------------------------- the shared mirror
def test_shared_mirror_rows_match_the_files(mirror, shared_data):
    loaded = github.load_sources(["hashtagwars", "vaccination", "fivethirtyeight"], root=shared_data)
    frame, report = loaded.frame, loaded.report
    games = sources.GITHUB_SOURCES["hashtagwars"]
    lines = sum(sum(1 for ln in (mirror / games.folder / rel).read_bytes().splitlines() if ln.strip())
                for rel in games.files())
    assert report.loc["hashtagwars", "posts read"] == lines == 12734
    assert report.loc["vaccination", "posts read"] == 8082          # data rows of the CSV
    assert report.loc["fivethirtyeight", "posts read"] == 12118 + 3207 + 3232 + 448
    assert frame["id"].is_unique and set(frame["source"]) == {"hashtagwars", "vaccination", "fivethirtyeight"}
    assert frame.loc[frame["id"] == "fivethirtyeight:920061541986250758", "text"].str.startswith("I'm grateful").all()
    assert loaded.skipped_files == [] and report["files skipped"].sum() == 0


def test_semeval_overlap_is_deduplicated_by_id(mirror, shared_data):
    loaded = github.load_sources(["semeval2017"], root=shared_data)
    assert loaded.report.loc["semeval2017", "duplicate rows (same id and text)"] > 0
    assert loaded.frame["id"].is_unique
    assert not loaded.frame["text"].str.contains(r"\\u002c", regex=False).any()


def test_missing_local_file_is_reported_and_skipped(mirror, tmp_path, caplog):
    games = sources.GITHUB_SOURCES["hashtagwars"]
    root = tmp_path / "root"
    keep = games.files()[:3]
    for rel in keep:
        (root / "github" / games.folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mirror / games.folder / rel, root / "github" / games.folder / rel)
    with caplog.at_level(logging.WARNING, logger="tagzsl.data.github"):
        loaded = github.load_sources(["hashtagwars"], root=root)
    assert loaded.report.loc["hashtagwars", "files skipped"] == 109 == len(loaded.skipped_files)
    assert set(loaded.frame["unit"]) == set(keep)
    assert "109 source file(s) skipped" in caplog.text


def test_root_without_the_repository_says_what_to_set(tmp_path):
    with pytest.raises(CorpusUnavailableError, match="TAGZSL_DATA"):
        github.load_sources(["vaccination"], root=tmp_path)


# --------------------------------------------------------------------------- download (fixture `serve`: conftest.py)
def raw_layout(mirror, tmp_path, name):
    """``<owner>/<repo>/<commit>/<path>`` (what raw.githubusercontent.com serves) for one source."""
    src = sources.GITHUB_SOURCES[name]
    served = tmp_path / "served"
    shutil.copytree(mirror / src.folder, served / src.folder / src.commit)
    return served, src


@pytest.mark.usefixtures("no_data_root")
def test_download_verifies_then_reads_from_the_cache(mirror, shared_data, serve, tmp_path):
    served, src = raw_layout(mirror, tmp_path, "vaccination")
    cache = tmp_path / "cache"
    got = github.load_sources(["vaccination"], cache_dir=cache, base_url=serve(served)).frame
    local = github.load_sources(["vaccination"], root=shared_data).frame
    assert got.equals(local)
    cached = cache / "github" / src.folder / "vaccination_tweets.csv"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == sources.recorded_checksums()[
        f"{src.folder}/vaccination_tweets.csv"]
    assert leftovers(cache) == [cached.relative_to(cache).as_posix()]
    again = github.load_sources(["vaccination"], cache_dir=cache, base_url=dead_url()).frame
    assert again.equals(got)                      # no server needed the second time


@pytest.mark.usefixtures("no_data_root")
def test_checksum_mismatch_names_the_file_and_caches_nothing(mirror, serve, tmp_path):
    served, src = raw_layout(mirror, tmp_path, "vaccination")
    altered = served / src.folder / src.commit / "vaccination_tweets.csv"
    altered.write_bytes(altered.read_bytes().replace(b"a", b"4", 1))
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError, match="vaccination_tweets.csv.*SHA-256"):
        github.load_sources(["vaccination"], cache_dir=cache, base_url=serve(served))
    assert leftovers(cache) == []


@pytest.mark.usefixtures("no_data_root")
def test_a_corrupted_cached_file_is_downloaded_again(mirror, serve, tmp_path):
    served, src = raw_layout(mirror, tmp_path, "vaccination")
    cache = tmp_path / "cache"
    cached = cache / "github" / src.folder / "vaccination_tweets.csv"
    cached.parent.mkdir(parents=True)
    cached.write_text("id,text\n1,not the real file\n")
    frame = github.load_sources(["vaccination"], cache_dir=cache, base_url=serve(served)).frame
    assert len(frame) == 8082


@pytest.mark.usefixtures("no_data_root")
@pytest.mark.parametrize("where", ["404", "down"])
def test_failed_download_says_to_set_tagzsl_data(where, serve, tmp_path):
    (tmp_path / "empty").mkdir()
    url = serve(tmp_path / "empty") if where == "404" else dead_url()
    cache = tmp_path / "cache"
    with pytest.raises(CorpusUnavailableError, match="TAGZSL_DATA") as err:
        github.load_sources(["vaccination"], cache_dir=cache, base_url=url)
    assert str(err.value).count("\n") == 0 and (where != "404" or "404" in str(err.value))
    assert leftovers(cache) == []


def test_default_root_is_tagzsl_data(monkeypatch, tmp_path):
    monkeypatch.setenv("TAGZSL_DATA", str(tmp_path))
    assert github.GitHubFiles().root == tmp_path
    monkeypatch.delenv("TAGZSL_DATA")
    assert github.GitHubFiles().root is None and os.environ.get("TAGZSL_DATA") is None


def test_tweeteval_only_is_a_named_choice(shared_data):
    from tagzsl.data import TweetEval

    loaded = github.load_sources(sources.TWEETEVAL_ONLY, root=shared_data)
    direct = TweetEval(root=shared_data).load()
    assert len(loaded.frame) == len(direct) and set(loaded.frame["source"]) == {"tweeteval"}
    assert (loaded.frame["lang"] == "en").all()            # selected as English by its collectors
    assert loaded.frame["unit"].tolist() == direct["task"].tolist()
