"""Figures the notebooks show inline and write to ``figures/`` (PNG).

Every function takes data and a path, saves the figure there (through a temporary file),
closes it and returns it; the notebook displays it with ``plots.show(fig)`` (or by ending
the cell with ``fig``), so each figure appears exactly once, inline. The backend is left to
the caller (inline in Jupyter, Agg headless).

Rates are drawn in percent. Our numbers may come as fractions or percent: ``percent=None``
(the default) treats a column whose values are all <= 1 as fractions; pass ``percent=True``
or ``False`` to say which. The paper's numbers (``tagzsl.paper.table``) are always percent.
Results figures take ``paper=`` and draw the paper's points beside ours (hollow markers,
dashed lines, "paper" in the legend).
"""
from __future__ import annotations

import io
import pathlib

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator, PercentFormatter

from tagzsl.plot_labels import (LABEL_ATTEMPTS, overlapping_labels, place_labels,  # noqa: F401
                                separate_labels)  # re-exported: plots.place_labels etc.

OURS_STYLE = {"marker": "o", "linestyle": "-"}
PAPER_STYLE = {"marker": "s", "linestyle": ":", "markerfacecolor": "none"}


def save(fig, path) -> pathlib.Path:
    """Save ``fig`` as a PNG at ``path`` (through a temporary file) and return the path."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    tmp.replace(path)
    return path


def _done(fig, path):
    save(fig, path)
    plt.close(fig)  # displayed once, by show() or as the cell's value, never twice
    return fig


def show(*figs) -> None:
    """Display the figures inline in a notebook (a PNG each); does nothing outside IPython."""
    try:
        from IPython import get_ipython
        from IPython.display import Image, display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is None:
        return
    for fig in figs:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        display(Image(data=buf.getvalue(), format="png"))


def percent_factor(values, percent=None) -> float:
    """100 if ``values`` are fractions (``percent=False``, or None and all <= 1), else 1."""
    if percent is None:
        values = np.asarray(values, dtype="float64")
        finite = values[np.isfinite(values)]
        percent = not (finite.size and np.all(np.abs(finite) <= 1.0))
    return 1.0 if percent else 100.0


def as_percent(values, percent=None) -> np.ndarray:
    """``values`` as a float array in percent (fractions are multiplied by 100)."""
    values = np.asarray(values, dtype="float64")
    return values * percent_factor(values, percent)


def percent_axis(ax, axis="y") -> None:
    """Label ``axis`` of ``ax`` as percent (the data are already in percent). Ticks fall on whole
    percents (steps of 1, 2, 5, 10 x 10^k), so the whole-percent labels are exact, never 17.5 shown
    as "18%"."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_locator(MaxNLocator(steps=[1, 2, 5, 10], integer=True, min_n_ticks=1))
    target.set_major_formatter(PercentFormatter(xmax=100, decimals=0))


def integer_ticks(ax, axis="x") -> None:
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_locator(MaxNLocator(integer=True))


# --- dataset (notebook 01)
def tweets_per_hashtag(counts, path, title="Tweets per hashtag (top 50)", thresholds=None):
    """Fig. 1: horizontal bar chart of tweet counts per hashtag (``counts``: a pandas Series);
    ``thresholds`` (``{label: count}``, e.g. the paper's 200 and the fallback's) are drawn as
    labelled vertical lines."""
    fig, ax = plt.subplots(figsize=(7, max(4, 0.18 * len(counts))))
    ax.barh([f"#{t}" for t in counts.index[::-1]], counts.values[::-1], color="#4c72b0")
    for (label, value), style in zip((thresholds or {}).items(), ("--", ":", "-.")):
        ax.axvline(value, color="#c44e52", ls=style, lw=1.5, label=f"{label} ({value:,})")
    if thresholds:
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("tweets")
    integer_ticks(ax, "x")
    ax.margins(y=0.01)
    ax.set_title(title)
    ax.tick_params(axis="y", labelsize=7)
    return _done(fig, path)


def word_cloud(token_lists, path, seed=2019, max_words=200, title=None):
    """Fig. 2a: word cloud of the words of the cleaned tweets."""
    from collections import Counter

    from wordcloud import WordCloud

    freqs = Counter(t for tokens in token_lists for t in tokens if t != "user")
    cloud = WordCloud(width=900, height=450, background_color="white", max_words=max_words,
                      random_state=seed).generate_from_frequencies(freqs)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.imshow(cloud, interpolation="bilinear")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return _done(fig, path)


