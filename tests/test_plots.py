"""Every plot function returns its figure and writes a PNG; labels don't overlap; rates in percent."""
import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tagzsl import paper, plots

HASHTAGS = ["metoo", "datascience", "superbowl", "justice", "fakenews", "bitcoin", "church",
            "privacy", "netflix", "movies", "thankful", "fitness", "ai", "trumpresign", "love",
            "music", "travel", "photography", "art", "food", "nba", "nfl", "gameofthrones",
            "brexit", "climatechange", "iphone", "android", "marvel", "starwars", "valentinesday",
            "mondaymotivation", "tbt", "fridayfeeling", "halloween", "christmas", "newyear",
            "blacklivesmatter", "maga", "worldcup", "olympics", "vegan", "yoga", "coffee", "books",
            "education", "health", "startup", "marketing", "blockchain", "crypto"]


def _is_png(path):
    return path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _percent_axis(ax):
    return isinstance(ax.yaxis.get_major_formatter(), PercentFormatter)


def test_backend_is_not_forced():
    import importlib
    import inspect
    source = inspect.getsource(importlib.import_module("tagzsl.plots"))
    assert "matplotlib.use(" not in source


def test_tsne_labels_do_not_overlap(tmp_path):
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(5, 20)) * 3
    vectors = centres[np.arange(50) % 5] + rng.normal(scale=0.5, size=(50, 20))
    fig = plots.embedding_tsne(vectors, HASHTAGS, tmp_path / "tsne.png", seed=1)
    assert isinstance(fig, matplotlib.figure.Figure) and _is_png(tmp_path / "tsne.png")
    texts = [t for t in fig.axes[0].texts if t.get_text().startswith("#")]
    assert len(texts) == 50
    assert plots.overlapping_labels(fig, texts) == []


def test_overlap_check_sees_overlaps():
    fig, ax = matplotlib.pyplot.subplots()
    texts = [ax.text(0.5, 0.5, "#same"), ax.text(0.5, 0.5, "#place"), ax.text(0.1, 0.9, "#apart")]
    fig.canvas.draw()
    assert plots.overlapping_labels(fig, texts) == [("#same", "#place")]
    matplotlib.pyplot.close(fig)


