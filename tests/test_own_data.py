"""Training on one's own posts: formats, the funnel, labels, the on-disk cache, bad input."""
from __future__ import annotations

import argparse
import gzip
import json
import random

import numpy as np
import pytest

from conftest import leftovers
from tagzsl import own_data, own_data_cli, own_training
from tagzsl.data import user_files
from tagzsl.own_data import DataError

TOPICS = {"football": "goal striker match keeper penalty league referee stadium",
          "cooking": "recipe oven garlic butter bake dinner flour sauce",
          "coding": "python bug compiler function release merge branch test"}


def post(rng, tag, extra=""):
    return " ".join(rng.choices(TOPICS[tag].split(), k=7)) + f" {rng.randrange(10**6)} #{tag}{extra}"


def posts(n, seed=0, tags=tuple(TOPICS)):
    rng = random.Random(seed)
    return [(post(rng, tags[i % len(tags)]), tags[i % len(tags)]) for i in range(n)]


def write_json(path, items, gz=True, extra_lines=()):
    lines = [json.dumps({"id_str": str(i), "full_text": t, "lang": "en"}) for i, (t, _) in enumerate(items)]
    data = "\n".join(list(extra_lines) + lines) + "\n"
    if gz:
        path.write_bytes(gzip.compress(data.encode()))
    else:
        path.write_text(data)
    return path


@pytest.fixture
def cache(isolated_cache):
    return isolated_cache


def encode(paths, **kw):
    return own_data.encode(paths, progress=False, **kw)


def kept_texts(encoded):
    return own_training.texts(encoded, encoded.kept)


# --------------------------------------------------------------------------- formats
def test_json_lines_v1_v2_retweet_gzip(tmp_path, cache):
    lines = [
        {"id_str": "1", "text": "short...", "truncated": True, "lang": "en",
         "extended_tweet": {"full_text": "the keeper saved a late penalty in the derby match #football"}},
        {"id_str": "2", "text": "RT @a: x", "lang": "en", "retweeted_status": {
            "id_str": "3", "full_text": "garlic butter sauce for dinner tonight with fresh bread #cooking", "lang": "en"}},
        {"data": {"id": "4", "text": "merged the branch after the compiler bug fix release #coding", "lang": "en"}},
    ]
    path = tmp_path / "export.data"  # the name says nothing; the content and gzip bytes do
    path.write_bytes(gzip.compress(("\n".join(json.dumps(x) for x in lines) + "\n{broken\n").encode()))
    assert user_files.detect(path) == "json"
    enc = encode([path])
    assert sorted(enc.hashtags) == ["coding", "cooking", "football"]
    assert "keeper saved late penalty derby match" in kept_texts(enc)
    assert enc.files[0]["malformed"] == 1 and enc.files[0]["posts"] == 3


def test_csv_and_tsv_with_text_column(tmp_path, cache):
    items = posts(30)
    csv_path = tmp_path / "posts.csv"
    csv_path.write_text("id,body,lang\n" + "".join(f'{i},"{t}",en\n' for i, (t, _) in enumerate(items)))
    tsv_path = tmp_path / "posts.tsv.gz"
    tsv_path.write_bytes(gzip.compress(("body\n" + "".join(f"{t}\n" for t, _ in items)).encode()))
    for path in (csv_path, tsv_path):
        enc = encode([path], text_column="body")
        assert len(enc) == 30 and sorted(enc.hashtags) == sorted(TOPICS)


def test_plain_text_counts_undecodable_lines(tmp_path, cache):
    path = tmp_path / "posts.txt"
    body = "\n".join(t for t, _ in posts(12)).encode() + b"\n\xff\xfe broken #bytes line here now\n"
    path.write_bytes(body)
    enc = encode([path])
    assert user_files.detect(path) == "text"
    assert len(enc) == 12 and enc.files[0]["undecodable"] == 1
    assert "1 undecodable" in own_data.funnel_summary(enc)


def test_funnel_matches_the_built_in_cleaning(tmp_path, cache):
    import pandas as pd

    from tagzsl import preprocess

    texts = [t for t, _ in posts(20)] + ["RT @x: same words here again and again #dup https://t.co/a",
                                         "same words here again and again #dup", "no hashtag in this post at all",
                                         "too short #tiny", "Café ünïcode words football striker goal #Zürich"]
    path = tmp_path / "mixed.txt"
    path.write_text("\n".join(texts) + "\n")
    enc = encode([path])
    ref = preprocess.clean_corpus(pd.DataFrame({"id": range(len(texts)), "text": texts}))
    ref_steps = ref.steps[ref.steps["step"] != "English only"]  # no --lang: no language step
    assert enc.steps == ref_steps.values.tolist()
    assert kept_texts(enc) == list(ref.frame["text"])


