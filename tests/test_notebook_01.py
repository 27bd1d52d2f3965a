"""Notebook 01 runs top to bottom in quick mode on the shared copy of the seven sources."""
import json
import os

import pytest

from tagzsl import reproduce

pytestmark = pytest.mark.notebook


@pytest.mark.skipif(not os.environ.get("TAGZSL_DATA"), reason="needs TAGZSL_DATA (the shared copy of the sources)")
def test_notebook_01_quick(tmp_path):
    results = reproduce.run(only="01", quick=True, out_dir=tmp_path, figures_dir=tmp_path / "figures",
                            log=lambda *_: None)
    assert [r["notebook"] for r in results] == ["01_dataset.ipynb"]
    for name in ["fig1_tweets_per_hashtag.png", "fig2a_wordcloud.png", "fig2b_tsne_hashtags.png",
                 "fig_label_sources.png"]:
        png = tmp_path / "figures" / name
        assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    executed = json.loads((tmp_path / "01_dataset.ipynb").read_text())
    text = "".join("".join(o.get("text", "")) + json.dumps(o.get("data", {}))
                   for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    assert "at least 5 words" in text          # Table 1 was displayed
    assert "hashtags without a vector: none" in text
    assert "posts kept after cleaning" in text and "CC BY 4.0" in text   # the data card
    assert "hashtagwars" in text and "vaccination" in text                # per-source funnel
    assert "documented by the source" in text                             # the exclusions
    assert "paper rule:" in text or "fallback: only" in text              # the label set
    assert "top source (%)" in text                                       # per-label sources
    assert "QUICK" not in "".join("".join(c["source"]) for c in executed["cells"])


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


def test_strip_startup_noise_keeps_everything_but_tensorflows_log_lines(tmp_path):
    import nbformat

    noise = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
             "I0000 00:00:1795423416.233474    5975 cudart_stub.cc:31] Could not find cuda drivers on your machine.\n"
             "E0000 00:00:1795.1   17558 node_def_util.cc:682] NodeDef mentions attribute use_unbounded_threadpool\n")
    real = "TweetEval: datasets/sentiment/train_text.txt is missing from the local copy; skipped\n"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import tensorflow")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=noise),
                    nbformat.v4.new_output("stream", name="stderr", text=noise + real),
                    nbformat.v4.new_output("stream", name="stdout", text=noise),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=1)]
    nb.cells = [cell, nbformat.v4.new_markdown_cell("I0000 00:00:1.0 1 port.cc:1] stays in markdown")]
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    assert reproduce.strip_startup_noise(path) == 6
    back = nbformat.read(path, as_version=4)
    outputs = back.cells[0].outputs
    assert [o.get("name", o.output_type) for o in outputs] == ["stderr", "stdout", "execute_result"]
    assert outputs[0].text == real           # the project's own warning is kept
    assert outputs[1].text == noise          # stdout is never filtered
    assert back.cells[1].source.startswith("I0000")
    assert reproduce.strip_startup_noise(path) == 0  # nothing left to remove
