"""Published numbers of the two papers this project reproduces, for printing beside ours.

Papers
------
* Kumar, Jain, Singh, Tripathi, "From Fully Supervised to Zero Shot Settings for Twitter
  Hashtag Recommendation", arXiv:1906.04914 (2019): ``kumar_table1`` .. ``kumar_table4``.
* Weston, Chopra, Adams, "#TagSpace: Semantic Embeddings from Hashtags", EMNLP 2014:
  ``tagspace_table1``, ``tagspace_table3`` .. ``tagspace_table5``.

The tables were transcribed cell by cell from the papers' text into the CSV files of
``tagzsl/paper_tables/`` (shipped with the package). :func:`raw` returns a file as
printed; :func:`table` returns it in this project's vocabulary:

* every rate (accuracy, precision, recall, F1, hit@k, P@1, R@k) in **percent**. Kumar et
  al.'s Table 2 prints precision, recall and F1 as fractions (0.41): they are multiplied
  by 100 here (41.0) so that they sit beside the accuracy column, which it prints in
  percent;
* method and model names as ours (``"#TagSpace"`` for the paper's ``"#TAGSPACE"``,
  ``"RNN+attention"`` for ``"RNN with Attention"``), with the paper's own words kept in a
  ``label`` column;
* ``dim`` is a nullable integer (missing for methods without an embedding dimension).

:func:`side_by_side` puts a paper table beside one of ours, matched by method (and by
dimension where both sides have it), both in percent.
"""
from __future__ import annotations

import math
import pathlib
from collections.abc import Sequence

import pandas as pd

__all__ = ["EXAMPLE_FILES", "FILES", "HYPERPARAMETERS", "NOTES", "SOURCES", "TABLE_NAMES", "UNITS",
           "examples", "raw", "side_by_side", "table"]

TABLES_DIR = pathlib.Path(__file__).resolve().parent / "paper_tables"

#: table name -> CSV file in :data:`TABLES_DIR`
FILES: dict[str, str] = {
    "kumar_table1": "kumar2019_table1.csv",
    "kumar_table2": "kumar2019_table2.csv",
    "kumar_table3": "kumar2019_table3.csv",
    "kumar_table4": "kumar2019_table4.csv",
    "tagspace_table1": "weston2014_table1_datasets.csv",
    "tagspace_table3": "weston2014_table3_people.csv",
    "tagspace_table4": "weston2014_table4_pages.csv",
    "tagspace_table5": "weston2014_table5_docrec.csv",
}
TABLE_NAMES: tuple[str, ...] = tuple(FILES)
#: the papers' example posts (texts transcribed from the papers, not in shared/papers' CSVs):
#: Kumar et al.'s Table 4 tweets (as the paper prints them, cleaned) and #TagSpace's Table 2 posts
EXAMPLE_FILES: dict[str, str] = {
    "kumar_table4_tweets": "kumar2019_table4_tweets.csv",
    "tagspace_table2": "weston2014_table2_examples.csv",
}

_KUMAR = "Kumar et al. (2019)"
_WESTON = "Weston et al., #TagSpace (2014)"
SOURCES: dict[str, str] = {
    "kumar_table1": f"{_KUMAR}, Table 1: dataset statistics",
    "kumar_table2": f"{_KUMAR}, Table 2: supervised models, stratified 5-fold CV",
    "kumar_table3": f"{_KUMAR}, Table 3: zero-shot and few-shot flat hit@k",
    "kumar_table4": f"{_KUMAR}, Table 4: example tweets, expected hashtag and top 5",
    "tagspace_table1": f"{_WESTON}, Table 1: the two (private) Facebook corpora",
    "tagspace_table3": f"{_WESTON}, Table 3: hashtag prediction, people corpus; "
                       "production-system row from section 4.2's text",
    "tagspace_table4": f"{_WESTON}, Table 4: hashtag prediction, pages corpus; "
                       "production-system row from section 4.2's text",
    "tagspace_table5": f"{_WESTON}, Table 5: document recommendation",
}