def test_language_filter(tmp_path, cache):
    path = tmp_path / "mixed.csv"
    rows = [("en", t) for t, _ in posts(10)] + [("fr", "le gardien a arrêté un penalty pendant le match #foot")]
    path.write_text("lang,text\n" + "".join(f'{lang},"{t}"\n' for lang, t in rows))
    assert len(encode([path], lang="en")) == 10
    french = encode([path], lang="fr")
    assert len(french) == 1 and french.steps[1] == ["language 'fr' only", 1]


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("case, message", [
    ("missing", "no file at"),
    ("binary", "unknown format"),
    ("array", "JSON array"),
    ("empty", "empty"),
    ("column", "no column 'body'; the columns are 'id', 'text'"),
    ("nohashtags", "no usable post with a hashtag"),
])
def test_bad_files_are_one_line(tmp_path, cache, case, message):
    path = tmp_path / {"column": "p.csv", "array": "p.json"}.get(case, "p.txt")
    if case == "binary":
        path.write_bytes(b"\x00\x01\x02garbage")
    elif case == "array":
        path.write_text('[{"text": "a"}]')
    elif case == "empty":
        path.write_text("\n\n")
    elif case == "column":
        path.write_text('id,text\n1,"a post #tag"\n')
    elif case == "nohashtags":
        path.write_text("a post without any tag at all\nanother one without tags either\n")
    with pytest.raises(DataError, match=message) as err:
        encode([path], text_column="body" if case == "column" else None)
    assert "\n" not in str(err.value)
    assert not [p for p in leftovers(cache) if ".tmp-" in p]


def test_too_few_hashtags_and_too_many_labels(tmp_path, cache):
    enc = encode([write_json(tmp_path / "one.jsonl.gz", posts(30, tags=("football",)))])
    with pytest.raises(DataError, match="only 1 hashtag"):
        own_training.select_labels(enc, multi_label=False, n_labels=2)
    enc = encode([write_json(tmp_path / "three.jsonl.gz", posts(30))])
    with pytest.raises(DataError, match="--labels 5 is more than the 3 distinct hashtags in the kept posts; pass --labels 3"):
        own_training.select_labels(enc, multi_label=False, n_labels=5)
    with pytest.raises(DataError, match="only 0 hashtag.*--min-count"):
        own_training.select_labels(enc, multi_label=True, min_count=11)


# --------------------------------------------------------------------------- labels
def test_paper_rule_and_fallback(tmp_path, cache):
    items = posts(60, tags=("football",) * 3 + ("cooking",) * 2 + ("coding",))  # 30 / 20 / 10 posts
    enc = encode([write_json(tmp_path / "p.jsonl.gz", items)])
    paper = own_training.select_labels(enc, False, n_labels=2, min_tweets=20, per_hashtag=15)
    assert paper.rule == "paper" and sorted(paper.names) == ["cooking", "football"] and len(paper.rows) == 30
    fallback = own_training.select_labels(enc, False, n_labels=3, min_tweets=20, per_hashtag=15)
    assert fallback.rule == "fallback" and "threshold lowered to 10" in fallback.note
    assert sorted(fallback.names) == sorted(TOPICS) and len(fallback.rows) == 30
    multi = own_training.select_labels(enc, True, min_count=20)
    assert multi.names == ["cooking", "football"] and len(multi.rows) == 50
    assert all(isinstance(h, list) for h in multi.hashtags)


def test_dataset_reads_the_disk_corpus(tmp_path, cache):
    enc = encode([write_json(tmp_path / "p.jsonl.gz", posts(20))])
    labels = own_training.select_labels(enc, True, min_count=1)
    batches = list(own_training.dataset(enc, labels, batch_size=8, shuffle=False))
    x, y = (t.numpy() for t in batches[0])
    assert [len(b[0]) for b in batches] == [8, 8, 4] and x.shape[1] == 30 and y.shape[1] == 8
    words = ["", "[UNK]"] + enc.words
    assert " ".join(words[i] for i in x[0] if i) == kept_texts(enc)[0]
    assert labels.names[y[0, 0]] == labels.hashtags[0][0] and (y[:, 1:] == -1).all()


def test_dataset_shuffles_each_epoch_from_the_seed(tmp_path, cache):
    enc = encode([write_json(tmp_path / "p.jsonl.gz", posts(40))])
    labels = own_training.select_labels(enc, True, min_count=1)

    def epochs(ds, n=2):
        return [np.concatenate([x.numpy()[:, 0] * 1000 + x.numpy()[:, 1] for x, _ in ds]) for _ in range(n)]

    first, second = epochs(own_training.dataset(enc, labels, batch_size=8, seed=3))
    plain = epochs(own_training.dataset(enc, labels, batch_size=8, shuffle=False), 1)[0]
    assert sorted(first) == sorted(second) == sorted(plain)           # every post once an epoch
    assert list(first) != list(second) and list(first) != list(plain)  # reshuffled each epoch
    again = epochs(own_training.dataset(enc, labels, batch_size=8, seed=3))
    assert all((a == b).all() for a, b in zip(again, (first, second)))  # the seed repeats the run
    other = epochs(own_training.dataset(enc, labels, batch_size=8, seed=4), 1)[0]
    assert list(other) != list(first)


