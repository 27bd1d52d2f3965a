"""Figures the notebooks write to ``figures/`` (PNG). Each function takes data and a path,
saves the figure there and returns it."""
from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def save(fig, path) -> pathlib.Path:
    """Save ``fig`` as a PNG at ``path`` (through a temporary file) and return the path."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    tmp.replace(path)
    return path


# --- dataset (notebook 01)
def tweets_per_hashtag(counts, path, title="Tweets per hashtag (top 50)"):
    """Fig. 1: horizontal bar chart of tweet counts per hashtag (``counts``: a pandas Series)."""
    fig, ax = plt.subplots(figsize=(7, max(4, 0.18 * len(counts))))
    ax.barh([f"#{t}" for t in counts.index[::-1]], counts.values[::-1], color="#4c72b0")
    ax.set_xlabel("tweets")
    ax.set_title(title)
    ax.tick_params(axis="y", labelsize=7)
    save(fig, path)
    return fig


def word_cloud(token_lists, path, seed=2019, max_words=200):
    """Fig. 2a: word cloud of the words of the cleaned tweets."""
    from collections import Counter

    from wordcloud import WordCloud

    freqs = Counter(t for tokens in token_lists for t in tokens if t != "user")
    cloud = WordCloud(width=900, height=450, background_color="white", max_words=max_words,
                      random_state=seed).generate_from_frequencies(freqs)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.imshow(cloud, interpolation="bilinear")
    ax.axis("off")
    save(fig, path)
    return fig


def embedding_tsne(vectors, labels, path, seed=2019, perplexity=10.0,
                   title="t-SNE of hashtag vectors (skip-gram, 150-d)"):
    """Fig. 2b: 2-D t-SNE of ``vectors`` (one row per label), each point labelled."""
    from sklearn.manifold import TSNE

    vectors = np.asarray(vectors, dtype="float64")
    perplexity = min(perplexity, max(2.0, (len(vectors) - 1) / 3))
    xy = TSNE(n_components=2, perplexity=perplexity, random_state=seed, init="pca",
              metric="cosine").fit_transform(vectors)
    fig, ax = plt.subplots(figsize=(9, 7))
    ax.scatter(xy[:, 0], xy[:, 1], s=12, color="#dd8452")
    for (x, y), label in zip(xy, labels):
        ax.annotate(f"#{label}", (x, y), fontsize=7, xytext=(2, 2), textcoords="offset points")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    save(fig, path)
    return fig


# --- supervised (notebook 02)
def training_curves(histories, path, metric="accuracy", title="Training curves (per fold)"):
    """Train (dashed) and validation (solid) ``metric`` per epoch; one panel per model.

    ``histories``: ``{(model, fold): keras history dict}`` as in ``CVResult.histories``.
    """
    names = list(dict.fromkeys(m for m, _ in histories))
    fig, axes = plt.subplots(1, len(names), figsize=(3.4 * len(names), 3), squeeze=False, sharey=True)
    for ax, name in zip(axes[0], names):
        for (m, fold), h in histories.items():
            if m != name:
                continue
            epochs = np.arange(1, len(h[metric]) + 1)
            line, = ax.plot(epochs, h[f"val_{metric}"], label=f"fold {fold + 1}")
            ax.plot(epochs, h[metric], ls="--", color=line.get_color(), alpha=0.6)
        ax.set_title(name)
        ax.set_xlabel("epoch")
    axes[0][0].set_ylabel(f"{metric} (solid: validation, dashed: train)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(title)
    save(fig, path)
    return fig


def per_hashtag_f1(per_hashtag, path, title="F1 per hashtag (mean over folds)"):
    """Heat map of F1 per hashtag (rows, sorted by the mean over models) and model (columns)."""
    grid = per_hashtag.pivot_table(index="hashtag", columns="model", values="f1", sort=False)
    grid = grid.loc[grid.mean(axis=1).sort_values(ascending=False).index]
    fig, ax = plt.subplots(figsize=(1.1 * grid.shape[1] + 2.5, 0.2 * grid.shape[0] + 1.5))
    im = ax.imshow(grid.values, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_yticks(range(grid.shape[0]), [f"#{h}" for h in grid.index], fontsize=6)
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right", fontsize=8)
    fig.colorbar(im, ax=ax, label="F1")
    ax.set_title(title)
    save(fig, path)
    return fig


# --- zero-shot (notebook 03)
def hit_vs_unseen(rows, path, ks=(1, 2, 5), setting="zero-shot",
                  title="Zero-shot hit@k against the number of unseen hashtags"):
    """hit@k (mean ± std over partitions) against the number of unseen candidate hashtags.

    ``rows``: one row per (split "S/U", partition, setting, method) with ``hit@k`` columns.
    """
    rows = rows[rows["setting"] == setting].copy()
    rows["unseen"] = rows["split"].str.split("/").str[1].astype(int)
    fig, axes = plt.subplots(1, len(ks), figsize=(4.2 * len(ks), 3.6), sharey=True)
    axes = np.atleast_1d(axes)
    methods = list(dict.fromkeys(rows["method"]))
    for ax, k in zip(axes, ks):
        for method in methods:
            g = rows[rows["method"] == method].groupby("unseen")[f"hit@{k}"]
            mean, std = g.mean(), g.std(ddof=0).fillna(0)
            ax.errorbar(mean.index, mean.values, yerr=std.values, marker="o", capsize=3,
                        label=method, linestyle="--" if method in ("random", "word2vec similarity") else "-")
        ax.set_xlabel("unseen hashtags (candidates)")
        ax.set_title(f"hit@{k}")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"{setting} hit@k")
    axes[-1].legend(fontsize=7)
    fig.suptitle(title)
    save(fig, path)
    return fig


def learning_curve(curve, path, title="Test accuracy against training-set size (fold 1)"):
    """Accuracy (y) against training tweets (x), one line per model; ``curve`` from
    ``tagzsl.supervised.learning_curve``."""
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for model, part in curve.groupby("model", sort=False):
        ax.plot(part["n_train"], part["accuracy"], marker="o", label=model)
    ax.set_xlabel("training tweets")
    ax.set_ylabel("test accuracy")
    ax.legend()
    ax.set_title(title)
    save(fig, path)
    return fig


# --- tagspace
def tagspace_validation_curves(histories, path, title="#TagSpace / WSABIE: validation P@1 and R@10 per epoch"):
    """Validation P@1 and R@10 (y) per epoch (x), one line per model; ``histories``: name -> list of
    per-epoch dicts from ``tagzsl.tagspace.train``."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for name, hist in histories.items():
        epochs = [r["epoch"] for r in hist]
        for ax, key in zip(axes, ("P@1", "R@10")):
            ax.plot(epochs, [r[key] for r in hist], marker="o", label=name,
                    linestyle="--" if name.lower().startswith("wsabie") else "-")
    for ax, key in zip(axes, ("P@1", "R@10")):
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"validation {key}")
        ax.grid(alpha=0.3)
    axes[1].legend(fontsize=7)
    fig.suptitle(title)
    save(fig, path)
    return fig
