"""Notebook 04 (#TagSpace) in quick mode: runs end to end, shows its figures, sane outputs; and the
protocol pieces it prints (banner, side-by-side with the paper, the paper's ordering, verdict)."""
from __future__ import annotations

import json
import pathlib

import pandas as pd
import pytest

from tagzsl import reproduce
from tagzsl.experiments import tagspace as xt

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "04_tagspace.ipynb"


def _outputs_text(nb: dict) -> str:
    return "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))


@pytest.mark.notebook
def test_notebook_04_quick(tmp_path):
    results = reproduce.run(only="04", quick=True, out_dir=tmp_path, figures_dir=tmp_path / "figures")
    assert len(results) == 1
    for name in ("04_tagspace_validation.png", "04_tagspace_results.png"):
        assert (tmp_path / "figures" / name).stat().st_size > 1000, name
    assert results[0]["problems"] == [], "\n".join(results[0]["problems"])
    nb = json.loads((tmp_path / "04_tagspace.ipynb").read_text())
    text = _outputs_text(nb)
    for expected in ("MODE = 'quick'", "cut from full", "#TagSpace", "WSABIE", "Frequency", "#words", "Word2vec",
                     "BoW", "tasks", "picked on validation", "token_dropout", "mean_rank", "P@1 (paper)",
                     "dim (ours)", "the paper's ordering", "against the frequency baseline",
                     "document recommendation analogue"):
        assert expected in text, expected
    images = sum("image/png" in o.get("data", {}) for c in nb["cells"] for o in c.get("outputs", []))
    assert images == 2
    assert "Traceback" not in text


def test_notebook_04_parameters_and_no_local_logic():
    """The parameters cell follows the convention and the code cells define no helpers of their own
    (val_score, side-by-side merge, the seed loop and the verdict live in tagzsl.experiments.tagspace)."""
    nb = json.loads(NOTEBOOK.read_text())
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    # the committed notebook is a full run and its parameters cell says so
    assert len(params) == 1 and "".join(params[0]["source"]).startswith('MODE = "full"')
    assert not any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells)
    source = "\n".join("".join(c["source"]) for c in cells)
    assert "QUICK" not in source and "\ndef " not in "\n" + source and "for s in" not in source
    assert "experiments.settings_for(xt, MODE)" in source
    for call in ("xt.banner(", "xt.verdict(", "plots.show(plots.tagspace_validation_curves(",
                 'paper=paper.table("tagspace_table3")', '"tagspace_table4"', '"tagspace_table5"', "safe_examples("):
        assert call in source, call


def test_notebook_04_prose_quotes_no_run_numbers():
    """The Markdown starts with the content note and quotes no stale results (they are printed)."""
    from tagzsl import display

    cells = json.loads(NOTEBOOK.read_text())["cells"]
    prose = ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    assert display.content_note() in prose[:2]
    text = "\n".join(prose)
    for stale in ("28.20", "28.35", "15.57", "Eight seeds", "issue ", "minutes (3,866", "could not be transcribed"):
        assert stale not in text, stale
    assert "tagspace_seeds.py --seeds 2019-2023" in text and "lesson" in text.lower()


def _table():
    rows = [("Frequency", None, 5.9, 14.3, 250.0), ("#words", None, 7.9, 19.9, 236.0),
            ("Word2vec", 150, 2.8, 7.6, 328.0), ("WSABIE", 64, 15.9, 28.9, 173.0),
            ("#TagSpace", 64, 15.6, 30.2, 162.0)]
    return pd.DataFrame(rows, columns=["method", "dim", "P@1", "R@10", "mean_rank"])


def test_ordering_and_verdict_from_numbers():
    order = xt.ordering(_table(), 64)
    assert not order.loc["P@1", "#TagSpace > WSABIE"] and order.loc["R@10", "#TagSpace > WSABIE"]
    assert not order.loc["P@1", "word2vec > frequency, #words"] and not order["holds"].any()
    good = _table().assign(**{"P@1": [1.0, 2.0, 3.0, 4.0, 5.0], "R@10": [1.0, 2.0, 3.0, 4.0, 5.0],
                              "mean_rank": [500.0, 400.0, 300.0, 200.0, 100.0]})
    assert xt.ordering(good, 64)["holds"].all()
    text = xt.verdict(_table(), 64)
    assert "P@1 15.60 vs 5.90 (+9.70)" in text
    assert "P@1: #TagSpace d=64 15.60, WSABIE d=64 15.90" in text and "not #TagSpace > WSABIE" in text
    assert "R@10: #TagSpace d=64 30.20" in text
    assert xt.verdict(good, 64).count("the paper's ordering holds") == 3