def test_dataset_figures(tmp_path):
    counts = pd.Series([300, 250, 200], index=["a", "b", "c"])
    fig = plots.tweets_per_hashtag(counts, tmp_path / "f1.png")
    assert _is_png(tmp_path / "f1.png") and isinstance(fig.axes[0].xaxis.get_major_locator(), MaxNLocator)
    fig = plots.tweets_per_hashtag(counts, tmp_path / "f1.png", thresholds={"paper": 200, "fallback": 156})
    lines = [line.get_xdata()[0] for line in fig.axes[0].lines]
    assert lines == [200, 156] and [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == \
        ["paper (200)", "fallback (156)"]
    fig = plots.word_cloud([["apple", "pear", "apple"], ["plum", "user"]], tmp_path / "wc.png")
    assert _is_png(tmp_path / "wc.png") and isinstance(fig, matplotlib.figure.Figure)


def test_supervised_figures_are_in_percent_with_integer_epochs(tmp_path):
    hist = {"accuracy": [0.2, 0.4, 0.5], "val_accuracy": [0.2, 0.3, 0.35]}
    fig = plots.training_curves({("CNN", 0): hist, ("CNN", 1): hist, ("ANN", 0): hist}, tmp_path / "tc.png")
    assert _is_png(tmp_path / "tc.png")
    five = {(m, 0): hist for m in ("ANN", "CNN", "RNN", "RNN+attention", "Transformer")}
    grid = plots.training_curves(five, tmp_path / "tc5.png")
    width, height = grid.get_size_inches()
    assert width / height < 2.5 and sum(ax.get_visible() for ax in grid.axes) == 5   # a grid, not a strip
    ax = fig.axes[0]
    assert _percent_axis(ax) and ax.xaxis.get_major_locator()._integer
    assert np.isclose(ax.lines[0].get_ydata()[-1], 35.0)  # fractions drawn in percent

    per = pd.DataFrame({"hashtag": ["a", "b", "a", "b"], "model": ["CNN", "CNN", "ANN", "ANN"],
                        "f1": [0.2, 0.4, 0.3, 0.25]})
    fig = plots.per_hashtag_f1(per, tmp_path / "f1.png")
    image = fig.axes[0].images[0]
    assert image.get_clim() == pytest.approx((20.0, 40.0))  # colour scale fitted to the data

    curve = pd.DataFrame({"model": ["CNN", "CNN"], "n_train": [100, 200], "accuracy": [30.0, 40.0]})
    fig = plots.learning_curve(curve, tmp_path / "lc.png")
    assert _percent_axis(fig.axes[0]) and np.allclose(fig.axes[0].lines[0].get_ydata(), [30, 40])

    ours = pd.DataFrame({"model": ["ANN", "CNN", "TF-IDF + LR"], "accuracy_mean": [0.21, 0.18, 0.24],
                         "accuracy_sd": [0.01, 0.01, 0.01]})
    fig = plots.accuracy_by_model(ours, tmp_path / "acc.png", paper=paper.table("kumar_table2"))
    assert _is_png(tmp_path / "acc.png") and _percent_axis(fig.axes[0])
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert 21.0 in [pytest.approx(h) for h in heights] and 57.4 in heights  # ours in percent, paper's Transformer


def test_hit_vs_unseen_draws_the_papers_points(tmp_path):
    rows = pd.DataFrame([{"split": s, "partition": p, "setting": "zero-shot", "method": m,
                          "hit@1": 0.3, "hit@2": 0.4, "hit@5": 0.6}
                         for s in ("40/10", "30/20", "25/25") for p in (0, 1) for m in ("ConSE", "DEM", "random")])
    old = plots.hit_vs_unseen(rows, tmp_path / "old.png")  # old call signature still works
    assert _is_png(tmp_path / "old.png") and len(old.axes) == 3
    fig = plots.hit_vs_unseen(rows, tmp_path / "h.png", paper=paper.table("kumar_table3"))
    ax = fig.axes[0]
    paper_lines = [ln for ln in ax.lines if ln.get_label().endswith("(paper)")]
    assert {ln.get_label() for ln in paper_lines} == {"ConSE (paper)", "ESZSL (paper)", "DEM (paper)"}
    dem = next(ln for ln in paper_lines if ln.get_label() == "DEM (paper)")
    assert list(dem.get_xdata()) == [10, 20, 25] and list(dem.get_ydata()) == [62, 42, 29]
    assert _percent_axis(ax) and ax.get_ylim()[1] > 30  # ours (0.3) drawn as 30 %


def test_hit_vs_unseen_draws_only_the_papers_splits_the_run_has(tmp_path):
    """One's own collection has scaled splits (10/2 ...): the paper's 40/10 points are not drawn
    beside ours as if they were the same split; the paper's 40/10 is kept where the run has it."""
    rows = pd.DataFrame([{"split": s, "partition": p, "setting": "zero-shot", "method": "ConSE",
                          "hit@1": 0.3, "hit@2": 0.4, "hit@5": 0.6} for s in ("10/2", "40/10") for p in (0, 1)])
    fig = plots.hit_vs_unseen(rows, tmp_path / "h.png", paper=paper.table("kumar_table3"))
    dem = next(ln for ln in fig.axes[0].lines if ln.get_label() == "DEM (paper)")
    assert list(dem.get_xdata()) == [10] and list(dem.get_ydata()) == [62]


def test_tagspace_figures(tmp_path):
    hist = {"#TagSpace d=64": [{"epoch": 1, "P@1": 0.1, "R@10": 0.2}, {"epoch": 2, "P@1": 0.15, "R@10": 0.3}]}
    fig = plots.tagspace_validation_curves(hist, tmp_path / "v.png")
    assert _is_png(tmp_path / "v.png") and _percent_axis(fig.axes[0])
    assert fig.axes[0].xaxis.get_major_locator()._integer
    ours = pd.DataFrame({"method": ["Frequency", "Word2vec", "WSABIE", "WSABIE", "#TagSpace", "#TagSpace"],
                         "dim": [None, 150, 64, 128, 64, 128],
                         "P@1": [5.9, 2.8, 15.9, 15.7, 15.6, 16.4], "R@10": [14.3, 7.6, 28.9, 29.4, 30.2, 30.8]})
    fig = plots.tagspace_results(ours, tmp_path / "r.png", paper=paper.table("tagspace_table3"))
    assert _is_png(tmp_path / "r.png")
    labels = {ln.get_label() for ln in fig.axes[0].lines}
    assert {"WSABIE (ours)", "#TagSpace (paper)", "Frequency (paper)", "Word2vec (ours)"} <= labels
    tag_paper = next(ln for ln in fig.axes[0].lines if ln.get_label() == "#TagSpace (paper)")
    assert list(tag_paper.get_ydata()) == [6.69, 6.91, 7.37]
    ticks = [int(t) for t in fig.axes[0].get_xticks()]
    assert 150 not in ticks and 128 in ticks              # word2vec's lone point gets no crowding tick
    shared = ours.assign(share=[30.0, 40.0, 15.0, 16.0, 14.0, 13.0])
    fig = plots.tagspace_results(shared, tmp_path / "r3.png", metrics=("P@1", "R@10", "share"), percent=True)
    assert len(fig.axes) == 3 and "lower is better" not in fig.axes[2].get_ylabel()


def test_show_is_silent_outside_a_notebook(tmp_path):
    fig = plots.learning_curve(pd.DataFrame({"model": ["A"], "n_train": [1], "accuracy": [0.5]}),
                               tmp_path / "x.png")
    assert plots.show(fig) is None


def test_percent_tick_labels_state_their_tick_exactly():
    """Whole-percent labels sit on whole-percent ticks (matplotlib's default 2.5 steps drew 17.5
    as "18%" with decimals=0)."""
    import matplotlib.pyplot as plt

    for low, high in ((2.3, 17.6), (14.2, 30.3), (0.0, 61.0), (15.6, 16.9)):
        fig, ax = plt.subplots()
        ax.plot([0, 1], [low, high])
        plots.percent_axis(ax)
        fig.canvas.draw()
        shown = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels() if t.get_text()]
        assert shown, (low, high)
        for value, text in shown:
            assert float(text.rstrip("%").replace("\u2212", "-")) == pytest.approx(value), (low, high, value, text)
        plt.close(fig)


def test_tsne_note_says_when_the_layout_is_a_band(tmp_path):
    rng = np.random.default_rng(0)
    fig, ax = matplotlib.pyplot.subplots()
    ax.scatter(rng.normal(0, 10, 50), rng.normal(0, 0.5, 50))
    assert plots.tsne_note(fig).startswith("The layout is a band")
    fig2, ax2 = matplotlib.pyplot.subplots()
    ax2.scatter(rng.normal(0, 10, 50), rng.normal(0, 8, 50))
    assert plots.tsne_note(fig2).startswith("The layout spreads in two dimensions")
