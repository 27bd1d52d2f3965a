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
