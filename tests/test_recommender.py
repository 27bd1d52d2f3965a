"""HashtagRecommender: fit/recommend, zero-shot candidates, save/load, bad input, the CLI."""
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from tagzsl import corpus, embeddings, preprocess
from tagzsl.cli import main
from tagzsl.data.synthetic import synthetic_corpus
from tagzsl.recommender import HashtagRecommender, MissingVectorWarning

pytest.importorskip("nltk")


@pytest.fixture(scope="module")
def data():
    df = synthetic_corpus(n_tweets=360, n_topics=4, hashtags_per_topic=3, seed=1)
    try:
        kv = embeddings.train_word2vec(preprocess.word2vec_sentences(df), epochs=3, min_count=1)
    except LookupError as err:  # NLTK stop words missing
        pytest.skip(str(err))
    return df, [h[0] for h in df["hashtags"]], kv


@pytest.fixture(scope="module")
def fitted(data):
    df, tags, kv = data
    held_out = sorted(set(tags))[-1]  # one hashtag never trained on, for zero-shot
    keep = [t != held_out for t in tags]
    rec = HashtagRecommender("gru_attention", epochs=2, units=8, vectors=kv, seed=3)
    rec.fit(df["text"][keep].tolist(), [t for t, k in zip(tags, keep) if k])
    return rec, held_out


def test_recommend_ranks_trained_hashtags(fitted, data):
    rec, held_out = fitted
    df = data[0]
    out = rec.recommend(df["text"][:3].tolist(), k=4)
    assert len(out) == 3 and all(len(r) == 4 for r in out)
    for ranked in out:
        scores = [s for _, s in ranked]
        assert scores == sorted(scores, reverse=True)
        assert {t for t, _ in ranked} <= set(rec.classes_)
    assert held_out not in rec.classes_
    probs = rec.predict_proba(df["text"][:3])
    np.testing.assert_allclose(probs.sum(axis=1), 1, atol=1e-5)
    assert out[0][0] == (rec.classes_[probs[0].argmax()], pytest.approx(probs[0].max()))
    assert set(rec.history_) >= {"loss", "val_loss"}  # early stopping had a validation slice


def test_candidates_rank_unseen_hashtags_and_report_missing(fitted, data):
    rec, held_out = fitted
    df = data[0]
    candidates = ["#" + held_out.upper(), rec.classes_[0], "nosuchhashtagzz"]
    with pytest.warns(MissingVectorWarning, match="nosuchhashtagzz"):
        out = rec.recommend(df["text"][:2].tolist(), k=5, candidates=candidates)
    assert all({t for t, _ in r} == {held_out, rec.classes_[0]} for r in out)
    assert all(-1 <= s <= 1 for r in out for _, s in r)
    with pytest.raises(ValueError, match="none of the candidate hashtags has a word vector"):
        rec.recommend(df["text"][:1].tolist(), candidates=["nosuchhashtagzz", "#alsonotthere"])


def test_bad_texts_name_the_items(fitted):
    rec, _ = fitted
    with pytest.raises(ValueError, match="unusable text ''.*empty"):
        rec.recommend("")
    with pytest.raises(ValueError, match="no words left after cleaning"):
        rec.recommend("#only #hashtags http://t.co/x")
    with pytest.raises(ValueError, match=r"2 of 3 texts are unusable: item 1 .*item 2"):
        rec.recommend(["kolido danino goal", "   ", "the and is"])
    with pytest.raises(ValueError, match="k must be"):
        rec.recommend("some words here", k=0)


def test_save_load_round_trip(fitted, data, tmp_path):
    rec, held_out = fitted
    texts = data[0]["text"][:25].tolist()
    path = rec.save(tmp_path / "model")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp dir left
    again = HashtagRecommender.load(path)
    np.testing.assert_allclose(again.predict_proba(texts), rec.predict_proba(texts), atol=1e-6)
    assert again.classes_ == rec.classes_ and again.get_params()["units"] == 8
    assert again.recommend(texts[:2], candidates=[held_out]) == rec.recommend(texts[:2], candidates=[held_out])
    rec.save(path)  # overwriting a recommender directory is allowed
    assert HashtagRecommender.load(path).classes_ == rec.classes_