def test_retrieval_rows_side_by_side_with_table5():
    ret = pd.DataFrame({"method": ["Word2Vec", "WSABIE d=64", "#TagSpace d=64", "BoW (TF-IDF)", "#TagSpace+BoW d=64"],
                        "P@1": [1.0, 3.0, 4.0, 2.0, 5.0], "R@10": [3.0, 6.0, 7.0, 4.0, 8.0],
                        "R@50": [5.0, 10.0, 12.0, 8.0, 13.0], "mean_rank": [3000.0, 2600, 2500, 2800, 2300], "tasks": 9})
    rows = xt.retrieval_rows(ret, word2vec_dim=150)
    assert list(rows["method"]) == ["Word2vec", "WSABIE", "#TagSpace", "BoW", "#TagSpace+BoW"]
    assert rows["dim"].tolist()[:3] == [150.0, 64.0, 64.0] and pd.isna(rows["dim"].iloc[3])
    table = xt.side_by_side(rows, "tagspace_table5").set_index("method")
    assert table.loc["BoW", "P@1 (paper)"] == 1.36 and table.loc["BoW", "P@1 (ours)"] == 2.0
    w2v = table.loc["Word2vec"]
    assert (w2v["dim (paper)"], w2v["dim (ours)"], w2v["R@50 (ours)"]) == (256, 150, 5.0)
    assert "holds" in xt.verdict(_table(), 64, retrieval=rows).splitlines()[-1]


def test_side_by_side_table3_matches_by_method_with_both_dims():
    table = xt.side_by_side(_table(), "tagspace_table3")
    w2v = table[table["method"] == "Word2vec"].iloc[0]
    assert (w2v["dim (paper)"], w2v["dim (ours)"], w2v["P@1 (paper)"], w2v["P@1 (ours)"]) == (256, 150, 1.21, 2.8)
    tag = table[(table["method"] == "#TagSpace") & (table["dim (paper)"] == 64)].iloc[0]
    assert tag["mean_rank (paper)"] == 3569.0 and tag["mean_rank (ours)"] == 162.0


def test_banner_lists_what_lesson_cuts():
    corpus = xt.TagCorpus(train=pd.DataFrame({"hashtags": [["a"]] * 8}), val=pd.DataFrame({"hashtags": [["a"]]}),
                          test=pd.DataFrame({"hashtags": [["a"]] * 2}), tags=["a", "b"], counts=pd.Series(dtype=int))
    full = xt.banner("full", 2019, xt.FULL, corpus)
    assert full.startswith("MODE = 'full', SEED = 2019: 8 / 1 / 2") and "the full protocol" in full
    lesson = xt.banner("lesson", 2019, xt.LESSON, corpus)
    assert "cut from full:" in lesson and f"hidden 1000 -> {xt.LESSON.hidden}" in lesson


def test_full_settings_use_what_the_committed_full_run_picked():
    """``FULL.wsabie_*`` / ``FULL.tagspace_*`` (used by lesson mode, the CLI and the benchmarks) are
    the settings the committed full run of notebook 04 printed as picked on validation."""
    import ast
    import re

    text = _outputs_text(json.loads(NOTEBOOK.read_text()))
    for kind, label in (("wsabie", "WSABIE"), ("tagspace", "TagSpace")):
        found = re.search(rf"^{label} picked on validation: (\{{[^}}]*\}})", text, re.M)
        assert found, f"notebook 04 prints no '{label} picked on validation' line"
        assert ast.literal_eval(found.group(1)) == xt.FULL.picked(kind), kind
        assert xt.LESSON.grid(kind) == {k: (v,) for k, v in xt.FULL.picked(kind).items()}, kind
