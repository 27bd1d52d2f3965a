"""Notebook 03 in quick mode: runs end to end, shows and writes its figures, clean outputs."""
import json

import pytest


@pytest.mark.notebook
def test_notebook_03_quick(tmp_path):
    from tagzsl import reproduce

    out = reproduce.run(only="03", quick=True, out_dir=tmp_path, figures_dir=tmp_path / "figures")
    assert len(out) == 1
    for name in ("03_hit_vs_unseen.png", "03_hit_vs_unseen_few_shot.png"):
        assert (tmp_path / "figures" / name).stat().st_size > 10_000
    path = tmp_path / "03_zero_shot.ipynb"
    nb = json.loads(path.read_text())
    text = "".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}))
                   for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    for method in ("word2vec similarity (centred)", "source only", "ConSE", "ESZSL", "DEM (word space)"):
        assert method in text
    assert "paper order DEM > ESZSL > ConSE" in text            # the verdict, holds or not
    assert "vs source only" in text and "margin over random" in text
    assert "hit@1 (paper)" in text                               # Table 3 beside the paper's
    assert "Content note" in "".join(nb["cells"][1]["source"])    # a str or a list of lines
    assert reproduce.check_outputs(path) == []                   # no warnings, tracebacks, paths; 2 images
