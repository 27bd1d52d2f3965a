"""Hubness on the zero-shot protocol, and whether CSLS or centring removes it without losing hit@k.

Same protocol as ``benchmarks/hashtag_segmentation.py`` (whose helpers this imports): random
seen/unseen partitions of the 50-hashtag set; each unseen-hashtag tweet ranks the unseen
hashtags (their own word2vec vectors). Rankers: the word2vec-similarity baseline and ConSE
(``tagzsl.zsl``; seen-hashtag probabilities from a scikit-learn ``LogisticRegression`` on
mean word vectors, not the paper's GRU). Both score by a cosine between a tweet vector
(mean word vector, or ConSE's probability-weighted mix of seen-hashtag vectors) and each
candidate's vector.

Hubness of a score matrix: the skew of the k-occurrence N_2 (how many tweets have a
candidate in their top 2) and the largest share of tweets one candidate reaches in the
top 2 (``tagzsl.hashtag_vectors``). Corrections, neither looks at the test tweets together:

* ``CSLS``: ``hashtag_vectors.csls`` with the candidate penalty from the *seen* test tweets
  (tweets of other hashtags, no label used), k = ``--csls-k`` nearest tweets;
* ``centred``: tweet vectors centred on the seen test tweets' mean vector, candidate vectors
  on the candidate list's mean, both renormalised (``hashtag_vectors.centre``).

A correction is kept for a ranker only where none of hit@1/2/5 (mean over partitions) drops.

    python benchmarks/hubness.py [--seed 2019] [--partitions 5] [--csls-k 10]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from hashtag_segmentation import KS, SPLITS, hit_pct, make_partitions, mean_sd_table, seen_probabilities

from tagzsl import config, corpus, embeddings, zsl
from tagzsl import hashtag_vectors as hv

CORRECTIONS = ("none", "CSLS", "centred")


def conse_embedding(probs, seen_vectors):
    """ConSE's tweet vector: the probability-weighted mean of the seen hashtags' vectors (T = all)."""
    probs = np.asarray(probs, "float64")
    return (probs / np.maximum(probs.sum(1, keepdims=True), 1e-12)) @ np.asarray(seen_vectors, "float64")


def corrected(tweets, reference, candidates, csls_k):
    """Cosine score matrices of ``tweets`` x ``candidates``, uncorrected and with each correction."""
    unit_c = embeddings.unit_rows(candidates)
    raw = embeddings.unit_rows(tweets) @ unit_c.T
    return {"none": raw,
            "CSLS": hv.csls(raw, k=csls_k, reference=embeddings.unit_rows(reference) @ unit_c.T),
            "centred": hv.centre(tweets, mean=np.mean(reference, axis=0)) @ hv.centre(candidates).T}


def run(prepared, seed, n_partitions, csls_k, splits=SPLITS) -> pd.DataFrame:
    frame = prepared.top.reset_index(drop=True)
    kv = prepared.vectors
    tokens = list(frame["tokens"])
    tags = frame["hashtag"].to_numpy()
    means = embeddings.mean_word_vectors(kv, tokens)
    rows = []
    for n_seen, _ in splits:
        for part in make_partitions(tags, n_seen, n_partitions, seed):
            test, ref = part.unseen_test, part.seen_test
            labels = np.array([part.unseen.index(t) for t in tags[test]])
            cand, _ = embeddings.hashtag_vectors(kv, part.unseen)
            seen_v, _ = embeddings.hashtag_vectors(kv, part.seen)
            probs = seen_probabilities(kv, frame, part, np.concatenate([test, ref]), part.seed)
            conse_vecs = conse_embedding(probs, seen_v)
            tweet_vectors = {"word2vec similarity": (means[test], means[ref]),
                             "ConSE": (conse_vecs[:len(test)], conse_vecs[len(test):])}
            checks = {"word2vec similarity": zsl.word2vec_similarity(kv, [tokens[i] for i in test], cand),
                      "ConSE": zsl.conse(probs[:len(test)], seen_v, cand)}
            for method, (tweets, reference) in tweet_vectors.items():
                scores = corrected(tweets, reference, cand, csls_k)
                np.testing.assert_allclose(scores["none"], checks[method], atol=1e-4)  # same ranker as zsl
                for correction, s in scores.items():
                    rows.append({"split": part.split, "partition": part.index, "method": method,
                                 "correction": correction, "N2 skew": hv.hubness_skew(s, 2),
                                 "top hub's top-2 share (%)": 100 * hv.hub_share(s, 2),
                                 **hit_pct(s, labels)})
    return pd.DataFrame(rows)


def decisions(rows: pd.DataFrame) -> list[str]:
    """Keep a correction for a ranker only where no mean hit@k (k = 1, 2, 5) drops."""
    hit = [f"hit@{k}" for k in KS]
    mean = rows.groupby(["method", "correction"], sort=False)[hit + ["N2 skew"]].mean()
    out = []
    for method in dict.fromkeys(rows["method"]):
        before = mean.loc[(method, "none")]
        kept = ["none"]
        for correction in CORRECTIONS[1:]:
            after = mean.loc[(method, correction)]
            change = after[hit] - before[hit]
            verdict = "KEEP" if (change >= 0).all() else "drop"
            kept += [correction] if verdict == "KEEP" else []
            out.append(f"  {method}, {correction}: {verdict} (hit@1/2/5 change "
                       + " / ".join(f"{c:+.1f}" for c in change)
                       + f" points; N2 skew {before['N2 skew']:.2f} -> {after['N2 skew']:.2f})")
        best = max(kept, key=lambda c: (mean.loc[(method, c), "hit@1"], c == "none"))
        out.append(f"  {method}: use {best} (highest mean hit@1 of those kept)")
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--partitions", type=int, default=5, help="partitions per split")
    parser.add_argument("--csls-k", type=int, default=10, help="CSLS neighbourhood size")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    prepared = corpus.prepare(seed=args.seed)
    print(f"corpus: {len(prepared.raw):,} posts read, {len(prepared.clean):,} cleaned posts with a "
          f"hashtag; 50-hashtag set: {len(prepared.top):,} posts; seed {args.seed}, "
          f"{args.partitions} partitions per split, CSLS k = {args.csls_k}\n")
    rows = run(prepared, args.seed, args.partitions, args.csls_k)
    columns = ["N2 skew", "top hub's top-2 share (%)"] + [f"hit@{k}" for k in KS]
    print("Hubness and zero-shot hit@k (%), mean ± sd over partitions:")
    print(mean_sd_table(rows, ("split", "method", "correction"), columns).to_string())
    print("\nPooled over splits: keep a correction only where no hit@k drops")
    for line in decisions(rows):
        print(line)
    print("\nPer split:")
    for split, part in rows.groupby("split", sort=False):
        print(f" {split}")
        for line in decisions(part):
            print(" " + line)
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