NOTES: dict[str, str] = {
    "kumar_table1": "Counts of tweets (and hashtags) after each stage of the paper's "
                    "collection and cleaning; 805,031 tweets streamed in January 2019.",
    "kumar_table2": "Accuracy is printed in percent in the paper, precision/recall/F1 as "
                    "fractions: all four are in percent here.",
    "kumar_table3": "Flat hit@k in percent for each seen/unseen split of the 50 hashtags; "
                    "few-shot adds 5-10 random tweets per unseen hashtag (section 7.3).",
    "kumar_table4": "Expected hashtag and the five recommended, best first; the tweets' "
                    "texts are in the paper.",
    "tagspace_table1": "Private corpora; posts in millions, words in billions.",
    "tagspace_table3": "Ranks among 100,000 hashtags (ours: about a thousand), so compare "
                       "orderings and ratios, not absolute values. The production system "
                       "has no mean rank.",
    "tagspace_table4": "Ranks among 100,000 hashtags (ours: about a thousand). The "
                       "frequency row prints R@10 below P@1; transcribed as printed.",
    "tagspace_table5": "Document recommendation for 34 thousand people (section 4.3).",
}

UNITS: dict[str, str] = {
    **{m: "percent" for m in ("accuracy", "precision", "recall", "F1", "hit@1", "hit@2",
                              "hit@5", "P@1", "R@10", "R@50")},
    "mean_rank": "rank (1 = best)",
    "count": "number",
}
RATES = frozenset(m for m, unit in UNITS.items() if unit == "percent")

#: settings the papers state (checked against their text in shared/papers).
HYPERPARAMETERS: dict[str, dict] = {
    "kumar": {
        "n_hashtags": 50, "min_unique_tweets_per_hashtag": 200, "min_words_per_tweet": 5,
        "word2vec": {"model": "skip-gram", "dim": 150},
        "initialisation": "Xavier uniform weights, zero biases",
        "optimizer": {"name": "Adam", "learning_rate": 0.001},
        "loss": "categorical cross-entropy",
        "hyperparameter_search": "scikit-learn GridSearchCV",
        "evaluation": "stratified 5-fold cross-validation",
        "ann": {"hidden_units": 1024, "activation": "tanh"},
        "cnn": {"dense": [1024, 256]},
        "rnn": {"cell": "GRU", "layers": 2, "units": 1024},
        "rnn_attention": {"cell": "GRU", "units": 1024},
        "transformer": {"encoder_blocks": 6},
        "zero_shot": {"splits": ["40/10", "30/20", "25/25"],
                      "metrics": ["hit@1", "hit@2", "hit@5"],
                      "tweet_features": "1024-d GRU encoding before the output layer",
                      "hashtag_features": "150-d skip-gram vectors",
                      "dem_hashtag_branch": {"units": 1024, "activation": "relu"},
                      "few_shot_tweets_per_unseen_hashtag": "5-10"},
    },
    "tagspace": {
        "vocabulary_size_N": 1_000_000, "n_hashtags": 100_000,
        "embedding_dims_compared": [64, 128, 256, 512],
        "conv_window_K": 5, "conv_hidden_H": 1000,
        "warp_max_negative_draws": 1000, "margin_m": 0.1,
        "score": "f(w, t) = e_conv(w) . e_lt(t)",
        "document_recommendation_people": 34_000,
        # section 4.1: "the top 100 tags account for 33.9% of page tags, but only 13.1% of people tags"
        "top100_tag_share_pct": {"pages": 33.9, "people": 13.1},
        "optimizer": "stochastic gradient descent, parallel (Hogwild, Niu et al. 2011)",
    },
}

_KUMAR_MODELS = {"ANN (Baseline)": "ANN", "CNN": "CNN", "RNN": "RNN",
                 "RNN with Attention": "RNN+attention", "Transformer Network": "Transformer"}
_TAGSPACE_METHODS = {"Freq. baseline": "Frequency", "#words baseline": "#words",
                     "Word2Vec": "Word2vec", "#TAGSPACE": "#TagSpace",
                     "Production system (per-tag logistic regression)": "production system",
                     "WSABIE+ BoW": "WSABIE+BoW", "#TAGSPACE+ BoW": "#TagSpace+BoW"}


def raw(name: str) -> pd.DataFrame:
    """The CSV behind ``name`` exactly as transcribed (the paper's units and words)."""
    if name not in FILES:
        raise KeyError(f"unknown paper table {name!r}; valid names: {', '.join(TABLE_NAMES)}")
    return pd.read_csv(TABLES_DIR / FILES[name], keep_default_na=True)


