"""Hashtags without a word vector: composed from segmented words vs their true vectors vs dropped.

Zero-shot protocol (Kumar et al., 2019, section 6) on the default corpus's 50-hashtag set:
random seen/unseen partitions of the hashtags (the project's ``make_partitions``); every
tweet of an unseen hashtag is a test tweet and ranks the unseen hashtags. The unseen
hashtags are treated as new: their own vectors are REMOVED and each gets
``hashtag_vector(kv, tag, mode="composed")`` (mean of its segmented words' vectors, never
its own), or nothing. Three candidate sets:

* ``true``: the unseen hashtags' own word2vec vectors (what the papers use);
* ``true, composable only``: own vectors, but only for the hashtags ``composed`` can serve
  (the same candidates as ``composed``: vector quality without the coverage loss);
* ``composed``: own vectors removed, composed vectors; hashtags with none are dropped;
* ``dropped``: own vectors removed, every hashtag without a vector dropped (today's
  behaviour: all unseen candidates go, so nothing can be hit).

A tweet whose true hashtag was dropped counts as a miss. Rankers: the word2vec-similarity
baseline and ConSE (``tagzsl.zsl``). ConSE's seen-hashtag probabilities come from a
scikit-learn ``LogisticRegression`` on mean word vectors of the seen training tweets (not
the paper's GRU: no deep training here, so the numbers are for comparing vector sources,
not for comparing with the paper's table). Also prints how many hashtags get a vector
each way (own / composed / none), as they are and with their own vectors removed.

    python benchmarks/hashtag_segmentation.py [--seed 2019] [--partitions 5]
"""
from __future__ import annotations

import argparse
import collections
import time

import numpy as np
import pandas as pd

from tagzsl import config, corpus, embeddings, metrics, zsl
from tagzsl import hashtag_vectors as hv

SPLITS = ((40, 10), (25, 25))
KS = (1, 2, 5)


def make_partitions(hashtags, n_seen, n_partitions, seed):
    """The project's zero-shot partitions (``experiments.zero_shot`` once it exists, else ``zsl``)."""
    try:
        from tagzsl.experiments import zero_shot as protocol
        return protocol.make_partitions(hashtags, n_seen, n_partitions=n_partitions, seed=seed)
    except (ImportError, AttributeError):
        return zsl.make_partitions(hashtags, n_seen, n_partitions=n_partitions, seed=seed)


def hit_pct(scores, labels, available=None, ks=KS) -> dict:
    """hit@k in percent; candidates with ``available`` False are dropped (their tweets miss)."""
    scores = np.array(scores, dtype="float64")
    labels = np.asarray(labels)
    available = np.ones(scores.shape[1], bool) if available is None else np.asarray(available, bool)
    if not available.any():
        return {f"hit@{k}": 0.0 for k in ks}
    scores[:, ~available] = -np.inf
    ranks = metrics.ranks_of(scores, labels).astype("float64")
    ranks[~available[labels]] = np.inf
    return {f"hit@{k}": 100.0 * float(np.mean(ranks <= k)) for k in ks}


def seen_probabilities(kv, frame, part, rows, seed):
    """ConSE's seen-hashtag probabilities for ``rows``: logistic regression on mean word vectors
    of the seen training tweets (columns in ``part.seen`` order)."""
    from sklearn.linear_model import LogisticRegression

    x = embeddings.unit_rows(embeddings.mean_word_vectors(kv, list(frame["tokens"])))
    tags = frame["hashtag"].to_numpy()
    clf = LogisticRegression(max_iter=1000, random_state=seed).fit(x[part.train], tags[part.train])
    order = [list(clf.classes_).index(t) for t in part.seen]
    return clf.predict_proba(x[rows])[:, order]


def coverage(kv, tag_sets: dict) -> pd.DataFrame:
    """How many hashtags of each set get a vector each way, as they are and own vectors removed."""
    rows = []
    for name, tags in tag_sets.items():
        for setting, mode in (("as they are", "auto"), ("own vectors removed", "composed")):
            how = collections.Counter(hv.hashtag_matrix(kv, tags, mode=mode)[1])
            rows.append({"hashtags": name, "vectors": setting, "n": len(tags),
                         **{k: how.get(k, 0) for k in hv.HOW}})
    return pd.DataFrame(rows)


