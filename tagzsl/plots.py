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