def examples(name: str) -> pd.DataFrame:
    """The papers' example posts (:data:`EXAMPLE_FILES`) with the paper's answers:
    ``kumar_table4_tweets``: ``tweet, hashtag`` (expected) and ``recommended`` (the paper's top 5,
    from ``kumar_table4``); ``tagspace_table2``: ``post`` and ``predicted`` (the paper's top 10)."""
    if name not in EXAMPLE_FILES:
        raise KeyError(f"unknown paper examples {name!r}; valid names: {', '.join(EXAMPLE_FILES)}")
    frame = pd.read_csv(TABLES_DIR / EXAMPLE_FILES[name])
    if name == "kumar_table4_tweets":
        answers = table("kumar_table4").set_index("hashtag")["recommended"]
        return pd.DataFrame({"tweet": frame["cleaned_tweet"], "hashtag": frame["expected_hashtag"],
                             "recommended": [answers[h] for h in frame["expected_hashtag"]]})
    return pd.DataFrame({"post": frame["post"], "predicted": frame["top10_hashtags"].str.split(",")})


def table(name: str) -> pd.DataFrame:
    """A fresh copy of the published table ``name`` (one of :data:`TABLE_NAMES`), rates in percent."""
    frame = raw(name)
    if name == "kumar_table1":
        return frame
    if name == "kumar_table2":
        out = pd.DataFrame({"model": frame["model"].map(_KUMAR_MODELS).fillna(frame["model"]),
                            "accuracy": frame["accuracy_pct"].astype(float)})
        for column, ours in (("precision", "precision"), ("recall", "recall"), ("f1", "F1")):
            out[ours] = (frame[column].astype(float) * 100).round(6)
        return out.assign(label=frame["model"])
    if name == "kumar_table3":
        parts = []
        for setting, prefix in (("zero-shot", "zsl"), ("few-shot", "fsl")):
            part = frame[["split", "method"]].assign(setting=setting)
            for k in (1, 2, 5):
                part[f"hit@{k}"] = frame[f"{prefix}_hit{k}"].astype(float)
            parts.append(part)
        out = pd.concat(parts, ignore_index=True)
        return out[["setting", "split", "method", "hit@1", "hit@2", "hit@5"]]
    if name == "kumar_table4":
        return pd.DataFrame({"hashtag": frame["expected_hashtag"],
                             "recommended": frame["top5_hashtags"].str.split(",")})
    if name == "tagspace_table1":
        return frame.assign(top4_tags=frame["top4_tags"].str.split(","))
    # tagspace tables 3-5
    out = frame.rename(columns=lambda c: c.removesuffix("_pct"))
    out["method"] = frame["method"].map(_TAGSPACE_METHODS).fillna(frame["method"])
    out["dim"] = pd.array(frame["dim"], dtype="Int64")
    return out.assign(label=frame["method"])