def embedding_tsne(vectors, labels, path, seed=2019, perplexity=10.0,
                   title="t-SNE of hashtag vectors (skip-gram, 150-d)"):
    """Fig. 2b: 2-D t-SNE of ``vectors`` (one row per label); labels placed by adjustText so
    that none overlaps another (a thin line joins a moved label to its point)."""
    from sklearn.manifold import TSNE

    vectors = np.asarray(vectors, dtype="float64")
    perplexity = min(perplexity, max(2.0, (len(vectors) - 1) / 3))
    xy = TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca",
              metric="cosine").fit_transform(vectors)
    fig, ax = plt.subplots(figsize=(10, 8))
    ax.scatter(xy[:, 0], xy[:, 1], s=14, color="#dd8452", zorder=3)
    texts = [ax.text(x, y, f"#{label}", fontsize=8) for (x, y), label in zip(xy, labels)]
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    fig.tight_layout()
    place_labels(ax, texts, xy)
    return _done(fig, path)


def tsne_note(fig, band: float = 0.25) -> str:
    """A sentence on the shape of an :func:`embedding_tsne` layout: when the points lie in a band
    (the minor axis under ``band`` times the major one), say why that happens and that the band
    is not a finding."""
    xy = np.asarray(fig.axes[0].collections[0].get_offsets(), dtype="float64")
    spread = np.linalg.svd(xy - xy.mean(axis=0), compute_uv=False)
    ratio = float(spread[1] / spread[0]) if spread[0] > 0 else 0.0
    if ratio < band:
        return (f"The layout is a band (minor/major spread {ratio:.2f}): the vectors barely differ from one "
                "another (a word2vec trained briefly, as in quick mode, has not separated its words yet), so "
                "t-SNE has little structure to keep and strings the points along one direction. Read the "
                "neighbours, not the shape; full and lesson mode's five-epoch model spreads them out.")
    return (f"The layout spreads in two dimensions (minor/major spread {ratio:.2f}): hashtags used in similar "
            "tweets sit near each other; distances between far-apart groups mean little in t-SNE.")


# --- supervised (notebook 02)
def training_curves(histories, path, metric="accuracy", title="Training curves (per fold)", percent=None,
                    ncols=3):
    """Train (dashed) and validation (solid) ``metric`` per epoch; one panel per model, in a grid
    of ``ncols`` columns sized to be read on a projector.

    ``histories``: ``{(model, fold): keras history dict}`` as in ``CVResult.histories``.
    """
    names = list(dict.fromkeys(m for m, _ in histories))
    ncols = max(1, min(ncols, len(names)))
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.8 * nrows), squeeze=False, sharey=True)
    is_rate = metric != "loss"
    for ax, name in zip(axes.flat, names):
        for (m, fold), h in histories.items():
            if m != name:
                continue
            epochs = np.arange(1, len(h[metric]) + 1)
            val, train = h[f"val_{metric}"], h[metric]
            if is_rate:
                val, train = as_percent(val, percent), as_percent(train, percent)
            line, = ax.plot(epochs, val, lw=2, label=f"fold {fold + 1}")
            ax.plot(epochs, train, ls="--", lw=1.5, color=line.get_color(), alpha=0.6)
        ax.set_title(name, fontsize=13)
        ax.set_xlabel("epoch", fontsize=11)
        ax.tick_params(labelsize=10)
        integer_ticks(ax)
        if is_rate:
            percent_axis(ax)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel(metric, fontsize=11)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles + [plt.Line2D([], [], color="0.3", lw=2), plt.Line2D([], [], color="0.3", ls="--")],
               labels + ["validation (solid)", "train (dashed)"], fontsize=10, loc="center left",
               bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(title, fontsize=14)
    fig.tight_layout()
    return _done(fig, path)


def per_hashtag_f1(per_hashtag, path, title="F1 per hashtag (mean over folds)", percent=None):
    """Heat map of F1 (percent) per hashtag (rows, sorted by the mean over models) and model
    (columns); the colour scale spans the data's own range."""
    grid = per_hashtag.pivot_table(index="hashtag", columns="model", values="f1", sort=False)
    grid = grid.loc[grid.mean(axis=1).sort_values(ascending=False).index]
    values = as_percent(grid.values, percent)
    finite = values[np.isfinite(values)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 100.0)
    fig, ax = plt.subplots(figsize=(1.1 * grid.shape[1] + 3, 0.2 * grid.shape[0] + 1.8))
    im = ax.imshow(values, aspect="auto", cmap="viridis", vmin=vmin, vmax=max(vmax, vmin + 1e-9))
    ax.set_yticks(range(grid.shape[0]), [f"#{h}" for h in grid.index], fontsize=6)
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right", fontsize=8)
    bar = fig.colorbar(im, ax=ax, label="F1")
    percent_axis(bar.ax)
    ax.set_title(title)
    return _done(fig, path)


