"""Notebook 02's protocol sentences on hand-made numbers: the source-only row of
cross_validate, the verdict (best deep model against TF-IDF + LR and the source-only
baseline), the paper's ordering check, the chance margin and the summary."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from tagzsl.experiments import dataset
from tagzsl.experiments import supervised as exp
from tagzsl.experiments import supervised_report as report
from tagzsl.experiments import verdicts


def _result(acc_by_fold: dict[str, list[float]], n_classes: int = 50) -> exp.CVResult:
    """A CVResult whose fold accuracies are ``acc_by_fold`` (percent; other metrics copy accuracy)."""
    rows = [{"model": m, "fold": k, "accuracy": a, "precision": a, "recall": a, "f1": a,
             "train_seconds": 1.0, "epochs": np.nan if m in exp.BASELINES else 3}
            for m, accs in acc_by_fold.items() for k, a in enumerate(accs)]
    folds = pd.DataFrame(rows)
    n = len(next(iter(acc_by_fold.values())))
    splits = [(np.arange(8), np.arange(8, 10), np.arange(10 + 2 * k, 12 + 2 * k)) for k in range(n)]
    return exp.CVResult(table=exp.summarise(folds), folds=folds, per_hashtag=pd.DataFrame(),
                        splits=splits, classes=[f"h{i}" for i in range(n_classes)])


def test_verdict_beats_only_outside_the_runs_uncertainty():
    # folds: ANN - TF-IDF = +2, +4, +3 (SE 0.58, t(2) = 4.30: ± 2.5); ANN - source only = -5, -1, -3
    res = _result({"ANN": [30, 34, 32], "CNN": [20, 22, 21], exp.TFIDF: [28, 30, 29], exp.SOURCE_ONLY: [35, 35, 35]})
    text = report.verdict(res)
    assert text.splitlines()[0] == "best deep model: ANN, accuracy 32.0 ± 2.0%"
    assert ("ANN beats TF-IDF + LR: holds (32.0 vs 29.0, difference +3.0 ± 2.5, 95% interval over 3 folds); "
            "higher on 3 of 3 folds") in text
    assert "ANN beats source only: tied (32.0 vs 35.0, difference -3.0 ± 5.0, 95% interval over 3 folds)" in text
    assert text.splitlines()[-1] == ("verdict: the best deep model, ANN, is tied with source only (inside the run's "
                                     "uncertainty) and beats TF-IDF + LR")
    below = _result({"ANN": [30, 31, 30], exp.TFIDF: [40, 41, 42], exp.SOURCE_ONLY: [10, 11, 10]})
    assert report.verdict(below).splitlines()[-1] == ("verdict: no deep model beats TF-IDF + LR and source only (the "
                                                   "best, ANN, is below TF-IDF + LR, outside the run's uncertainty)")
    above = _result({"ANN": [50, 51, 52], exp.TFIDF: [40, 41, 42], exp.SOURCE_ONLY: [10, 11, 10]})
    assert report.verdict(above).splitlines()[-1] == "verdict: a deep model (ANN) beats TF-IDF + LR and source only"


def test_one_fold_uses_the_binomial_interval_of_its_test_tweets():
    res = _result({"ANN": [30], exp.TFIDF: [31], exp.SOURCE_ONLY: [10]})
    res.splits = [(np.arange(10), np.arange(10, 12), np.arange(12, 1012))]      # 1,000 test tweets
    text = report.verdict(res)
    # sqrt(.3 * .7 / 1000 + .31 * .69 / 1000) * 1.96 * 100 = 4.0
    assert "ANN beats TF-IDF + LR: tied (30.0 vs 31.0, difference -1.0 ± 4.0, binomial 95% interval, 1,000 test" in text
    assert "ANN beats source only: holds (30.0 vs 10.0, difference +20.0 ± 3.4" in text


def test_ordering_checks_every_pair_of_the_papers_table_present():
    res = _result({"ANN": [10, 11, 12], "CNN": [20, 21, 22], "RNN": [20, 22, 21], "RNN+attention": [19, 20, 21],
                   "Transformer": [30, 31, 29], exp.TFIDF: [99, 99, 99]})
    text = report.ordering(res)
    assert text.splitlines()[0] == ("paper's ordering (Table 2 accuracy %): Transformer 57.4 > RNN+attention 47.0 > "
                                    "RNN 46.9 > CNN 43.7 > ANN 40.7")
    assert "TF-IDF" not in text
    claims = [line.split(":")[0].strip() for line in text.splitlines() if line.startswith("  ")]
    assert len(claims) == 10 and "RNN+attention > CNN" in claims and "RNN+attention > RNN" in claims
    assert "Transformer > ANN: holds" in text and "RNN > CNN: tied" in text
    assert "RNN+attention > RNN: does not hold (20.0 vs 21.0, difference -1.0 ± 0.0" not in text  # -1 ± 0 would be wrong
    assert text.splitlines()[-1].startswith("ordering, 10 pair(s) of the paper's Table 2 in this run: ")

    lesson = _result({"ANN": [10, 12], "CNN": [20, 21], "RNN+attention": [25, 26]})  # no RNN, no Transformer
    text = report.ordering(lesson)
    assert "not checked (not in this run): Transformer, RNN" in text
    assert report.ordering(_result({"ANN": [10]})).splitlines()[-1].startswith("ordering: cannot be checked")


def test_chance_margin_and_summary():
    res = _result({"ANN": [12.0], "CNN": [1.5], exp.TFIDF: [20.0], exp.SOURCE_ONLY: [8.0]}, n_classes=50)
    text = report.above_chance(res)
    assert text.startswith("chance on 50 hashtags: 2.0%")
    assert "ANN 12.0% (+10.0)" in text and "CNN 1.5% (-0.5)" in text
    assert "AT OR BELOW chance: CNN" in text and text.endswith("the lowest by -0.5 points")
    fine = _result({"ANN": [12.0], exp.TFIDF: [20.0]}, n_classes=50)
    assert "every row is above chance, the lowest by +10.0 points" in report.above_chance(fine)

    lines = report.summary(res, exp.LESSON).splitlines()
    assert lines[0] == "lesson run: 1 of 5 folds, 2 deep model(s) (ANN, CNN), 50 hashtags, 2 test tweets"
    # paper: ANN 40.7, CNN 43.7 -> ours 12.0 (-28.7) and 1.5 (-42.2)
    assert ("on the 2 matching row(s): ours are -42.2 (CNN 1.5 vs 43.7) to -28.7 (ANN 12.0 vs 40.7) points "
            "from the paper's accuracy") in lines[2]
    assert any(line.startswith("verdict:") for line in lines) and lines[-1].startswith("ordering")


def test_paper_gap_agrees_with_the_one_decimal_table():
    # 26.34 shows as 26.3 and the paper's CNN as 43.7: the sentence says -17.4, as the table reads
    res = _result({"ANN": [33.74], "CNN": [26.34]})
    assert "-17.4 (CNN 26.3 vs 43.7)" in report.paper_gap(res)


def test_learning_curve_summary_is_computed_and_judged():
    curve = pd.DataFrame({"fraction": [0.5, 0.5, 1.0, 1.0], "n_train": [1000, 1000, 2000, 2000],
                          "model": ["ANN", exp.TFIDF, "ANN", exp.TFIDF], "accuracy": [29.1, 28.2, 33.7, 34.0]})
    text = report.learning_curve_summary(curve, n_test_tweets=1000)
    assert "ANN: 29.1% on 1,000 training tweets -> 33.7% on 2,000 (+4.6 points)" in text
    assert "TF-IDF + LR: 28.2% on 1,000 training tweets -> 34.0% on 2,000 (+5.8 points)" in text
    assert "ANN gains more from data than TF-IDF + LR: tied (4.6 vs 5.8, difference -1.2 ±" in text
    assert "TF-IDF + LR is above ANN at 1 of 2 training-set sizes" in text
    assert verdicts.verdict_problems(text) == []


def test_source_only_row_in_cross_validate_uses_the_training_part_only(monkeypatch):
    rng = np.random.default_rng(3)
    labels = [f"tag{i % 5}" for i in range(100)]
    sources = [f"src{i % 5}" for i in range(100)]  # the source gives the label away
    texts = [f"w{rng.integers(1000)} w{rng.integers(1000)} doc{i}" for i in range(100)]
    seen = []
    original = dataset.source_only_baseline

    def spy(train_sources, train_labels, test_sources):
        seen.append((len(train_sources), len(test_sources)))
        return original(train_sources, train_labels, test_sources)

    monkeypatch.setattr(dataset, "source_only_baseline", spy)
    settings = dataclasses.replace(exp.QUICK, models={}, n_splits=5, max_folds=2, tfidf_Cs=(1.0,))
    res = exp.cross_validate(texts, labels, settings, cleaned=True, sources=sources, log=lambda *_: None)
    assert list(res.table["model"]) == [exp.TFIDF, exp.SOURCE_ONLY]
    assert res.table.set_index("model").loc[exp.SOURCE_ONLY, "accuracy_mean"] == pytest.approx(100.0)
    assert seen == [(len(f) + len(v), len(t)) for f, v, t in res.splits]  # fit + validation, never test
    assert exp.SOURCE_ONLY in exp.side_by_side(res.table)["model"].tolist()

    shuffled = list(np.random.default_rng(0).permutation(sources))  # source unrelated to the label
    res = exp.cross_validate(texts, labels, settings, cleaned=True, sources=shuffled, tfidf=False, log=lambda *_: None)
    assert res.table.set_index("model").loc[exp.SOURCE_ONLY, "accuracy_mean"] < 60
    with pytest.raises(ValueError, match="one source per tweet"):
        exp.cross_validate(texts, labels, settings, cleaned=True, sources=sources[:-1], log=lambda *_: None)


def test_demo_on_two_hashtags_trains_on_both_and_says_none_is_unseen(monkeypatch):
    """One's own collection with 2 labels: the "for people" section trains on both (it kept 1
    before, which a classifier cannot train on) and says no hashtag is left to hold out."""
    from types import SimpleNamespace

    from tagzsl import recommender
    from tagzsl.experiments import supervised_studies as studies

    fitted = {}

    def fit(self, texts, hashtags, cleaned=False):
        fitted["hashtags"] = sorted(set(hashtags))
        return self

    monkeypatch.setattr(recommender.Recommender, "fit", fit)
    monkeypatch.setattr(recommender.Recommender, "recommend", lambda self, texts, k=5, candidates=None:
                        [[("a", 0.9)] for _ in texts])
    texts = [f"post number {i} about things" for i in range(40)]
    labels = ["a" if i % 2 else "b" for i in range(40)]
    prepared = SimpleNamespace(hashtags=["a", "b"], vectors=None)
    seen, unseen, reported = studies.demo(prepared, texts, labels, exp.QUICK, seed=1, n=3)
    assert fitted["hashtags"] == ["a", "b"] and len(seen) == 3
    assert unseen.empty and reported == ["only 2 hashtags: both are trained on, none is left to hold out as unseen"]
