"""The public hashtag benchmark: the protocol of notebook 01 (Kumar et al. 2019, sections 3-4).

* :func:`data_card`: per source, posts read, English posts, posts with a hashtag, posts kept
  after cleaning, distinct hashtags, stated licence, collection hashtags and URL.
* :func:`funnel`: Table 1, the cleaning funnel over the union, one column per source.
* :func:`table1_beside_paper`: the paper's Table 1 criteria, the paper's count beside ours.
* :func:`exclusion_summary`: the collection hashtags not used as labels, per source and why.
* :func:`label_sources` / :func:`plot_label_sources`: for each label, which sources its
  tweets come from (a table and a stacked bar figure).
* :func:`source_only_baseline`: predict a tweet's hashtag from its source alone (the training
  fold's most frequent label per source): the row a reader compares every model with, to
  see how much of a score is the text rather than the source.

Settings: :class:`Settings` with :data:`FULL`, :data:`LESSON` and :data:`QUICK`.
"""
from __future__ import annotations

import pathlib
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from tagzsl import preprocess
from tagzsl.data.sources import ALL, SOURCES


@dataclass(frozen=True)
class Settings:
    """One run of notebook 01."""

    mode: str
    sources: tuple = ALL
    quick_corpus: bool = False      # corpus.prepare(quick=...): 1-epoch word2vec on the cleaned posts (quick only)
    tsne_perplexity: float = 10.0
    probes: tuple = ("maga", "christmas", "nyc", "love", "sandy", "covidvaccine")


FULL = Settings("full")
# lesson mode reads the same cached full word2vec as full mode (one model per mode across 01-04)
LESSON = Settings("lesson")
QUICK = Settings("quick", quick_corpus=True)


def fig1_thresholds(prepared, paper_min: int = 200) -> dict:
    """The lines of Fig. 1: the paper's threshold (200 tweets) and, when the label set fell back,
    the lowered threshold it used (the tweets per label of ``prepared.top``)."""
    lines = {"the paper's threshold": paper_min}
    if prepared.label_rule == "fallback":
        lines["our fallback threshold"] = int(prepared.top["hashtag"].value_counts().min())
    return lines


def word2vec_note(prepared, mode: str) -> str:
    """Which word2vec this run shows, and that notebooks 02-04 use the same one in this mode."""
    kv = prepared.vectors
    how = ("one epoch over the cleaned posts that carry a hashtag" if mode == "quick"
           else "five epochs over every English post of the corpus, hashtags kept as words")
    return (f"word2vec of this run ({mode} mode): {len(kv.key_to_index):,} words, {kv.vector_size}-d, {how}; "
            f"notebooks 02-04 in {mode} mode read this same cached model")


def _per_source(series: pd.Series, order) -> pd.Series:
    return series.reindex(order).fillna(0).astype(int)


def data_card(prepared) -> pd.DataFrame:
    """One row per source (and a total): what was read, what survived cleaning, its terms."""
    raw, clean, steps = prepared.raw, prepared.clean, prepared.steps_by_source
    order = list(dict.fromkeys(raw["source"]))
    english = raw[[preprocess.is_english(x) for x in raw["lang"]]]
    tags = clean[["source", "hashtags"]].explode("hashtags").dropna()
    excl = prepared.exclusions if prepared.exclusions is not None else pd.DataFrame(columns=["source", "hashtag"])
    card = pd.DataFrame({
        "posts read": _per_source(raw.groupby("source").size(), order),
        "English posts": _per_source(english.groupby("source").size(), order),
        "posts with a hashtag": _per_source(steps.loc["with at least one hashtag"], order),
        "posts kept after cleaning": _per_source(clean.groupby("source").size(), order),
        "distinct hashtags": _per_source(tags.groupby("source")["hashtags"].nunique(), order),
    }, index=pd.Index(order, name="source"))
    card.loc["all sources"] = [len(raw), len(english), int(steps.loc["with at least one hashtag"].sum()),
                               len(clean), int(tags["hashtags"].nunique())]
    card = card.astype(int)
    shown = excl.groupby("source")["hashtag"].apply(lambda t: list(t)).to_dict()

    def collection(name):
        if name not in SOURCES:
            return ""
        found = shown.get(name, [])
        head = ", ".join(f"#{t}" for t in found[:4]) + (f" (+{len(found) - 4} more)" if len(found) > 4 else "")
        return head or "none found"

    card["English (%)"] = (100 * card["English posts"] / card["posts read"]).round(1)
    card["stated licence"] = [SOURCES[n].licence if n in SOURCES else "" for n in card.index]
    card["collection hashtags excluded"] = [collection(n) for n in card.index]
    card["URL"] = [SOURCES[n].url if n in SOURCES else "" for n in card.index]
    return card


def funnel(prepared) -> pd.DataFrame:
    """Table 1 per source: posts left after each cleaning step (columns: sources, then all)."""
    table = prepared.steps_by_source.copy()
    table["all sources"] = prepared.steps.set_index("step")["tweets"].values
    table["kept (% of raw)"] = (100 * table["all sources"] / table["all sources"].iloc[0]).round(1)
    return table


#: The paper's Table 1 criteria (as in ``paper.table("kumar_table1")``), and where our count
#: differs in definition, what we count instead.
TABLE1_NOTES = {
    "Total collected tweets": "posts read from the sources, before the funnel",
    "Cleaned sampled tweets": "English posts: our funnel cleans only posts with a hashtag",
    "Tweets containing hashtags": "posts kept after the whole funnel",
    "Tweets containing more than one hashtag": "",
    "Unique hashtags": "in the kept posts, collection hashtags excluded",
    "Hashtags with at least 200 unique tweets": "",
}


