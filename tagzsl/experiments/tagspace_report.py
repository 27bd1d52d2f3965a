"""Notebook 04's tables and sentences beside the #TagSpace paper, computed from a run: the
paper's Table 1 (its two corpora) beside ours, how fat each corpus's head is, the mean rank as a
share of the candidates (the paper ranks 100,000 hashtags, we a few thousand), our absolute
numbers against the paper's, the paper's own Table 2 posts through our TagSpace, and what the
grid picked (or that the mode ran none).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tagzsl import paper

#: the paper's candidates (hashtags ranked for every post)
PAPER_CANDIDATES = paper.HYPERPARAMETERS["tagspace"]["n_hashtags"]
RANK_SHARE = "mean rank (% of candidates)"


def head_share(corpus, top: int = 100) -> float:
    """Percent of the training split's hashtag uses that go to its ``top`` most used hashtags
    (the paper's measure of a corpus's head, section 4.1)."""
    counts = corpus.train["hashtags"].explode().value_counts()
    return float(100 * counts.iloc[:top].sum() / counts.sum())


def datasets_table(corpus) -> pd.DataFrame:
    """#TagSpace's Table 1 (posts, words, top 4 tags) beside our corpus, with the candidates ranked
    and the top 100 tags' share of tag uses (the paper's section 4.1 gives it for both corpora)."""
    theirs = paper.table("tagspace_table1").set_index("dataset")
    share = paper.HYPERPARAMETERS["tagspace"]["top100_tag_share_pct"]
    splits = [corpus.train, corpus.val, corpus.test]
    posts = sum(len(f) for f in splits)
    words = sum(int(f["tokens"].map(len).sum()) for f in splits)
    rows = {name: {"posts": f"{theirs.loc[name, 'posts_millions']:g} million",
                   "words": f"{theirs.loc[name, 'words_billions']:g} billion",
                   "top 4 hashtags": ", ".join("#" + t for t in theirs.loc[name, "top4_tags"]),
                   "candidate hashtags": f"{PAPER_CANDIDATES:,}",
                   "top 100 hashtags' share of uses": f"{share[name.lower()]:.1f}%"}
            for name in theirs.index}
    rows["ours (this run)"] = {"posts": f"{posts:,}", "words": f"{words:,}",
                               "top 4 hashtags": ", ".join("#" + t for t in corpus.tags[:4]),
                               "candidate hashtags": f"{len(corpus.tags):,}",
                               "top 100 hashtags' share of uses": f"{head_share(corpus):.1f}%"}
    return pd.DataFrame(rows).T


def head_note(corpus) -> str:
    """Which of the paper's corpora ours resembles by the share of its top 100 hashtags."""
    share = paper.HYPERPARAMETERS["tagspace"]["top100_tag_share_pct"]
    ours = head_share(corpus)
    nearer = min(share, key=lambda k: abs(share[k] - ours))
    return (f"top 100 hashtags' share of tag uses: ours {ours:.1f}%, the paper's pages {share['pages']:.1f}% "
            f"(the fatter head) and people {share['people']:.1f}% (obscure tags used more): ours is nearer "
            f"to {nearer}")


def with_rank_share(table: pd.DataFrame, n_candidates: int, paper_side: bool = False) -> pd.DataFrame:
    """``table`` with the mean rank also as a percent of the candidates ranked (ours:
    ``n_candidates``; a side-by-side table's paper column: the paper's 100,000), so the two
    sides are in one unit."""
    out = table.copy()
    if paper_side:
        out[f"{RANK_SHARE} (paper)"] = 100 * out["mean_rank (paper)"].astype(float) / PAPER_CANDIDATES
        out[f"{RANK_SHARE} (ours)"] = 100 * out["mean_rank (ours)"].astype(float) / n_candidates
    else:
        out[RANK_SHARE] = 100 * out["mean_rank"].astype(float) / n_candidates
    return out


def absolute_note(ours: pd.DataFrame, best_d, n_candidates: int) -> str:
    """Our #TagSpace at ``best_d`` against the paper's #TagSpace at the same d on both of its
    corpora: higher or lower, per metric, the mean rank as a share of the candidates."""
    lines = []
    mine = ours[(ours["method"] == "#TagSpace") & (ours["dim"] == best_d)].iloc[0]
    for name, label in (("tagspace_table3", "people (Table 3)"), ("tagspace_table4", "pages (Table 4)")):
        theirs = paper.table(name)
        row = theirs[(theirs["method"] == "#TagSpace") & (theirs["dim"] == best_d)]
        if row.empty:
            row = theirs[theirs["method"] == "#TagSpace"].iloc[[-1]]
        row = row.iloc[0]
        parts = [f"{m} {mine[m]:.2f} vs {row[m]:.2f} (ours {'higher' if mine[m] > row[m] else 'lower'})"
                 for m in ("P@1", "R@10")]
        a, b = 100 * mine["mean_rank"] / n_candidates, 100 * row["mean_rank"] / PAPER_CANDIDATES
        parts.append(f"mean rank {a:.1f}% vs {b:.1f}% of the candidates (ours {'worse' if a > b else 'better'})")
        lines.append(f"#TagSpace d={best_d} against the paper's #TagSpace d={int(row['dim'])} on {label}: "
                     + ", ".join(parts))
    return "\n".join(lines)


def paper_posts(model, encoder, tags, k: int = 10) -> pd.DataFrame:
    """#TagSpace's Table 2 posts, cleaned by our pipeline, through a trained TagSpace: our top ``k``
    among ``tags`` beside the paper's, how many of the paper's hashtags are candidates here and how
    many of them we also put in our top ``k``."""
    from tagzsl import preprocess, tagspace as ts
    from tagzsl.experiments.tagspace import top_hashtags

    theirs = paper.examples("tagspace_table2")
    tokens = [list(preprocess.clean_text(p)) for p in theirs["post"]]
    scores = ts.predict_scores(model, encoder.words(tokens))
    ours = top_hashtags(scores, list(tags), k)
    candidates = set(tags)
    return pd.DataFrame({
        "post": theirs["post"],
        "the paper's top 10": [" ".join("#" + t for t in p) for p in theirs["predicted"]],
        f"our top {k}": [" ".join("#" + t for t in o) for o in ours],
        "paper's tags that are our candidates": [sum(t in candidates for t in p) for p in theirs["predicted"]],
        "in both top lists": [len(set(p) & set(o)) for p, o in zip(theirs["predicted"], ours)],
    })


def picked_note(name: str, picked: dict, grid: dict) -> str:
    """What the grid chose, or, with a one-point grid, that the mode fixed the setting."""
    n = int(np.prod([len(v) for v in grid.values()])) if grid else 0
    shown = ", ".join(f"{k} {v:g}" for k, v in picked.items())
    if n > 1:
        return f"{name}: {shown}, picked on validation among {n} settings"
    return f"{name}: {shown}, fixed by this mode (the full run's pick on validation; no grid here)"
