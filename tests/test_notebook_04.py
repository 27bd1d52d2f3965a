"""Notebook 04 (#TagSpace) in quick mode: runs end to end, shows its figures, sane outputs; and the
protocol pieces it prints (banner, side-by-side with the paper, the paper's ordering, verdict)."""
from __future__ import annotations

import json
import pathlib

import numpy as np
import pandas as pd
import pytest

from tagzsl import reproduce
from tagzsl.experiments import tagspace as xt
from tagzsl.experiments import verdicts

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
                     "document recommendation analogue", "top 100 hashtags' share of uses", "ours is nearer to",
                     "mean rank (% of candidates) (paper)", "the paper's top 10", "against the paper's #TagSpace",
                     "paired bootstrap 95% interval"):
        assert expected in text, expected
    import nbformat
    assert verdicts.notebook_problems(nbformat.read(tmp_path / "04_tagspace.ipynb", as_version=4)) == []
    markdown = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "Adagrad;" not in markdown and "Hogwild" in markdown and "<details>" in markdown
    assert "so our absolute numbers are higher" not in markdown and "analogue of the paper's second" not in markdown
    warp = markdown.index("How WARP trains them, in words")
    assert warp < markdown.index("⌊(Y − 1)/N⌋")                    # words first, the formula after
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
                 'paper.table("tagspace_table3")', '"tagspace_table4"', '"tagspace_table5"', "safe_examples("):
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


def _items(table, n=2000, seed=0):
    """Per-post values whose means are the table's (P@1 as 0/1 draws, R@10 and ranks around the mean)."""
    rng = np.random.default_rng(seed)
    out = {}
    for r in table.to_dict("records"):
        p = np.zeros(n)
        p[: int(round(r["P@1"] / 100 * n))] = 1
        rec = np.full(n, r["R@10"] / 100)
        ranks = r["mean_rank"] + rng.normal(0, 50, n)
        out[xt.stats.row_name(r["method"], r["dim"])] = {"P@1": rng.permutation(p), "R@10": rec,
                                                         "rank_sum": ranks - ranks.mean() + r["mean_rank"],
                                                         "n_true": np.ones(n)}
    return out


def test_ordering_and_verdict_from_numbers_with_their_intervals():
    table = _table().assign(posts=2000)
    order = xt.ordering(table, 64, items=_items(table))
    # P@1 15.6 vs 15.9 on 2,000 posts: inside the interval, tied (never "does not hold")
    assert order.loc["P@1", "#TagSpace > WSABIE"] == "tied"
    assert order.loc["P@1", "Word2vec > Frequency"] == "does not hold"
    assert order.loc["mean_rank", "#TagSpace > WSABIE"] == "holds"       # 162 vs 173, sd 50 over 2,000 posts
    assert not order["holds"].any()
    text = xt.verdict(table, 64, items=_items(table))
    assert text.splitlines()[0].startswith("#TagSpace d=64 (best on validation) against the frequency baseline: "
                                           "P@1 holds (difference +9.70 ±")
    assert ("P@1, the paper's ordering link by link (paired bootstrap 95% interval, 2,000 test posts): "
            "#TagSpace > WSABIE tied (difference -0.30 ±") in text
    assert "Word2vec > Frequency does not hold" in text and "Word2vec > #words does not hold" in text
    assert verdicts.verdict_problems(text) == []
    # without per-post values: P@1 and R@10 by the binomial interval on the posts, the mean rank not judged
    bare = xt.verdict(table, 64)
    assert "mean_rank, the paper's ordering link by link: #TagSpace > WSABIE not judged" in bare
    assert "R@10, the paper's ordering link by link (binomial 95% interval, 2,000 test posts)" in bare
    assert "P@1 holds (difference +9.70 ± 1.90)" in bare          # binomial: 15.6% vs 5.9% of 2,000 posts
    assert bare.splitlines()[-1] == "mean_rank: #TagSpace d=64 against the 1 WSABIE model(s): not judged"
    good = table.assign(**{"P@1": [1.0, 2.0, 5.0, 10.0, 20.0], "R@10": [1.0, 2.0, 5.0, 10.0, 20.0],
                           "mean_rank": [500.0, 400.0, 300.0, 200.0, 100.0]})
    assert xt.ordering(good, 64, items=_items(good))["holds"].all()