def learning_curve(curve, path, title="Test accuracy against training-set size (fold 1)", percent=None):
    """Accuracy (y, percent) against training tweets (x), one line per model; ``curve`` from
    ``tagzsl.supervised.learning_curve``."""
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for model, part in curve.groupby("model", sort=False):
        ax.plot(part["n_train"], as_percent(part["accuracy"], percent), marker="o", label=model)
    ax.set_xlabel("training tweets")
    ax.set_ylabel("test accuracy")
    percent_axis(ax)
    integer_ticks(ax)
    ax.legend(fontsize=8)
    ax.set_title(title)
    return _done(fig, path)


def accuracy_by_model(ours, path, paper=None, metric="accuracy", sd=None,
                      title="Accuracy per model: ours (5-fold mean ± sd) and Kumar et al.'s Table 2",
                      percent=None):
    """Grouped bars of ``metric`` per model, ours beside the paper's (``paper``: e.g.
    ``tagzsl.paper.table("kumar_table2")``); ``ours`` has a ``model`` column (or index) and
    ``metric`` (or ``<metric>_mean``), with the spread in ``sd`` / ``<metric>_sd`` if given."""
    ours = ours.reset_index() if "model" not in ours.columns else ours
    column = metric if metric in ours.columns else f"{metric}_mean"
    sd = sd or (f"{metric}_sd" if f"{metric}_sd" in ours.columns else None)
    models = list(ours["model"])
    if paper is not None:
        models += [m for m in paper["model"] if m not in models]
    x = np.arange(len(models))
    factor = percent_factor(ours[column], percent)
    ours_map = dict(zip(ours["model"], ours[column].astype(float) * factor))
    errors = None
    if sd:
        errors = [dict(zip(ours["model"], ours[sd].astype(float) * factor)).get(m, np.nan) for m in models]
    width = 0.4 if paper is not None else 0.6
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(models) + 2), 4))
    ax.bar(x - (width / 2 if paper is not None else 0), [ours_map.get(m, np.nan) for m in models],
           width, yerr=errors, capsize=3, color="#4c72b0", label="ours")
    if paper is not None:
        paper_map = dict(zip(paper["model"], paper[metric].astype(float)))
        ax.bar(x + width / 2, [paper_map.get(m, np.nan) for m in models], width,
               color="white", edgecolor="#c44e52", hatch="//", label="paper")
    ax.set_xticks(x, models, rotation=20, ha="right")
    ax.set_ylabel(metric)
    percent_axis(ax)
    ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    return _done(fig, path)


# --- zero-shot (notebook 03)
#: notebook 03's rows drawn dashed: the baselines (no trained model of the tweets' hashtags)
BASELINES = ("random", "source only", "word2vec similarity", "word2vec similarity (centred)")
#: one colour per zero-shot method, the same in every figure (zero-shot has no source-only row)
ZSL_COLOURS = {m: f"C{i}" for i, m in enumerate(("random", "source only", "word2vec similarity",
                                                  "word2vec similarity (centred)", "ConSE", "ESZSL", "DEM",
                                                  "DEM (word space)"))}


def hit_vs_unseen(rows, path, ks=(1, 2, 5), setting="zero-shot",
                  title="Zero-shot hit@k against the number of unseen hashtags", paper=None, percent=None):
    """hit@k (percent, mean ± sd over partitions) against the number of unseen candidate
    hashtags, one panel per k; ``paper`` (``tagzsl.paper.table("kumar_table3")``) adds the
    paper's points for the same setting and methods (hollow squares, dotted).

    ``rows``: one row per (split "S/U", partition, setting, method) with ``hit@k`` columns.
    """
    rows = rows[rows["setting"] == setting].copy()
    rows["unseen"] = rows["split"].str.split("/").str[1].astype(int)
    fig, axes = plt.subplots(1, len(ks), figsize=(4.4 * len(ks), 3.9), sharey=True)
    axes = np.atleast_1d(axes)
    methods = list(dict.fromkeys(rows["method"]))
    colours = dict(ZSL_COLOURS)
    for m in methods:
        colours.setdefault(m, f"C{len(colours) % 10}")
    theirs = None
    if paper is not None:
        # only the paper's splits this run has (one's own collection has scaled splits, e.g. 10/2)
        theirs = paper[(paper["setting"] == setting) & paper["split"].isin(set(rows["split"]))].copy()
        theirs["unseen"] = theirs["split"].str.split("/").str[1].astype(int)
        for m in dict.fromkeys(theirs["method"]):
            colours.setdefault(m, f"C{len(colours)}")
    for ax, k in zip(axes, ks):
        column = f"hit@{k}"
        scale = percent_factor(rows[column], percent)
        for method in methods:
            g = rows[rows["method"] == method].groupby("unseen")[column]
            mean, std = g.mean() * scale, (g.std(ddof=1).fillna(0) * scale)
            ax.errorbar(mean.index, mean.values, yerr=std.values, capsize=3, color=colours[method],
                        label=method, marker="o", linestyle="--" if method in BASELINES else "-")
        if theirs is not None:
            for method, part in theirs.groupby("method", sort=False):
                part = part.sort_values("unseen")
                ax.plot(part["unseen"], part[column], color=colours[method], label=f"{method} (paper)",
                        **PAPER_STYLE)
        ax.set_xlabel("unseen hashtags (candidates)")
        ax.set_title(f"hit@{k}", fontsize=10)
        ax.set_xticks(sorted(rows["unseen"].unique()))
        percent_axis(ax)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{setting} hit@k")
    handles, labels = axes[-1].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(title)
    fig.tight_layout()
    return _done(fig, path)


