"""Notebook 02 in quick mode: runs end to end, shows every figure it writes, prints Table 2 with
the two baselines, the paper's rows beside ours, the verdicts computed from the run, and has
clean outputs."""
import json

import pytest

from tagzsl import reproduce

FIGURES = ("02_accuracy_by_model.png", "02_training_curves.png", "02_per_hashtag_f1.png", "02_learning_curve.png")


@pytest.mark.notebook
def test_notebook_02_quick(tmp_path, shared_data):
    [run] = reproduce.run(only="02", quick=True, data_root=shared_data, out_dir=tmp_path,
                          figures_dir=tmp_path / "figures", log=lambda *_: None)
    for name in FIGURES:
        assert (tmp_path / "figures" / name).stat().st_size > 5_000
    assert sorted(run["figures"]) == sorted(FIGURES)
    assert run["problems"] == []  # no warnings, log lines, paths; one image per figure written
    nb = json.loads((tmp_path / "02_supervised.ipynb").read_text())
    text = "\n".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}))
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "best deep model:" in text and "TF-IDF + LR" in text and "source only" in text
    assert "verdict: " in text and "paper's ordering (Table 2 accuracy %): Transformer 57.4 > RNN+attention 47.0" in text
    assert "RNN+attention > CNN: " in text and "pair(s) of the paper's Table 2 in this run" in text   # every pair
    assert "95% interval" in text and "gains more from data than TF-IDF + LR" in text   # the learning curve, computed
    assert "* Averaging: the paper's precision, recall and F1" in text and "#bihday is #birthday" in text
    assert "expect 40-50" not in text          # NaN, <NA>, stderr and verdicts: notebook_problems below
    from tagzsl.experiments import verdicts
    import nbformat
    assert verdicts.notebook_problems(nbformat.read(tmp_path / "02_supervised.ipynb", as_version=4)) == []
    assert "chance on 50 hashtags: 2.0%" in text and "quick run: 1 of 5 folds, 5 deep model(s)" in text
    assert "accuracy (paper)" in text and "57.4" in text  # the paper's Transformer beside ours
    for model in ("ANN", "CNN", "RNN+attention", "Transformer"):
        assert model in text
    assert "reported:" in text and "zzqxqzvk" in text
    markdown = "\n".join(c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                         for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "Content note" in markdown and "#1" not in markdown  # no issue numbers
    assert "Questions for the class" in markdown and "<details>" in markdown  # answer notes, collapsed
