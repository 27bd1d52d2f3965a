"""Notebook 01 runs top to bottom in quick mode on the shared copy of the seven sources."""
import json
import os

import pytest

from tagzsl import reproduce


@pytest.mark.notebook
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
    assert "Tweets containing more than one hashtag" in text and "note" in text   # the paper's Table 1 beside ours
    assert "files skipped (missing from the local copy)" in text
    assert not [o for c in executed["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
                if o.get("name") == "stderr"], "stderr output (e.g. the loaders' warnings) in the notebook"
    assert "QUICK" not in "".join("".join(c["source"]) for c in executed["cells"] if c["cell_type"] == "code")
    assert reproduce.check_outputs(tmp_path / "01_dataset.ipynb") == []
    assert "the paper's threshold: 200" in text and "notebooks 02-04 in quick mode read this same cached model" in text
    assert "The layout " in text                                          # the t-SNE's shape explained
    markdown = "".join("".join(c["source"]) for c in executed["cells"] if c["cell_type"] == "markdown")
    assert "Questions for the class" in markdown and "<details>" in markdown


def test_one_word2vec_model_per_mode_across_notebooks_01_to_04():
    """Every notebook of a mode reads the same cached word2vec: quick mode's 1-epoch one, or the
    full five-epoch one (full and lesson)."""
    from tagzsl import experiments
    from tagzsl.experiments import dataset, supervised, tagspace

    for mode in experiments.MODES:
        quick = {"01": experiments.settings_for(dataset, mode).quick_corpus,
                 "02": experiments.settings_for(supervised, mode).quick_corpus,
                 "04": experiments.settings_for(tagspace, mode).quick_word2vec}
        assert set(quick.values()) == {mode == "quick"}, (mode, quick)
    nb03 = (reproduce.NOTEBOOKS / "03_zero_shot.ipynb").read_text()
    assert 'quick=MODE == \\"quick\\"' in nb03       # notebook 03 passes the same switch


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


def test_table1_beside_paper_counts_a_hand_made_corpus():
    from types import SimpleNamespace

    import pandas as pd

    from tagzsl.experiments import dataset

    raw = pd.DataFrame({"text": list("abcdefg")})                       # 7 posts read
    steps = pd.DataFrame({"step": ["raw tweets", "English only", "at least 5 words"], "tweets": [7, 6, 4]})
    clean = pd.DataFrame({"hashtags": [["x"], ["x", "y"], ["y", "z", "x"], ["w"]]})
    prepared = SimpleNamespace(raw=raw, steps=steps, clean=clean, qualifying=1, label_rule="fallback")
    published = pd.DataFrame({"criterion": list(dataset.TABLE1_NOTES), "count": [10, 9, 8, 7, 6, 5]})
    table = dataset.table1_beside_paper(prepared, published)
    assert list(table.columns) == ["paper", "ours", "note"]
    assert list(table.index) == list(dataset.TABLE1_NOTES)
    assert table["paper"].tolist() == [10, 9, 8, 7, 6, 5]
    assert table["ours"].tolist() == [7, 6, 4, 2, 4, 1]
    last = table.loc["Hashtags with at least 200 unique tweets", "note"]
    assert "(0 before labelling)" in last and "fallback" in last


def test_table1_beside_paper_matches_the_papers_criteria():
    from tagzsl import paper
    from tagzsl.experiments import dataset

    assert list(paper.table("kumar_table1")["criterion"]) == list(dataset.TABLE1_NOTES)


def test_table1_beside_paper_names_an_unknown_criterion():
    from types import SimpleNamespace

    import pandas as pd

    from tagzsl.experiments import dataset

    prepared = SimpleNamespace(raw=pd.DataFrame({"text": ["a"]}),
                               steps=pd.DataFrame({"step": ["English only"], "tweets": [1]}),
                               clean=pd.DataFrame({"hashtags": [["x"]]}), qualifying=0, label_rule="paper")
    published = pd.DataFrame({"criterion": ["Retweets"], "count": [3]})
    with pytest.raises(ValueError, match="Retweets"):
        dataset.table1_beside_paper(prepared, published)