# --- tagspace (notebook 04)
def tagspace_validation_curves(histories, path, title="#TagSpace / WSABIE: validation P@1 and R@10 per epoch",
                               percent=None):
    """Validation P@1 and R@10 (y, percent) per epoch (x), one line per model; ``histories``:
    name -> list of per-epoch dicts from ``tagzsl.tagspace.train``."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for name, hist in histories.items():
        epochs = [r["epoch"] for r in hist]
        for ax, key in zip(axes, ("P@1", "R@10")):
            ax.plot(epochs, as_percent([r[key] for r in hist], percent), marker="o", label=name,
                    linestyle="--" if name.lower().startswith("wsabie") else "-")
    for ax, key in zip(axes, ("P@1", "R@10")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"validation {key}")
        integer_ticks(ax)
        percent_axis(ax)
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    return _done(fig, path)


def tagspace_results(ours, path, paper=None, metrics=("P@1", "R@10"), percent=None,
                     title="Hashtag prediction per method and dim: ours and #TagSpace Table 3"):
    """P@1 and R@10 (percent) against the embedding dim, one line per method with a dim
    (WSABIE, #TagSpace), a horizontal line per method without (frequency, #words, word2vec
    at its own dim as a point); ``paper`` (``tagzsl.paper.table("tagspace_table3")``) adds the
    paper's rows (hollow squares, dotted; ranked among 100,000 hashtags, not ~1,000)."""
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.8 * len(metrics), 4))
    axes = np.atleast_1d(axes)
    sides = [("ours", ours, OURS_STYLE)] + ([("paper", paper, PAPER_STYLE)] if paper is not None else [])
    methods = list(dict.fromkeys(list(ours["method"]) + (list(paper["method"]) if paper is not None else [])))
    colours = {m: f"C{i}" for i, m in enumerate(methods)}
    for ax, metric in zip(axes, metrics):
        for side, frame, style in sides:
            values = as_percent(frame[metric], percent) if side == "ours" else frame[metric].astype(float).to_numpy()
            frame = frame.assign(_v=values, _d=frame["dim"].astype("Float64"))
            for method, part in frame.groupby("method", sort=False):
                part = part.dropna(subset=["_v"])
                label = f"{method} ({side})"
                if part["_d"].notna().sum() >= 2:
                    part = part.sort_values("_d")
                    ax.plot(part["_d"].astype(float), part["_v"], color=colours[method], label=label, **style)
                elif part["_d"].notna().any():
                    ax.plot(part["_d"].astype(float), part["_v"], color=colours[method], label=label,
                            linestyle="none", marker=style["marker"],
                            markerfacecolor=style.get("markerfacecolor", colours[method]))
                elif len(part):
                    ax.axhline(float(part["_v"].iloc[0]), color=colours[method], label=label,
                               linestyle="--" if side == "ours" else ":", lw=1)
        ax.set_xscale("log", base=2)
        # ticks at the dims of the methods drawn as lines (a lone point such as word2vec's 150 gets
        # none: 128 and 150 side by side would crowd)
        dims = sorted({int(d) for f in (ours, paper) if f is not None
                       for _, g in f.groupby("method") if g["dim"].notna().sum() >= 2 for d in g["dim"].dropna()})
        ax.set_xticks(dims, [str(d) for d in dims])
        ax.minorticks_off()
        ax.set_xlabel("embedding dim")
        ax.set_ylabel(metric + (" (lower is better)" if "rank" in metric else ""))
        percent_axis(ax)
        ax.grid(alpha=0.3)
    entries = {}                       # every panel's lines (a row may be missing from one panel)
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    fig.legend(list(entries.values()), list(entries), fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(title)
    fig.tight_layout()
    return _done(fig, path)