def test_load_rejects_missing_foreign_and_incompatible_dirs(fitted, tmp_path):
    rec, _ = fitted
    with pytest.raises(FileNotFoundError, match="no model directory"):
        HashtagRecommender.load(tmp_path / "absent")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("hello")
    with pytest.raises(ValueError, match="not a tagzsl model directory"):
        HashtagRecommender.load(tmp_path / "foreign")
    with pytest.raises(FileExistsError, match="not overwriting"):
        rec.save(tmp_path / "foreign")
    path = rec.save(tmp_path / "old")
    cfg = json.loads((path / "config.json").read_text())
    (path / "config.json").write_text(json.dumps({**cfg, "format_version": 99}))
    with pytest.raises(ValueError, match="format version 99"):
        HashtagRecommender.load(path)
    (path / "config.json").write_text(json.dumps(cfg))
    (path / "model.keras").unlink()
    with pytest.raises(ValueError, match="missing model.keras"):
        HashtagRecommender.load(path)


def test_unfitted_and_bad_training_input(data):
    df, tags, kv = data
    with pytest.raises(RuntimeError, match="not fitted"):
        HashtagRecommender().recommend("hello world again")
    with pytest.raises(ValueError, match="unknown model 'rnn'"):
        HashtagRecommender("rnn").fit(df["text"][:10], tags[:10])
    with pytest.raises(ValueError, match="3 texts but 2 hashtags"):
        HashtagRecommender().fit(df["text"][:3], tags[:2])
    with pytest.raises(ValueError, match="item 1"):
        HashtagRecommender().fit([df["text"][0], "#x and the"], tags[:2])


def test_sklearn_params_and_clone(data):
    from sklearn.base import clone

    rec = HashtagRecommender("cnn", epochs=1, units=8, vectors=data[2])
    copy = clone(rec)
    assert copy.get_params()["units"] == 8 and copy.model == "cnn" and not hasattr(copy, "model_")
    assert rec.set_params(units=4, epochs=3).get_params()["units"] == 4 and rec.epochs == 3


@pytest.fixture
def fake_prepare(monkeypatch, data):
    """``corpus.prepare`` replaced by the synthetic corpus (same shape as the real Prepared)."""
    df, tags, kv = data
    clean = pd.DataFrame({"id": df["id"], "raw": df["text"]})
    top = pd.DataFrame({"id": df["id"], "hashtag": tags})

    def prepare(**kwargs):
        return corpus.Prepared(raw=df, clean=clean, steps=None, top=top, vectors=kv, skipped_files=[])

    monkeypatch.setattr(corpus, "prepare", prepare)


def test_cli_train_then_recommend(fake_prepare, data, tmp_path, capsys):
    df, tags, _ = data
    out = tmp_path / "cli-model"
    assert main(["train", "--model", "ann", "--out", str(out), "--quick", "--epochs", "1"]) == 0
    assert (out / "model.keras").is_file()
    capsys.readouterr()
    assert main(["recommend", df["text"][0], "--model", str(out), "-k", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("1. #")
    assert main(["recommend", df["text"][0], "--model", str(out), "--candidates", f"{tags[0]},zzznovec"]) == 0
    captured = capsys.readouterr()
    assert f"#{tags[0]}" in captured.out and "zzznovec" in captured.err
    assert main(["recommend", "#just the #tags", "--model", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("tagzsl recommend:") and "cleaning" in err and len(err.splitlines()) == 1
    assert main(["recommend", "hello", "--model", str(tmp_path / "nope")]) == 1
    assert "no model directory" in capsys.readouterr().err
    assert main(["train", "--model", "lstm", "--out", str(tmp_path / "x")]) == 2
    assert "unknown model" in capsys.readouterr().err
