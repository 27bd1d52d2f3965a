"""Table 2: the classifier (tagzsl.supervised) and its protocol (tagzsl.experiments.supervised)
on a tiny synthetic corpus: folds, early-stopping isolation, tables in percent, settings."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from tagzsl import embeddings, experiments, models, preprocess, supervised
from tagzsl.data.synthetic import synthetic_corpus
from tagzsl.experiments import supervised as exp
from tagzsl.experiments import supervised_report as report


@pytest.fixture(scope="module")
def tiny():
    df = synthetic_corpus(n_tweets=240, n_topics=3, hashtags_per_topic=2, seed=5)
    try:
        texts = preprocess.clean_texts(df["text"])
        kv = embeddings.train_word2vec(preprocess.word2vec_sentences(df), epochs=2, min_count=1)
    except LookupError as err:
        pytest.skip(str(err))
    texts = [f"{t} doc{i}" for i, t in enumerate(texts)]  # unique texts, to trace where each goes
    return texts, [h[0] for h in df["hashtags"]], kv


def test_splits_are_stratified_disjoint_and_validation_comes_from_training(tiny):
    _, labels, _ = tiny
    labels = np.asarray(labels)
    splits = exp.make_splits(labels, n_splits=5, validation_fraction=0.1, seed=7)
    tests = np.concatenate([t for _, _, t in splits])
    assert sorted(tests) == list(range(len(labels)))  # every tweet tested exactly once
    overall = {c: np.mean(labels == c) for c in set(labels)}
    for fit, val, test in splits:
        assert not set(fit) & set(val) and not set(fit) & set(test) and not set(val) & set(test)
        assert len(fit) + len(val) + len(test) == len(labels)
        for c, share in overall.items():  # stratified: class shares within one tweet of overall
            assert abs(np.sum(labels[test] == c) - share * len(test)) <= 1
    assert exp.make_splits(labels, seed=7)[0][2].tolist() == splits[0][2].tolist()  # seeded
    with pytest.raises(ValueError, match="fewer than n_splits"):
        exp.make_splits(["a"] * 10 + ["b"] * 2, n_splits=5)


def test_cross_validate_table_in_percent_and_test_fold_isolation(tiny, monkeypatch):
    texts, labels, kv = tiny
    seen = []
    original = supervised.Classifier.fit

    def spy(self, x, y, validation_data=None, validation_split=0.1):
        seen.append((set(x), set(validation_data[0])))
        return original(self, x, y, validation_data, validation_split)

    monkeypatch.setattr(supervised.Classifier, "fit", spy)
    settings = dataclasses.replace(
        exp.QUICK, models={"ANN": {"model": "ann", "units": 8}, "GRU": {"model": "gru", "units": 4, "epochs": 1}},
        n_splits=3, max_folds=2, epochs=2, batch_size=32, sequence_length=12, tfidf_Cs=(1.0, 10.0))
    res = exp.cross_validate(texts, labels, settings, vectors=kv, cleaned=True, log=lambda *_: None)
    assert len(seen) == 4  # 2 folds x 2 deep models
    for i, (train_texts, val_texts) in enumerate(seen):
        fit, val, test = res.splits[i // 2]
        test_texts = {texts[j] for j in test}
        assert val_texts == {texts[j] for j in val} and train_texts == {texts[j] for j in fit}
        assert not (val_texts | train_texts) & test_texts
    assert list(res.table["model"]) == ["ANN", "GRU", "TF-IDF + LR"]
    for m in supervised.METRICS:
        assert {f"{m}_mean", f"{m}_std"} <= set(res.table.columns)
        assert res.table[f"{m}_mean"].between(0, 100).all() and res.table[f"{m}_std"].notna().all()
    assert (res.folds.query("model == 'GRU'")["epochs"] == 1).all()  # per-model override
    assert set(res.histories) == {(m, f) for m in ("ANN", "GRU") for f in (0, 1)}
    assert "val_accuracy" in res.histories[("ANN", 0)]
    assert len(res.per_hashtag) == 3 * len(set(labels)) and res.per_hashtag["f1"].between(0, 100).all()
    total = sum(len(t) for _, _, t in res.splits)
    assert res.confusion["ANN"].sum() == total
    # the TF-IDF row learns this easy synthetic task (percent: chance is 100 / 6 = 16.7)
    assert res.table.set_index("model").loc["TF-IDF + LR", "accuracy_mean"] > 150 / len(set(labels))
    shown = exp.formatted(res.table)
    assert "±" in shown.loc[0, "accuracy"]
    assert report.verdict(res).startswith("best deep model: ")


def test_summary_uses_mean_sd_in_percent_and_verdict_reads_the_numbers():
    folds = pd.DataFrame({"model": ["ANN", "ANN", "TF-IDF + LR", "TF-IDF + LR"], "fold": [0, 1, 0, 1],
                          "accuracy": [20.0, 24.0, 22.0, 23.0], "precision": [1.0] * 4, "recall": [1.0] * 4,
                          "f1": [1.0] * 4, "train_seconds": [2.0, 4.0, 1.0, 1.0], "epochs": [2, 2, np.nan, np.nan]})
    table = exp.summarise(folds)
    ann = table.set_index("model").loc["ANN"]
    assert (ann["accuracy_mean"], ann["accuracy_std"]) == pytest.approx((22.0, np.sqrt(8.0)))  # ddof=1
    assert ann["seconds_per_epoch"] == 1.5 and ann["folds"] == 2
    assert exp.formatted(table).loc[0, "accuracy"] == "22.0 ± 2.8"
    res = exp.CVResult(table=table, folds=folds, per_hashtag=pd.DataFrame())
    text = report.verdict(res)
    assert "best deep model: ANN, accuracy 22.0 ± 2.8%" in text and "ANN beats TF-IDF + LR: tied" in text
    assert "higher on 1 of 2 folds" in text
    one = exp.formatted(exp.summarise(folds[folds["fold"] == 0]))
    assert one.loc[0, "accuracy"] == "20.0"  # one fold: no sd shown


def test_classifier_scores_are_percent():
    s = supervised.classification_scores(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert s["accuracy"] == 75.0 and 0 < s["f1"] < 100


def test_early_stopping_is_the_documented_one(tiny, monkeypatch):
    """The docstring says validation accuracy, best weights restored; the callback must say so too."""
    import keras

    texts, labels, _ = tiny
    made = []
    original = keras.callbacks.EarlyStopping.__init__

    def spy(self, **kwargs):
        made.append(kwargs)
        original(self, **kwargs)

    monkeypatch.setattr(keras.callbacks.EarlyStopping, "__init__", spy)
    clf = supervised.Classifier("ann", epochs=1, units=4, patience=3, sequence_length=8).fit(texts, labels)
    assert made == [{"patience": 3, "restore_best_weights": True, "monitor": "val_accuracy", "mode": "max"}]
    assert "validation accuracy" in supervised.__doc__ and "restored" in supervised.__doc__
    assert clf.predict(texts[:3]) and set(clf.predict(texts[:3])) <= set(clf.classes_)


def test_bad_model_spec_and_unknown_model(tiny):
    texts, labels, _ = tiny
    with pytest.raises(ValueError, match="no 'model' entry"):
        exp.cross_validate(texts, labels, dataclasses.replace(exp.QUICK, models={"X": {"units": 3}}), cleaned=True)
    with pytest.raises(ValueError, match="unknown model 'rnn'"):
        supervised.Classifier("rnn").fit(texts[:10], labels[:10])


def test_settings_are_frozen_and_written_once():
    assert experiments.settings_for(exp, "lesson") is exp.LESSON
    for s in (exp.FULL, exp.LESSON, exp.QUICK):
        with pytest.raises(dataclasses.FrozenInstanceError):
            s.epochs = 99
        assert s.cut and s.demo_row in s.models and s.curve_row in s.models
    for row, spec in exp.PAPER_MODELS.items():
        assert spec == {"model": exp.ROWS[row], **models.paper_hparams(exp.ROWS[row])}
    spec = exp.FULL.spec("gru_attention")
    assert spec == {"model": "gru_attention", "units": 128, "epochs": 10, "batch_size": 64,
                    "sequence_length": 25, "patience": 2}
    assert exp.FULL.spec("RNN+attention") == spec
    with pytest.raises(ValueError, match="not a model of the lesson settings"):
        exp.LESSON.spec("transformer")
    assert exp.LESSON.max_folds == 1 and len(exp.LESSON.models) == 3
