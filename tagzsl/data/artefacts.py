"""Collection artefacts: hashtags a source used to collect or tag its own posts are not labels.

A source that was collected by a hashtag (``#pfizerbiontech``) or that tags every post of a
file with the same hashtag (one #HashtagWars game per file) makes that hashtag predictable
from the source alone. Such a hashtag is excluded *within that source* (the same hashtag in
another source's posts stays a label). Two kinds:

* documented: stated by the source (its README, its metadata; ``Source.collection_hashtags``);
* found from data: a hashtag carried by at least ``SHARE`` % of the posts of one collection
  unit (a file; a TweetEval task) with at least ``MIN_UNIT_POSTS`` posts, counted on the raw
  text before any cleaning.
"""
from __future__ import annotations

import pandas as pd

from tagzsl import preprocess
from tagzsl.data.sources import SOURCES

#: a hashtag on at least this share (percent) of one collection unit's posts is an artefact
SHARE = 5.0
#: units smaller than this are too small for the share rule
MIN_UNIT_POSTS = 100


def unit_shares(raw: pd.DataFrame) -> pd.DataFrame:
    """Per source, unit and hashtag: posts carrying it, posts in the unit and the share (%)."""
    tags = raw["text"].fillna("").astype(str).map(preprocess.extract_hashtags)
    sizes = raw.groupby(["source", "unit"]).size().rename("unit posts")
    exploded = raw[["source", "unit"]].assign(hashtag=tags).explode("hashtag").dropna(subset=["hashtag"])
    counts = exploded.groupby(["source", "unit", "hashtag"]).size().rename("posts").reset_index()
    counts = counts.join(sizes, on=["source", "unit"])
    counts["share (%)"] = (100 * counts["posts"] / counts["unit posts"]).round(1)
    return counts.sort_values(["share (%)", "posts"], ascending=False, ignore_index=True)


def found_from_data(raw: pd.DataFrame, share: float = SHARE, min_unit_posts: int = MIN_UNIT_POSTS) -> pd.DataFrame:
    """Hashtags on at least ``share`` % of a unit's posts (units with ``>= min_unit_posts`` posts)."""
    shares = unit_shares(raw)
    return shares[(shares["share (%)"] >= share) & (shares["unit posts"] >= min_unit_posts)].reset_index(drop=True)


def collection_hashtags(raw: pd.DataFrame, share: float = SHARE,
                        min_unit_posts: int = MIN_UNIT_POSTS) -> tuple[dict[str, frozenset], pd.DataFrame]:
    """Hashtags excluded per source, and a table of every exclusion that matters and why.

    Returns ``({source: hashtags}, table)``; the table has one row per (source, hashtag) that
    occurs in the source's posts, with columns ``source, hashtag, posts, why`` (``documented``,
    ``found from data (max share x% of <unit>)`` or both). Documented hashtags that never
    occur in the posts are excluded too but not listed.
    """
    found = found_from_data(raw, share, min_unit_posts)
    present = unit_shares(raw).groupby(["source", "hashtag"])["posts"].sum()
    excluded, rows = {}, []
    for name in dict.fromkeys(raw["source"]):
        documented = SOURCES[name].documented_hashtags() if name in SOURCES else frozenset()
        mine = found[found["source"] == name]
        best = mine.drop_duplicates("hashtag").set_index("hashtag")  # sorted: the largest share first
        tags = set(documented) | set(best.index)
        excluded[name] = frozenset(tags)
        for tag in sorted(tags):
            if (name, tag) not in present.index:
                continue
            why = []
            if tag in documented:
                why.append("documented by the source")
            if tag in best.index:
                row = best.loc[tag]
                why.append(f"found from data: {row['share (%)']:.1f}% of {row['unit']} ({int(row['unit posts'])} posts)")
            rows.append((name, tag, int(present[(name, tag)]), "; ".join(why)))
    table = pd.DataFrame(rows, columns=["source", "hashtag", "posts", "why"])
    table = table.sort_values(["source", "posts"], ascending=[True, False], ignore_index=True)
    return excluded, table