def test_beats_gives_a_verdict_with_its_interval_per_row():
    table = _table().assign(posts=2000)
    won = xt.beats(table, dim=64, items=_items(table))
    assert won.loc["WSABIE d=64", "P@1"].startswith("tied (difference -0.30 ±")
    assert won.loc["Frequency", "P@1"].startswith("holds")
    assert list(won.index) == ["Frequency", "#words", "Word2vec", "WSABIE d=64"]


def test_seed_verdict_uses_the_paired_interval():
    rows = pd.DataFrame([{"seed": s, "method": m, "P@1": v, "R@10": v, "mean_rank": 100 - v}
                         for s, (t, w) in enumerate(((16.17, 15.50), (16.04, 15.73), (16.63, 15.41)))
                         for m, v in (("#TagSpace", t), ("WSABIE", w))])
    lines = xt.stats.verdict_lines(xt.stats.compare(rows))
    assert lines[0].startswith("over 3 paired seeds, P@1: #TagSpace beats WSABIE: tied (16.28 vs 15.55, difference "
                               "+0.73 ± 1.14, 95% interval over 3 seeds)")


def test_tagspace_report_tables():
    from types import SimpleNamespace

    from tagzsl.experiments import tagspace_report as rep

    train = pd.DataFrame({"tokens": [["a", "b"]] * 4, "hashtags": [["x"], ["x", "y"], ["z"], ["x"]]})
    small = pd.DataFrame({"tokens": [["c"]], "hashtags": [["y"]]})
    corpus = SimpleNamespace(train=train, val=small, test=small, tags=["x", "y", "z"])
    table = rep.datasets_table(corpus)
    assert list(table.index) == ["Pages", "People", "ours (this run)"]
    assert table.loc["People", "top 100 hashtags' share of uses"] == "13.1%"
    assert table.loc["ours (this run)", "posts"] == "6" and table.loc["ours (this run)", "words"] == "10"
    assert table.loc["ours (this run)", "candidate hashtags"] == "3"
    assert rep.head_note(corpus).endswith("ours is nearer to pages")      # 100% > 33.9% > 13.1%
    side = pd.DataFrame({"mean_rank (paper)": [3569.0], "mean_rank (ours)": [334.0]})
    shares = rep.with_rank_share(side, 2171, paper_side=True)
    assert round(shares.iloc[0, 2], 2) == 3.57 and round(shares.iloc[0, 3], 1) == 15.4
    note = rep.absolute_note(_table(), 64, 2171)
    assert "on people (Table 3): P@1 15.60 vs 6.69 (ours higher)" in note
    assert "on pages (Table 4): P@1 15.60 vs 34.08 (ours lower)" in note
    assert rep.picked_note("WSABIE", {"learning_rate": 0.003}, {"learning_rate": (0.003,)}).endswith("no grid here)")
    assert rep.picked_note("WSABIE", {"learning_rate": 0.003}, {"learning_rate": (0.003, 0.01)}).endswith(
        "picked on validation among 2 settings")


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
    last = xt.verdict(_table(), 64, retrieval=rows).splitlines()[-1]
    assert last.startswith("document recommendation analogue, R@50: best #TagSpace beats best WSABIE tied (difference "
                           "+2.00 ±") and last.endswith("(binomial 95% intervals, 9 tasks)")


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
        found = re.search(rf"^{label}: (.*), picked on validation among \d+ settings", text, re.M)
        assert found, f"notebook 04 prints no '{label}: ..., picked on validation' line"
        picked = {k: ast.literal_eval(v) for k, v in (pair.split(" ") for pair in found.group(1).split(", "))}
        assert picked == xt.FULL.picked(kind), kind
        assert xt.LESSON.grid(kind) == {k: (v,) for k, v in xt.FULL.picked(kind).items()}, kind
