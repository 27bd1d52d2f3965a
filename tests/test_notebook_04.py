"""Notebook 04 (#TagSpace) in quick mode: runs end to end, writes its figure, sane outputs."""
from __future__ import annotations

import json

import pytest

from tagzsl import reproduce


@pytest.mark.notebook
def test_notebook_04_quick(tmp_path):
    results = reproduce.run(only="04", quick=True, out_dir=tmp_path, figures_dir=tmp_path / "figures")
    assert len(results) == 1
    assert (tmp_path / "figures" / "04_tagspace_validation.png").stat().st_size > 1000
    nb = json.loads((tmp_path / "04_tagspace.ipynb").read_text())
    text = "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    for expected in ("#TagSpace", "WSABIE", "Frequency", "#words", "Word2vec", "BoW (TF-IDF)", "tasks",
                     "picked on validation", "token_dropout", "mean_rank"):
        assert expected in text, expected
    assert "Traceback" not in text


def test_notebook_04_parameters_and_no_local_logic():
    """The parameters cell follows the convention and the code cells define no helpers of their own
    (val_score, side-by-side merge and the seed loop live in tagzsl.experiments.tagspace)."""
    import pathlib

    path = pathlib.Path(__file__).resolve().parent.parent / "notebooks" / "04_tagspace.ipynb"
    cells = [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
    params = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1 and "".join(params[0]["source"]).startswith('MODE = "full"')
    assert not any("injected-parameters" in c.get("metadata", {}).get("tags", []) for c in cells)
    source = "\n".join("".join(c["source"]) for c in cells)
    assert "QUICK" not in source and "\ndef " not in "\n" + source and "for s in" not in source
    assert "experiments.settings_for(xt, MODE)" in source