# --------------------------------------------------------------------------- cache
def test_second_run_reuses_the_cache(tmp_path, cache, monkeypatch):
    path = write_json(tmp_path / "p.jsonl.gz", posts(20))
    first = encode([path])
    monkeypatch.setattr(own_data, "_build", lambda *a: pytest.fail("rebuilt"))
    assert encode([path]).directory == first.directory
    path.write_bytes(gzip.compress(b'{"text": "a whole new post with words #new"}\n'))  # size/mtime change
    with pytest.raises(pytest.fail.Exception):
        encode([path])


def test_interrupt_leaves_nothing(tmp_path, cache, monkeypatch):
    path = write_json(tmp_path / "p.jsonl.gz", posts(30))
    monkeypatch.setattr(own_data, "CHUNK", 10)
    calls = []
    real = own_data._Writer.chunk

    def interrupted(self, batch):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(self, batch)

    monkeypatch.setattr(own_data._Writer, "chunk", interrupted)
    with pytest.raises(KeyboardInterrupt):
        encode([path])
    assert [p for p in leftovers(cache) if p.startswith("own/")] == []


def test_cli_load(tmp_path, cache):
    parser = argparse.ArgumentParser()
    own_data_cli.add_arguments(parser)
    args = parser.parse_args(["--data", str(write_json(tmp_path / "p.jsonl.gz", posts(45))), "--labels", "3",
                              "--min-count", "5"])
    out = tmp_path / "summary.txt"
    with open(out, "w") as fh:
        got = own_data_cli.load(args, "gru_attention", seed=1, progress=False, out=fh)
    assert len(got.texts) == len(got.hashtags) == 45 and set(got.hashtags) == set(TOPICS)
    assert "Labels: fallback" in out.read_text() and "at least 5 words" in out.read_text()
    assert got.vectors.vector_size == 150 and "goal" in got.vectors.key_to_index
    from tagzsl import preprocess

    assert preprocess.clean_texts(got.texts) == got.texts   # Recommender.fit cleans them again: unchanged
    with open(out, "w") as fh:
        tags = own_data_cli.load(args, "tagspace", seed=1, progress=False, out=fh)
    # tagspace/wsabie stream from the encoded corpus: no strings, no word2vec (they learn their own table)
    assert tags.texts is None and tags.hashtags is None and tags.vectors is None
    assert len(tags.labels.rows) == 45 and all(isinstance(h, list) for h in tags.labels.hashtags)
    bad = parser.parse_args(["--data", str(tmp_path / "nope.json")])
    with pytest.raises(DataError, match="no file at"):
        own_data_cli.load(bad, "tagspace", progress=False)


def test_from_files_gives_prepared(tmp_path, cache):
    from tagzsl import corpus

    prepared = corpus.from_files([write_json(tmp_path / "p.jsonl.gz", posts(45))], n_hashtags=3, min_tweets=20,
                                 per_hashtag=10, w2v_epochs=1)
    assert sorted(prepared.hashtags) == sorted(TOPICS) and len(prepared.top) == 30
    assert prepared.label_rule == "fallback" and len(prepared.clean) == 45
    assert list(prepared.steps["tweets"])[-1] == 45
    row = prepared.top.iloc[0]
    assert row["hashtag"] in row["hashtags"] and row["text"] == " ".join(row["tokens"])
    assert np.isfinite(prepared.vectors["goal"]).all()


def test_a_killed_build_is_removed_by_the_next_run(tmp_path, cache):
    stale = cache / "own" / ".tmp-999999999-abc"   # no process has this id
    stale.mkdir(parents=True)
    (stale / "tokens.bin").write_bytes(b"half")
    encode([write_json(tmp_path / "p.jsonl.gz", posts(10))])
    assert not stale.exists() and not [p for p in leftovers(cache) if ".tmp-" in p]


def test_notebook_data_files_take_the_labels_a_small_collection_has(tmp_path, cache):
    """``prepare(files=...)`` (the notebooks' DATA_FILES) gives a collection with fewer than 50
    qualifying hashtags a label set of those it has, and says so; the API's ``from_files`` keeps
    refusing, in one line, a label count the data cannot give."""
    from tagzsl import corpus
    from tagzsl.own_data import DataError

    items = posts(60) + [(t, "rare") for t, _ in posts(3, seed=1, tags=("football",))]
    path = write_json(tmp_path / "p.jsonl.gz", [(t + (" #rare" if tag == "rare" else ""), tag) for t, tag in items])
    prepared = corpus.prepare(files=[path], quick=True, min_tweets=20, per_hashtag=10)
    assert sorted(prepared.hashtags) == sorted(TOPICS)          # 20 posts each; #rare is on 3 (< 10)
    assert prepared.label_note.startswith("3 labels, not 50: only 3 hashtags")
    with pytest.raises(DataError, match="--labels 50 is more than"):
        corpus.from_files([path], min_tweets=20, per_hashtag=10, w2v_epochs=1)
