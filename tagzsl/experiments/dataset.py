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

On a person's own files (``corpus.prepare(files=...)``, the notebooks' ``DATA_FILES``) there is
one source, :data:`OWN`: the per-source tables become one-source tables, the collection-hashtag
sections one line each (:func:`is_own`), and the lines printed say the data are the user's own.

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
#: the one source of a person's own files (:func:`tagzsl.corpus.from_files`)
OWN = "own"
#: what the notebooks call that source in prose
OWN_NAME = "your own files"


def is_own(prepared) -> bool:
    """True for a corpus made from a person's own files (:func:`tagzsl.corpus.from_files`)."""
    return tuple(getattr(prepared, "sources", ())) == (OWN,)


def run_line(mode: str, seed: int, data_root, data_files, settings: Settings) -> str:
    """The notebook's first line: mode, seed and where the posts come from."""
    if data_files is not None:
        files = [data_files] if isinstance(data_files, (str, pathlib.Path)) else list(data_files)
        return (f"mode={mode} seed={seed} data: {OWN_NAME} ({len(files)} file(s): "
                f"{', '.join(pathlib.Path(f).name for f in files)}), instead of the built-in sources")
    return (f"mode={mode} seed={seed} data_root={data_root or '$TAGZSL_DATA / download'} "
            f"sources={', '.join(settings.sources)}")


def read_note(prepared) -> str:
    """What reading gave: the source files missing from the local copy, or, on one's own files,
    the posts read and the lines skipped per file."""
    if not is_own(prepared):
        skipped = prepared.skipped_files
        return (f"files skipped (missing from the local copy): {len(skipped)}"
                + (f" ({', '.join(skipped)})" if skipped else ""))
    report = prepared.report
    bad = int(report[["malformed", "undecodable"]].to_numpy().sum())
    return (f"{OWN_NAME}: {len(report)} file(s), {int(report['posts'].sum()):,} posts read, {bad:,} malformed or "
            f"undecodable line(s) skipped; label set and word vectors are made from these posts alone")


def read_report(prepared) -> pd.DataFrame:
    """What was read: per source (the built-in corpus), or per file of one's own (name, format,
    posts read, lines skipped)."""
    if not is_own(prepared):
        return prepared.report
    report = prepared.report
    return pd.DataFrame({"format": report["format"].to_numpy(), "posts read": report["posts"].to_numpy(),
                         "malformed lines": report["malformed"].to_numpy(),
                         "undecodable rows": report["undecodable"].to_numpy()},
                        index=pd.Index([pathlib.Path(p).name for p in report["path"]], name="file"))


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
    if is_own(prepared):
        return (f"word2vec of this run ({mode} mode): {len(kv.key_to_index):,} words, {kv.vector_size}-d, "
                f"{'one epoch' if mode == 'quick' else 'five epochs'} over the kept posts of {OWN_NAME}, hashtags kept "
                f"as words; notebooks 02-04 on the same files in {mode} mode read this same cached model")
    how = ("one epoch over the cleaned posts that carry a hashtag" if mode == "quick"
           else "five epochs over every English post of the corpus, hashtags kept as words")
    return (f"word2vec of this run ({mode} mode): {len(kv.key_to_index):,} words, {kv.vector_size}-d, {how}; "
            f"notebooks 02-04 in {mode} mode read this same cached model")


def _per_source(series: pd.Series, order) -> pd.Series:
    return series.reindex(order).fillna(0).astype(int)


def data_card(prepared) -> pd.DataFrame:
    """One row per source (and a total): what was read, what survived cleaning, its terms.

    On one's own files: one row, :data:`OWN` (posts read, after the language filter when one was
    asked for, with a hashtag, kept; distinct hashtags)."""
    if is_own(prepared):
        return _own_card(prepared)
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


def _own_card(prepared) -> pd.DataFrame:
    steps = prepared.steps.set_index("step")["tweets"]
    language = [s for s in steps.index if s.startswith("language ")]
    card = pd.DataFrame({
        "posts read": [int(steps.iloc[0])],
        "posts in the language asked for": [int(steps[language[0]]) if language else "– (no language filter)"],
        "posts with a hashtag": [int(steps.loc["with at least one hashtag"])],
        "posts kept after cleaning": [len(prepared.clean)],
        "distinct hashtags": [int(prepared.clean["hashtags"].explode().dropna().nunique())],
    }, index=pd.Index([OWN], name="source"))
    card["kept (%)"] = (100 * card["posts kept after cleaning"] / card["posts read"]).round(1)
    card["files"] = ", ".join(read_report(prepared).index)
    return card


def funnel(prepared) -> pd.DataFrame:
    """Table 1 per source: posts left after each cleaning step (columns: sources, then all;
    on one's own files, the one column :data:`OWN`)."""
    if is_own(prepared):
        table = prepared.steps.set_index("step")[["tweets"]].rename(columns={"tweets": OWN})
        table["kept (% of raw)"] = (100 * table[OWN] / table[OWN].iloc[0]).round(1)
        return table
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


#: the notes of :data:`TABLE1_NOTES` that differ on one's own files
OWN_TABLE1_NOTES = {
    "Total collected tweets": f"posts read from {OWN_NAME}, before the funnel",
    "Cleaned sampled tweets": "posts in the language asked for (– : no language filter on your files)",
    "Unique hashtags": "in the kept posts",
}


