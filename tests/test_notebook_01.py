"""Notebook 01 runs top to bottom in quick mode on the real shared TweetEval copy."""
import json
import os

import pytest

from tagzsl import reproduce

pytestmark = pytest.mark.notebook


@pytest.mark.skipif(not os.environ.get("TAGZSL_DATA"), reason="needs TAGZSL_DATA (the shared TweetEval copy)")
def test_notebook_01_quick(tmp_path):
    results = reproduce.run(only="01", quick=True, out_dir=tmp_path, figures_dir=tmp_path / "figures",
                            log=lambda *_: None)
    assert [r["notebook"] for r in results] == ["01_dataset.ipynb"]
    for name in ["fig1_tweets_per_hashtag.png", "fig2a_wordcloud.png", "fig2b_tsne_hashtags.png"]:
        png = tmp_path / "figures" / name
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    executed = json.loads((tmp_path / "01_dataset.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}))
                   for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "at least 5 words" in text          # Table 1 was displayed
    assert "hashtags without a vector: none" in text


def test_reproduce_unknown_notebook_is_a_clear_error():
    with pytest.raises(ValueError, match="no notebook matches"):
        reproduce.notebooks(only="99_nothing")


def test_reproduce_reports_a_failing_notebook(tmp_path, monkeypatch):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("QUICK = False\nSEED = 0\nDATA_ROOT = None\nFIGURES_DIR = '.'",
                                          metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("raise RuntimeError('boom from the notebook')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "nbs").mkdir()
    nbformat.write(nb, tmp_path / "nbs" / "98_fails.ipynb")
    monkeypatch.setattr(reproduce, "NOTEBOOKS", tmp_path / "nbs")
    with pytest.raises(reproduce.NotebookFailed, match="98_fails.ipynb failed") as err:
        reproduce.run(quick=True, out_dir=tmp_path / "out", figures_dir=tmp_path / "fig", log=lambda *_: None)
    assert "boom from the notebook" in str(err.value)
    assert (tmp_path / "out" / "98_fails.failed.ipynb").is_file()
    assert not (tmp_path / "out" / "98_fails.ipynb").exists()