def table1_counts(prepared) -> dict:
    """Our count for each criterion of the paper's Table 1 (keys: :data:`TABLE1_NOTES`)."""
    clean = prepared.clean
    steps = prepared.steps.set_index("step")["tweets"]
    return {
        "Total collected tweets": len(prepared.raw),
        "Cleaned sampled tweets": int(steps.loc["English only"]),
        "Tweets containing hashtags": len(clean),
        "Tweets containing more than one hashtag": int((clean["hashtags"].map(len) > 1).sum()),
        "Unique hashtags": int(clean["hashtags"].explode().dropna().nunique()),
        "Hashtags with at least 200 unique tweets": int(prepared.qualifying),
    }


def table1_beside_paper(prepared, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """The paper's Table 1 beside ours, one row per criterion: ``paper``, ``ours``, ``note``.

    ``published`` defaults to ``paper.table("kumar_table1")`` (columns ``criterion, count``).
    The note says what we count where the definitions differ; for the last row (hashtags that
    keep >= 200 tweets once each tweet is labelled with its least frequent hashtag) it is computed
    from the run: how many had >= 200 kept posts before labelling, and the label rule used.
    """
    if published is None:
        from tagzsl import paper

        published = paper.table("kumar_table1")
    ours = table1_counts(prepared)
    unknown = [c for c in published["criterion"] if c not in ours]
    if unknown:
        raise ValueError(f"table1_beside_paper: no count of ours for the paper's criteria {unknown}")
    notes = dict(TABLE1_NOTES)
    before = int((preprocess.hashtag_counts(prepared.clean) >= 200).sum())
    notes["Hashtags with at least 200 unique tweets"] = (
        f"once labelled ({before} before labelling); label set by the {prepared.label_rule or 'paper'} rule")
    return pd.DataFrame({
        "paper": published["count"].astype(int).values,
        "ours": [ours[c] for c in published["criterion"]],
        "note": [notes[c] for c in published["criterion"]],
    }, index=pd.Index(published["criterion"], name="criterion"))


def exclusion_summary(prepared) -> pd.DataFrame:
    """Per source: documented collection hashtags, how many occur, how many were found from data."""
    excl = prepared.exclusions
    rows = []
    for name in dict.fromkeys(prepared.raw["source"]):
        mine = excl[excl["source"] == name]
        documented = SOURCES[name].documented_hashtags() if name in SOURCES else frozenset()
        rows.append({
            "source": name,
            "documented collection hashtags": len(documented),
            "of them in the posts": int(mine["why"].str.contains("documented").sum()),
            "found from data only": int((~mine["why"].str.contains("documented")).sum()),
            "posts carrying an excluded hashtag": int(mine["posts"].sum()),
            "how the source was collected": SOURCES[name].collection_note if name in SOURCES else "",
        })
    return pd.DataFrame(rows).set_index("source")


def label_sources(top: pd.DataFrame, percent: bool = False) -> pd.DataFrame:
    """For each label (rows, label-set order), its tweets per source (columns), plus the share
    of the largest source (``top source (%)``)."""
    table = pd.crosstab(top["hashtag"], top["source"])
    table = table.reindex(list(dict.fromkeys(top["hashtag"])))
    table = table[table.sum().sort_values(ascending=False).index]
    top_share = (100 * table.max(axis=1) / table.sum(axis=1)).round(1)
    if percent:
        table = (100 * table.div(table.sum(axis=1), axis=0)).round(1)
    table["top source"] = table.drop(columns=[], errors="ignore").idxmax(axis=1)
    table["top source (%)"] = top_share
    return table


def plot_label_sources(top: pd.DataFrame, path, title="Where each label's tweets come from"):
    """A stacked horizontal bar per label: the share of its tweets from each source (PNG at ``path``)."""
    import matplotlib.pyplot as plt

    table = label_sources(top, percent=True).drop(columns=["top source", "top source (%)"])
    fig, ax = plt.subplots(figsize=(8, max(4.0, 0.2 * len(table) + 1)))
    left = pd.Series(0.0, index=table.index)
    colours = plt.get_cmap("tab10")
    for i, name in enumerate(table.columns):
        ax.barh([f"#{t}" for t in table.index], table[name], left=left, color=colours(i % 10), label=name)
        left += table[name]
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("tweets of the label (%)")
    ax.set_title(title)
    ax.tick_params(axis="y", labelsize=7)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, title="source", title_fontsize=7)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=110, bbox_inches="tight")
    tmp.replace(path)
    plt.close(fig)
    return fig


def source_only_baseline(train_sources, train_labels, test_sources) -> list:
    """Predict each test tweet's label from its source alone.

    Each source gets its most frequent label among the training tweets of that source (ties:
    the label first in alphabetical order); a source unseen in training gets the most
    frequent training label overall. Returns one label per test tweet.
    """
    train_sources, train_labels = list(train_sources), list(train_labels)
    if len(train_sources) != len(train_labels) or not train_labels:
        raise ValueError("source_only_baseline needs one source per training label, and at least one")

    def most_frequent(labels):
        counts = Counter(labels)
        return min(counts, key=lambda label: (-counts[label], str(label)))

    by_source = {}
    for source, label in zip(train_sources, train_labels):
        by_source.setdefault(source, []).append(label)
    best = {source: most_frequent(labels) for source, labels in by_source.items()}
    overall = most_frequent(train_labels)
    return [best.get(source, overall) for source in test_sources]
