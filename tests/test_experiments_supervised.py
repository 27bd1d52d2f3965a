"""Notebook 02's protocol sentences on hand-made numbers: the source-only row of
cross_validate, the verdict (best deep model against TF-IDF + LR and the source-only
baseline), the paper's ordering check, the chance margin and the summary."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from tagzsl.experiments import dataset
from tagzsl.experiments import supervised as exp


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


def test_verdict_needs_the_best_deep_model_above_both_baselines():
    above_tfidf_only = _result({"ANN": [30, 34], "CNN": [20, 22], exp.TFIDF: [28, 30], exp.SOURCE_ONLY: [35, 35]})
    text = exp.verdict(above_tfidf_only)
    assert text.splitlines()[0] == "best deep model: ANN, accuracy 32.0 ± 2.8%"
    assert "against TF-IDF + LR (29.0 ± 1.4%): beats it, +3.0 points (higher on 2 of 2 folds)" in text
    assert "against source only (35.0 ± 0.0%): does NOT beat it, -3.0 points (higher on 0 of 2 folds)" in text
    assert text.splitlines()[-1].startswith("verdict: no deep model beats TF-IDF + LR and source only")
    assert "does not beat source only)" in text

    above_both = _result({"ANN": [30, 34], "CNN": [40, 44], exp.TFIDF: [28, 30], exp.SOURCE_ONLY: [35, 35]})
    assert exp.verdict(above_both).splitlines()[-1] == "verdict: a deep model (CNN) beats TF-IDF + LR and source only"

    one_fold = _result({"ANN": [30], exp.TFIDF: [31], exp.SOURCE_ONLY: [10]})
    text = exp.verdict(one_fold)
    assert "accuracy 30.0%" in text and "-1.0 points (higher on 0 of 1 folds)" in text
    assert "the best, ANN, does not beat TF-IDF + LR)" in text


def test_ordering_checks_the_papers_pairs_on_this_runs_numbers():
    holds = _result({"ANN": [10], "CNN": [20], "RNN": [20], "Transformer": [30], exp.TFIDF: [99]})
    text = exp.ordering(holds.table)
    assert "paper's ordering: Transformer > RNN >= CNN > ANN" in text
    assert "ours (accuracy %, best first): Transformer 30.0 > " in text and "TF-IDF" not in text
    assert text.splitlines()[-1] == "ordering: holds"  # RNN == CNN satisfies ">="

    fails = _result({"ANN": [25], "CNN": [20], "RNN": [19], "Transformer": [30]})
    text = exp.ordering(fails.table)
    assert "fails: RNN >= CNN, CNN > ANN" in text and "holds: Transformer > RNN" in text
    assert text.splitlines()[-1] == "ordering: does NOT hold (2 of 3 checked pairs fail)"

    lesson = _result({"ANN": [10], "CNN": [20], "RNN+attention": [25]})  # no RNN, no Transformer
    text = exp.ordering(lesson.table)
    assert "not checked (a model not in this run): Transformer > RNN, RNN >= CNN" in text
    assert text.splitlines()[-1] == "ordering: holds on the 1 pair(s) this run can check"
    assert exp.ordering(_result({"ANN": [10]}).table).splitlines()[-1].startswith("ordering: cannot be checked")


def test_chance_margin_and_summary():
    res = _result({"ANN": [12.0], "CNN": [1.5], exp.TFIDF: [20.0], exp.SOURCE_ONLY: [8.0]}, n_classes=50)
    text = exp.above_chance(res)
    assert text.startswith("chance on 50 hashtags: 2.0%")
    assert "ANN 12.0% (+10.0)" in text and "CNN 1.5% (-0.5)" in text
    assert "AT OR BELOW chance: CNN" in text and text.endswith("the lowest by -0.5 points")
    fine = _result({"ANN": [12.0], exp.TFIDF: [20.0]}, n_classes=50)
    assert "every row is above chance, the lowest by +10.0 points" in exp.above_chance(fine)

    lines = exp.summary(res, exp.LESSON).splitlines()
    assert lines[0] == "lesson run: 1 of 5 folds, 2 deep model(s) (ANN, CNN), 50 hashtags, 2 test tweets"
    # paper: ANN 40.7, CNN 43.7 -> ours 12.0 (-28.7) and 1.5 (-42.2)
    assert "on the 2 matching row(s): ours are -42.2 to -28.7 points from the paper's accuracy" in lines[2]
    assert any(line.startswith("verdict:") for line in lines) and lines[-1].startswith("ordering:")


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
