"""Notebook 02 in quick mode: runs end to end, writes its figures, prints a sane table."""
import json

import pytest

from tagzsl import reproduce


@pytest.mark.notebook
def test_notebook_02_quick(tmp_path, shared_data):
    reproduce.run(only="02", quick=True, data_root=shared_data, out_dir=tmp_path,
                  figures_dir=tmp_path / "figures", log=lambda *_: None)
    for name in ("02_training_curves.png", "02_per_hashtag_f1.png", "02_learning_curve.png"):
        assert (tmp_path / "figures" / name).stat().st_size > 5_000
    nb = json.loads((tmp_path / "02_supervised.ipynb").read_text())
    text = "\n".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}))
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "best deep model:" in text and "TF-IDF + LR" in text
    for model in ("ANN", "CNN", "RNN+attention", "Transformer"):
        assert model in text
    assert "reported:" in text and "zzqxqzvk" in text