def side_by_side(published: pd.DataFrame, ours: pd.DataFrame, on: str | Sequence[str] = "method",
                 metrics: str | Sequence[str] = ("P@1", "R@10"), dim: str = "dim",
                 ours_in_fractions: bool = False) -> pd.DataFrame:
    """The paper's numbers beside ours, one row per matched method, both in percent.

    Rows are matched on the key columns ``on`` (columns or index levels). When both frames
    have a ``dim`` column that is not a key, rows of one method are paired by equal dim;
    a method with no equal dim on both sides (the paper's word2vec is 256-d, ours 150-d)
    is paired with the nearest dim, so it is still compared; both dims are shown, as
    ``dim (paper)`` and ``dim (ours)``. Rows without a partner keep NaN on the other side.
    Paper rows come first in the paper's order, then rows only we have.

    ``ours_in_fractions=True`` multiplies our rate metrics (see :data:`RATES`) by 100.
    A metric missing from both tables, a missing key or a key repeated on one side
    (with no ``dim`` to tell the rows apart) raises an error naming it.
    """
    keys = [on] if isinstance(on, str) else list(on)
    wanted = [metrics] if isinstance(metrics, str) else list(metrics)
    if not keys or not wanted:
        raise ValueError("side_by_side needs at least one key column (on=) and one metric")
    paper_df = _keys_as_columns(published, keys, "paper")
    ours_df = _keys_as_columns(ours, keys, "ours")
    missing = [m for m in wanted if m not in paper_df.columns and m not in ours_df.columns]
    if missing:
        raise KeyError(f"metric(s) {missing} in neither table")
    ours_df = ours_df.copy()
    if ours_in_fractions:
        for m in wanted:
            if m in RATES and m in ours_df.columns:
                ours_df[m] = ours_df[m].astype(float) * 100
    by_dim = dim not in keys and dim in paper_df.columns and dim in ours_df.columns
    for label, frame in (("paper", paper_df), ("ours", ours_df)):
        subset = keys + ([dim] if by_dim else [])
        if frame.duplicated(subset=subset).any():
            dupes = frame.loc[frame.duplicated(subset=subset, keep=False), subset]
            raise ValueError(f"{label} table has repeated keys {subset}: "
                             f"{dupes.drop_duplicates().to_dict('records')}")

    def key_of(row):
        return tuple(_norm(row[k]) for k in keys)

    paper_rows = [r for _, r in paper_df.iterrows()]
    ours_rows = [r for _, r in ours_df.iterrows()]
    pairs = _pair(paper_rows, ours_rows, key_of, dim if by_dim else None)
    records = []
    for p, o in pairs:
        first = p if p is not None else o
        rec = {k: first[k] for k in keys}
        if by_dim:
            rec[f"{dim} (paper)"] = p[dim] if p is not None else pd.NA
            rec[f"{dim} (ours)"] = o[dim] if o is not None else pd.NA
        for m in wanted:
            for side, row in (("paper", p), ("ours", o)):
                value = row[m] if row is not None and m in row.index else math.nan
                rec[f"{m} ({side})"] = float(value) if pd.notna(value) else math.nan
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    if by_dim:
        for side in ("paper", "ours"):
            out[f"{dim} ({side})"] = pd.array(
                [None if pd.isna(v) else int(v) for v in out[f"{dim} ({side})"]], dtype="Int64")
    return out


def _pair(paper_rows, ours_rows, key_of, dim):
    """[(paper row or None, our row or None)] in paper order, then our unmatched rows."""
    ours_by_key: dict[tuple, list] = {}
    for row in ours_rows:
        ours_by_key.setdefault(key_of(row), []).append(row)
    paper_by_key: dict[tuple, list] = {}
    for row in paper_rows:
        paper_by_key.setdefault(key_of(row), []).append(row)
    partner: dict[int, object] = {}  # id(paper row) -> our row
    used: set[int] = set()
    for key, papers in paper_by_key.items():
        candidates = ours_by_key.get(key, [])
        if dim is None:
            if candidates:
                partner[id(papers[0])] = candidates[0]
                used.add(id(candidates[0]))
            continue
        exact = [(p, o) for p in papers for o in candidates if _norm(p[dim]) == _norm(o[dim])]
        if not exact:  # no shared dim: pair each of ours with the nearest remaining paper dim
            free = list(papers)
            for o in candidates:
                if not free:
                    break
                p = min(free, key=lambda r: _distance(r[dim], o[dim]))
                free.remove(p)
                exact.append((p, o))
        for p, o in exact:
            partner[id(p)] = o
            used.add(id(o))
    pairs = [(p, partner.get(id(p))) for p in paper_rows]
    pairs += [(None, o) for o in ours_rows if id(o) not in used]
    return pairs


def _distance(a, b) -> float:
    if pd.isna(a) or pd.isna(b):
        return 0.0 if pd.isna(a) and pd.isna(b) else math.inf
    return abs(float(a) - float(b))


def _norm(value):
    """Key values comparable across dtypes (1 == 1.0, NA == NaN == None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value.item() if hasattr(value, "item") else value


def _keys_as_columns(frame: pd.DataFrame, keys: list[str], label: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{label} table must be a pandas DataFrame, got {type(frame).__name__}")
    index_names = [n for n in frame.index.names if n is not None]
    if any(k in index_names and k not in frame.columns for k in keys):
        frame = frame.reset_index()
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise KeyError(f"key column(s) {missing} not in the {label} table (columns: {list(frame.columns)})")
    return frame