def run(prepared, seed, n_partitions, splits=SPLITS) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = prepared.top.reset_index(drop=True)
    kv = prepared.vectors
    tokens = list(frame["tokens"])
    tags = frame["hashtag"].to_numpy()
    rows, held = [], []
    for n_seen, _ in splits:
        for part in make_partitions(tags, n_seen, n_partitions, seed):
            test = part.unseen_test
            labels = np.array([part.unseen.index(t) for t in tags[test]])
            true_v, _ = embeddings.hashtag_vectors(kv, part.unseen)
            comp_v, how = hv.hashtag_matrix(kv, part.unseen, mode="composed")
            composed = np.array([h == "composed" for h in how])
            held.append({"split": part.split, "partition": part.index, "held out": len(how),
                         "composed": int(composed.sum()), "none": int((~composed).sum()),
                         "test tweets with a composable true hashtag (%)":
                             100.0 * float(composed[labels].mean())})
            seen_v, _ = embeddings.hashtag_vectors(kv, part.seen)
            probs = seen_probabilities(kv, frame, part, test, part.seed)
            rankers = {"word2vec similarity": lambda c: zsl.word2vec_similarity(kv, [tokens[i] for i in test], c),
                       "ConSE": lambda c: zsl.conse(probs, seen_v, c)}
            for method, rank in rankers.items():
                for vectors, cand, avail in (("true", true_v, None), ("true, composable only", true_v, composed),
                                             ("composed", comp_v, composed),
                                             ("dropped", comp_v, np.zeros(len(how), bool))):
                    rows.append({"split": part.split, "partition": part.index, "method": method,
                                 "vectors": vectors, **hit_pct(rank(cand), labels, avail)})
    return pd.DataFrame(rows), pd.DataFrame(held)


def mean_sd_table(rows: pd.DataFrame, by, columns) -> pd.DataFrame:
    """``mean ± sd`` (ddof=1, ``metrics.mean_sd``) of each column over partitions, one decimal."""
    def fmt(values):
        m, s = metrics.mean_sd(values)
        return f"{m:.1f} ± {s:.1f}"
    return rows.groupby(list(by), sort=False)[list(columns)].agg(fmt)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--partitions", type=int, default=5, help="partitions per split")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    prepared = corpus.prepare(seed=args.seed)
    counts = collections.Counter(h for hs in prepared.clean["hashtags"] for h in hs)
    print(f"corpus: {len(prepared.raw):,} posts read, {len(prepared.clean):,} cleaned posts with a "
          f"hashtag, {len(counts):,} distinct hashtags; 50-hashtag set: {len(prepared.top):,} posts; "
          f"word2vec vocabulary {len(prepared.vectors.key_to_index):,}; seed {args.seed}\n")
    sets = {"50-hashtag set": prepared.hashtags,
            ">= 10 posts": sorted(h for h, n in counts.items() if n >= 10),
            "all hashtags": sorted(counts)}
    print("Hashtags that get a vector, by source (own / composed from segmented words / none):")
    print(coverage(prepared.vectors, sets).to_string(index=False), "\n")
    rows, held = run(prepared, args.seed, args.partitions)
    print(f"Held-out (unseen) hashtags with their own vectors removed, mean over {args.partitions} partitions:")
    print(held.groupby("split", sort=False).mean(numeric_only=True).drop(columns="partition")
          .round(1).to_string(), "\n")
    print(f"Zero-shot hit@k (%), mean ± sd over {args.partitions} partitions "
          "(ConSE on logistic-regression probabilities):")
    print(mean_sd_table(rows, ("split", "method", "vectors"), [f"hit@{k}" for k in KS]).to_string())
    mean = rows.groupby(["split", "method", "vectors"], sort=False)["hit@1"].mean().unstack("vectors")
    print("\nVerdict (hit@1, from the means above):")
    for (split, method), r in mean.iterrows():
        better = "better" if r["composed"] > r["dropped"] else "no better"
        print(f"  {split} {method}: composed {r['composed']:.1f} vs dropped {r['dropped']:.1f} ({better}); "
              f"{100 * r['composed'] / r['true']:.0f}% of the true vectors' {r['true']:.1f}, "
              f"{100 * r['composed'] / r['true, composable only']:.0f}% of the true vectors' "
              f"{r['true, composable only']:.1f} on the same (composable) candidates")
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
