"""#TagSpace/WSABIE on a person's posts, streamed from the encoded corpus (never as strings): the
streamed encoder and batches equal the list path's, and `tagzsl train --data` uses them."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tagzsl import cli, own_data, own_tagspace, own_training, recommender
from tagzsl.tagspace_data import Encoder
from test_own_data import TOPICS, posts, write_json


@pytest.fixture
def cache(isolated_cache):
    return isolated_cache


def encoded_and_labels(tmp_path, n=60, seed=4, min_count=5):
    enc = own_data.encode([write_json(tmp_path / "p.jsonl.gz", posts(n, seed=seed))], progress=False)
    return enc, own_training.select_labels(enc, True, min_count=min_count)


def frame_of(enc, labels, positions):
    rows = np.asarray(labels.rows)[positions]
    return pd.DataFrame({"tokens": [[enc.words[i] for i in ids] for ids in enc.rows(rows)[0]],
                         "hashtags": [labels.hashtags[i] for i in positions]})


def test_split_is_seeded_disjoint_and_capped():
    fit, val = own_tagspace.split_rows(1000, seed=1)
    assert len(val) == 100 and len(np.intersect1d(fit, val)) == 0 and len(fit) + len(val) == 1000
    assert (own_tagspace.split_rows(1000, seed=1)[1] == val).all()
    assert not (own_tagspace.split_rows(1000, seed=2)[1] == val).all()
    assert len(own_tagspace.split_rows(10**6, seed=1, cap=500)[1]) == 500
    assert len(own_tagspace.split_rows(3, seed=1)[1]) == 1


def test_streamed_batches_equal_the_list_path(tmp_path, cache):
    enc, labels = encoded_and_labels(tmp_path)
    stream = own_tagspace.StreamEncoder().fit_encoded(enc, labels)
    everything = frame_of(enc, labels, np.arange(len(labels.rows)))
    listed = Encoder().fit(everything["tokens"], labels.names)     # the list path, on the same posts
    assert stream.vocabulary_ == listed.vocabulary_ and stream.tags_ == listed.tags_
    for trim in (True, False):
        got = list(stream.dataset(np.asarray(labels.rows), 16, shuffle=False, trim=trim))
        want = list(listed.dataset(everything, 16, shuffle=False, trim=trim))
        assert len(got) == len(want) == 4 and stream.dataset(np.asarray(labels.rows), 16).cardinality() == 4
        for (gx, gy), (wx, wy) in zip(got, want):
            np.testing.assert_array_equal(gx.numpy(), wx.numpy())
            np.testing.assert_array_equal(gy.numpy(), wy.numpy())


def test_rare_words_are_unknown_in_the_stream(tmp_path, cache):
    enc, labels = encoded_and_labels(tmp_path)
    counts = enc.word_counts()
    least = int(np.median(counts)) + 1
    stream = own_tagspace.StreamEncoder(min_word_count=least).fit_encoded(enc, labels)
    rare = counts < least
    assert rare.any() and (stream.word_map_[rare] == 1).all() and (stream.word_map_[~rare] >= 2).all()
    assert len(stream.vocabulary_) == 2 + int((~rare).sum())


def test_fit_encoded_trains_and_round_trips(tmp_path, cache):
    enc, labels = encoded_and_labels(tmp_path, n=90)
    rec = recommender.Recommender("wsabie", seed=3, epochs=10, dim=16).fit_encoded(enc, labels)
    assert rec.hashtags_ == sorted(TOPICS)
    top = rec.recommend("penalty referee striker goal keeper stadium league match", k=1)
    assert top[0][0][0] == "football"
    rec.save(tmp_path / "m")
    again = recommender.Recommender.load(tmp_path / "m")
    text = "garlic butter sauce oven bake flour dinner recipe"
    got, want = again.recommend(text, k=3)[0], rec.recommend(text, k=3)[0]
    assert [t for t, _ in got] == [t for t, _ in want] and got[0][0] == "cooking"
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-6)
    with pytest.raises(ValueError, match="tagspace and wsabie"):
        recommender.Recommender("ann").fit_encoded(enc, labels)


def test_cli_tagspace_never_builds_strings(tmp_path, cache, capsys, monkeypatch):
    monkeypatch.setattr(own_training, "texts", lambda *a: pytest.fail("texts built for tagspace"))
    monkeypatch.setattr("tagzsl.own_vectors.train", lambda *a, **k: pytest.fail("word2vec trained for wsabie"))
    data = write_json(tmp_path / "export.jsonl.gz", posts(60, seed=4))
    code = cli.main(["train", "--data", str(data), "--method", "wsabie", "--min-count", "5", "--quick",
                     "--epochs", "10", "--out", str(tmp_path / "ts")])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "training wsabie on 60 tweets" in out and f"({len(TOPICS)} hashtags)" in out
    assert "Epoch 1/10" in out and "Epoch 10/10" in out     # Keras's epoch lines (a bar on a terminal)
    monkeypatch.undo()
    assert recommender.Recommender.load(tmp_path / "ts").get_params()["min_count"] == 5   # the rule used, saved
    code = cli.main(["recommend", "--model", str(tmp_path / "ts"), "-k", "1", "--json",
                     "penalty referee striker goal keeper stadium league match"])
    out, err = capsys.readouterr()
    assert code == 0 and '"hashtag": "football"' in out, err
    from tagzsl import demo
    from tagzsl.demo_models import from_folder

    models = from_folder(tmp_path / "ts")          # the demo serves the streamed model (no word vectors)
    (label,) = models.recommenders
    got = demo.answer(models, "recipe oven garlic butter bake dinner flour sauce", label)
    assert [t for t, *_ in got["ranking"]][:1] == ["cooking"]