def table1_counts(prepared) -> dict:
    """Our count for each criterion of the paper's Table 1 (keys: :data:`TABLE1_NOTES`); on one's
    own files "Cleaned sampled tweets" is the count after the language filter, "–" without one."""
    clean = prepared.clean
    steps = prepared.steps.set_index("step")["tweets"]
    language = [s for s in steps.index if s == "English only" or s.startswith("language ")]
    return {
        "Total collected tweets": int(steps.iloc[0]) if is_own(prepared) else len(prepared.raw),
        "Cleaned sampled tweets": int(steps.loc[language[0]]) if language else "–",
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
    notes = {**TABLE1_NOTES, **(OWN_TABLE1_NOTES if is_own(prepared) else {})}
    before = int((preprocess.hashtag_counts(prepared.clean) >= 200).sum())
    notes["Hashtags with at least 200 unique tweets"] = (
        f"once labelled ({before} before labelling); label set by the {prepared.label_rule or 'paper'} rule")
    return pd.DataFrame({
        "paper": published["count"].astype(int).values,
        "ours": pd.Series([ours[c] for c in published["criterion"]], dtype=object).to_numpy(),
        "note": [notes[c] for c in published["criterion"]],
    }, index=pd.Index(published["criterion"], name="criterion"))


def exclusion_note(prepared) -> str:
    """The threshold of the collection-hashtag search, or, on one's own files, that none was made."""
    from tagzsl.data import artefacts

    if is_own(prepared):
        return (f"{OWN_NAME}: collection hashtags are not looked for (one collection, no source to give away); "
                "every hashtag can be a label")
    return f"threshold: >= {artefacts.SHARE}% of a unit's posts, units of >= {artefacts.MIN_UNIT_POSTS} posts"


def excluded_hashtags(prepared, n: int = 15) -> pd.DataFrame | None:
    """Every excluded hashtag that occurs in the posts, and why (the ``n`` most used per source);
    ``None`` on one's own files (nothing is excluded, :func:`exclusion_note`)."""
    if is_own(prepared):
        return None
    return prepared.exclusions.groupby("source", sort=False).head(n).set_index(["source", "hashtag"])


def exclusion_summary(prepared) -> pd.DataFrame | None:
    """Per source: documented collection hashtags, how many occur, how many were found from data
    (``None`` on one's own files: :func:`exclusion_note` says why)."""
    if is_own(prepared):
        return None
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


def label_sources_note(table: pd.DataFrame) -> str:
    """How many labels draw >= 90% of their tweets from one source (:func:`label_sources`), or,
    with one source, what that means for the source-only baseline."""
    sources = [c for c in table.columns if c not in ("top source", "top source (%)")]
    if len(sources) == 1:
        return (f"one source ({OWN_NAME if sources[0] == OWN else sources[0]}): every label's tweets come from it, so "
                "the source-only baseline of notebooks 02-03 predicts the most frequent label")
    return (f"labels with >= 90% of their tweets from one source: {int((table['top source (%)'] >= 90).sum())} "
            f"of {len(table)}")


def probes(prepared, wanted, n: int = 6) -> list[str]:
    """Hashtags to show the nearest words of: ``wanted`` that have a vector, or (on one's own files,
    or when none has) the first ``n`` label hashtags that have one."""
    kv = prepared.vectors.key_to_index
    found = [] if is_own(prepared) else [t for t in wanted if t in kv]
    return found or [t for t in prepared.hashtags if t in kv][:n]


def summary(prepared, card, table1, label_table, missing, mode: str) -> list[str]:
    """The notebook's closing lines, computed from this run."""
    if is_own(prepared):
        row = card.loc[OWN]
        head = (f"* {int(row['posts read']):,} posts read from {OWN_NAME}; {int(row['posts kept after cleaning']):,} "
                f"kept after the funnel ({row['kept (%)']:.1f}%).")
        excluded = f"* {OWN_NAME}: no collection hashtags looked for (one collection)."
    else:
        total = card.loc["all sources"]
        head = (f"* {int(total['posts read']):,} posts read from {len(prepared.sources)} sources; "
                f"{int(total['English posts']):,} in English; {int(total['posts kept after cleaning']):,} kept "
                f"after the funnel ({100 * total['posts kept after cleaning'] / total['posts read']:.1f}%).")
        excluded = f"* {len(prepared.exclusions):,} collection hashtags excluded within their sources."
    read, kept = (table1.loc[c] for c in ("Total collected tweets", "Tweets containing hashtags"))
    lines = [head,
             f"* against the paper's Table 1: {read['paper']:,} tweets collected there, {read['ours']:,} read here; "
             f"{kept['paper']:,} cleaned tweets with a hashtag there, {kept['ours']:,} here.",
             excluded, f"* label set: {prepared.label_note}."]
    if is_own(prepared):
        lines.append(f"* {label_sources_note(label_table)}.")
    else:
        lines.append(f"* {int((label_table['top source (%)'] >= 90).sum())} of {len(label_table)} labels draw >= 90% "
                     f"of their tweets from one source: compare every model with the source-only baseline.")
    lines.append(f"* {word2vec_note(prepared, mode)}; label-set hashtags without a vector: {len(missing)}.")
    return lines


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
