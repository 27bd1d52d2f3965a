"""Table 2 protocol on a tiny synthetic corpus: folds, early-stopping isolation, the table."""
import numpy as np
import pytest

from tagzsl import embeddings, preprocess, supervised
from tagzsl.data.synthetic import synthetic_corpus
from tagzsl.recommender import HashtagRecommender, clean_texts


@pytest.fixture(scope="module")
def tiny():
    df = synthetic_corpus(n_tweets=240, n_topics=3, hashtags_per_topic=2, seed=5)
    try:
        texts = clean_texts(df["text"])
        kv = embeddings.train_word2vec(preprocess.word2vec_sentences(df), epochs=2, min_count=1)
    except LookupError as err:
        pytest.skip(str(err))
    texts = [f"{t} doc{i}" for i, t in enumerate(texts)]  # unique texts, to trace where each goes
    return texts, [h[0] for h in df["hashtags"]], kv


def test_splits_are_stratified_disjoint_and_validation_comes_from_training(tiny):
    _, labels, _ = tiny
    labels = np.asarray(labels)
    splits = supervised.make_splits(labels, n_splits=5, validation_fraction=0.1, seed=7)
    tests = np.concatenate([t for _, _, t in splits])
    assert sorted(tests) == list(range(len(labels)))  # every tweet tested exactly once
    overall = {c: np.mean(labels == c) for c in set(labels)}
    for fit, val, test in splits:
        assert not set(fit) & set(val) and not set(fit) & set(test) and not set(val) & set(test)
        assert len(fit) + len(val) + len(test) == len(labels)
        for c, share in overall.items():  # stratified: class shares within one tweet of overall
            assert abs(np.sum(labels[test] == c) - share * len(test)) <= 1
    assert supervised.make_splits(labels, seed=7)[0][2].tolist() == splits[0][2].tolist()  # seeded
    with pytest.raises(ValueError, match="fewer than n_splits"):
        supervised.make_splits(["a"] * 10 + ["b"] * 2, n_splits=5)


def test_cross_validate_table_and_test_fold_isolation(tiny, monkeypatch):
    texts, labels, kv = tiny
    seen = []
    original = HashtagRecommender._fit_cleaned

    def spy(self, cleaned, tags, validation_split=0.1, validation_data=None):
        seen.append((set(cleaned), set(validation_data[0])))
        return original(self, cleaned, tags, validation_split, validation_data)

    monkeypatch.setattr(HashtagRecommender, "_fit_cleaned", spy)
    models = {"ANN": {"model": "ann", "units": 8}, "GRU": {"model": "gru", "units": 4, "epochs": 1}}
    res = supervised.cross_validate(texts, labels, models, vectors=kv, n_splits=3, max_folds=2,
                                    epochs=2, batch_size=32, sequence_length=12, cleaned=True,
                                    tfidf_Cs=(1.0, 10.0), log=lambda *_: None)
    assert len(seen) == 4  # 2 folds x 2 deep models
    for i, (train_texts, val_texts) in enumerate(seen):
        fit, val, test = res.splits[i // 2]
        test_texts = {texts[j] for j in test}
        assert val_texts == {texts[j] for j in val} and train_texts == {texts[j] for j in fit}
        assert not (val_texts | train_texts) & test_texts
    assert list(res.table["model"]) == ["ANN", "GRU", "TF-IDF + LR"]
    for m in supervised.METRICS:
        assert {f"{m}_mean", f"{m}_std"} <= set(res.table.columns)
        assert res.table[f"{m}_mean"].between(0, 1).all() and res.table[f"{m}_std"].notna().all()
    assert (res.folds.query("model == 'GRU'")["epochs"] == 1).all()  # per-model override
    assert set(res.histories) == {(m, f) for m in ("ANN", "GRU") for f in (0, 1)}
    assert "val_loss" in res.histories[("ANN", 0)]
    assert len(res.per_hashtag) == 3 * len(set(labels)) and res.per_hashtag["f1"].between(0, 1).all()
    total = sum(len(t) for _, _, t in res.splits)
    assert res.confusion["ANN"].sum() == total
    # the TF-IDF row learns this easy synthetic task
    assert res.table.set_index("model").loc["TF-IDF + LR", "accuracy_mean"] > 1.5 / len(set(labels))
    shown = supervised.formatted(res.table)
    assert "±" in shown.loc[0, "accuracy"]


def test_bad_model_spec(tiny):
    texts, labels, _ = tiny
    with pytest.raises(ValueError, match="no 'model' entry"):
        supervised.cross_validate(texts, labels, {"X": {"units": 3}}, cleaned=True)


def test_regularisation_search_stays_inside_the_outer_training_part(tiny, monkeypatch):
    texts, labels, kv = tiny
    seen = []
    original = HashtagRecommender._fit_cleaned
    predicted = []
    original_predict = HashtagRecommender._predict_proba_cleaned

    def spy(self, cleaned, tags, validation_split=0.1, validation_data=None):
        seen.append((set(cleaned), set(validation_data[0]), dict(self.model_hparams)))
        return original(self, cleaned, tags, validation_split, validation_data)

    def spy_predict(self, cleaned, batch_size=256):
        predicted.append(set(cleaned))
        return original_predict(self, cleaned, batch_size)

    monkeypatch.setattr(HashtagRecommender, "_fit_cleaned", spy)
    monkeypatch.setattr(HashtagRecommender, "_predict_proba_cleaned", spy_predict)
    outer = supervised.make_splits(np.asarray(labels), n_splits=3, seed=3)[0]
    outer_test = {texts[j] for j in outer[2]}
    outer_train = {texts[j] for j in np.concatenate([outer[0], outer[1]])}
    configs = {"plain": {"model": "ann", "units": 8},
               "regularised": {"model": "ann", "units": 8, "output_dropout": 0.5, "l2": 1e-3}}
    res = supervised.regularisation_search(texts, labels, outer, configs, vectors=kv, inner_folds=2,
                                           n_inner_splits=3, epochs=2, sequence_length=12,
                                           tfidf_Cs=(1.0,), seed=3, log=lambda *_: None)
    assert len(seen) == 4 and len(predicted) == 4
    for (fit, val, hparams), held in zip(seen, predicted):
        assert not (fit | val | held) & outer_test  # the outer test fold is never used
        assert fit | val | held <= outer_train and not fit & held and not val & held
    assert seen[1][2] == {"units": 8, "output_dropout": 0.5, "l2": 1e-3}
    assert predicted[0] != predicted[2]  # two different inner held-out parts
    assert list(res["config"]) == ["plain", "regularised", "TF-IDF + LR"] * 2
    assert res["accuracy"].between(0, 1).all() and (res["inner_fold"].value_counts() == 3).all()
