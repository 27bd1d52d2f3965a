"""Zero-shot out of domain (leave one source out) beside in domain: hubness, corrections, vectors.

Issue 23. Two protocols on the default corpus's 50-hashtag set:

* in domain: notebook 03's random 40/10 seen/unseen partitions (``--in-domain`` of them);
* out of domain: :mod:`tagzsl.experiments.zero_shot_ood`, one partition per held-out source
  with >= 5 hashtags of >= 10 tweets there (up to 10 unseen hashtags drawn among those):
  models learn on the six other sources, the held-out source's tweets rank the unseen hashtags.

Rankers (:mod:`tagzsl.experiments.zero_shot_ood_methods`, lesson-sized: mean-word-vector
tweet features, no GRU): word2vec similarity (plain; centred as notebook 03's baseline),
ConSE on a logistic regression, ESZSL, DEM; random as chance. Each ranker's test scores
get every hubness correction (:mod:`tagzsl.hubness`: centre, CSLS, normalise) and the one
chosen on a validation split of the seen hashtags ("chosen"). Hubness: the top hub's
share of the top 1 and the N2 skew, per method and protocol.

Vectors for new hashtags (the unseen hashtags' own vectors removed), word2vec similarity and
ConSE: word2vec composed from segmented words (today; a hashtag without one is dropped and
its tweets miss), fastText trained as the skip-gram with the 50 label hashtags held out
(subword n-grams; composed from its words; both combined), and word2vec's own vectors as
the reference the papers use.

Intervals: over several partitions mean ± t(0.975, n - 1) SE (partitions); on one, Wilson's 95%.
The protocols, runs, tables and verdicts are :mod:`tagzsl.experiments.zero_shot_ood_report`'s,
shared with notebook 03's out-of-domain section; this script adds the vector comparison and --gru.

    nice -n 19 python benchmarks/zero_shot_ood.py [--seed 2019] [--sources crisislex ...]
        [--in-domain 2] [--no-vectors]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy import stats

from tagzsl import config, corpus, embeddings, zsl
from tagzsl import hashtag_vectors as hv
from tagzsl.experiments import zero_shot_ood as ood
from tagzsl.experiments import zero_shot_ood_methods as methods
from tagzsl.experiments import zero_shot_ood_report as report
from tagzsl.experiments.zero_shot_ood_report import fmt, mean_interval

def vector_rows(frame, kv, ft, protocol, part) -> list[dict]:
    """word2vec similarity and ConSE hit@1 with each source of vectors for the unseen hashtags."""
    tags = frame["hashtag"].to_numpy()
    test, unseen = part.unseen_test, list(part.unseen)
    labels = np.array([unseen.index(t) for t in tags[test]])
    choices = {"word2vec own (reference)": (kv, "own", "own"), "word2vec composed (today)": (kv, "own", "composed"),
               "fastText subword": (ft, "subword", "subword"), "fastText composed": (ft, "subword", "composed"),
               "fastText combined": (ft, "subword", "combined")}
    out, feats_of = [], {}
    for name, (space, seen_mode, mode) in choices.items():
        seen_v, _ = hv.hashtag_matrix(space, part.seen, seen_mode)
        cand, how = hv.hashtag_matrix(space, unseen, mode)
        available = np.array([h != "missing" for h in how])
        if id(space) not in feats_of:
            feats_of[id(space)] = embeddings.unit_rows(embeddings.mean_word_vectors(space, list(frame["tokens"])))
        feats = feats_of[id(space)]
        y = np.array([list(part.seen).index(t) for t in tags[part.train]])
        fitted = methods.Rankers(feats, y, seen_v, part.train, part.seed, methods.SETTINGS, trained=False)
        for method in ("word2vec similarity", "ConSE"):
            scores = np.array(fitted.scores(method, test, cand), dtype="float64")
            scores[:, ~available] = -np.inf
            ranks = zsl.metrics.ranks_of(scores, labels).astype("float64")
            ranks[~available[labels]] = np.inf
            out.append({"protocol": protocol, "partition": part.split, "method": method, "vectors": name,
                        "hit@1": 100 * float(np.mean(ranks == 1)), "ranks": ranks,
                        "candidates with a vector": int(available.sum()), "n_unseen": len(unseen)})
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--sources", nargs="*", default=None, help="held-out sources (default every one that qualifies)")
    parser.add_argument("--in-domain", type=int, default=2, help="in-domain 40/10 partitions (0: none)")
    parser.add_argument("--no-vectors", action="store_true", help="skip the vector comparison (fastText)")
    parser.add_argument("--only-vectors", action="store_true", help="only the vector comparison")
    parser.add_argument("--gru", nargs="*", default=None, metavar="SOURCE",
                        help="also notebook 03's methods (GRU, lesson settings) held out on these sources")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    from tagzsl.data.tweeteval import ChecksumError, CorpusUnavailableError

    try:
        prepared = corpus.prepare(seed=args.seed)
    except (CorpusUnavailableError, ChecksumError, OSError) as err:
        raise SystemExit(f"zero_shot_ood: the corpus is not available: {err}") from None
    frame = prepared.top.reset_index(drop=True)
    kv = prepared.vectors
    tags = frame["hashtag"].to_numpy()
    try:
        protocols = report.make_protocols(frame, args.seed, sources=args.sources, n_in_domain=args.in_domain)
    except ValueError as err:
        raise SystemExit(f"zero_shot_ood: {err}") from None
    print(f"corpus: {len(frame):,} tweets of {frame['hashtag'].nunique()} hashtags from "
          f"{frame['source'].nunique()} sources; seed {args.seed}; rankers on mean word vectors (no GRU)")
    print("\nOut-of-domain partitions (train: other sources' seen-hashtag tweets; test: the source's unseen-hashtag tweets):")
    print("\n".join(report.describe(protocols)))
    vrows = []
    ft = None
    if not args.no_vectors:
        ft = methods.subword_vectors(prepared, sorted(set(tags)), seed=args.seed)
    also = (lambda protocol, p: vrows.extend(vector_rows(frame, kv, ft, protocol, p))) if ft is not None else None
    rows = report.run(frame, kv, protocols, rankers=not args.only_vectors, also=also,
                      log=lambda line: print(line, flush=True))
    pd.set_option("display.width", 250)
    if args.gru:
        print_gru(frame, kv, [p for p in protocols.out_of_domain if p.source in set(args.gru)])
    if len(rows):
        print_methods(rows)
    if vrows:
        print_vectors(pd.DataFrame(vrows))
    print(f"\n{time.perf_counter() - start:.0f} s")


def print_gru(frame, kv, parts):
    """Notebook 03's methods (``zero_shot.run_partition``, LESSON settings: GRU features) on
    leave-one-source-out partitions, zero-shot rows with Wilson intervals; no correction."""
    from tagzsl.experiments import zero_shot as zs
    from tagzsl.zsl_training import build_encoder_inputs

    vectorizer, matrix = build_encoder_inputs(frame["text"], kv, zs.LESSON.sequence_length)
    for p in parts:
        t0 = time.perf_counter()
        res = zs.run_partition(frame, kv, p, vectorizer, matrix, zs.LESSON)
        print(f"\nNotebook 03's methods (lesson settings, GRU) without {p.source}, zero-shot "
              f"({time.perf_counter() - t0:.0f} s), hit@1 [Wilson 95%], chance {100 / len(p.unseen):.1f}:")
        for r in res.rows:
            if r["setting"] == "zero-shot":
                hits = np.zeros(r["n_test"])
                hits[:int(round(r["hit@1"] * r["n_test"] / 100))] = 1
                print(f"  {r['method']:30s} {fmt(*ood.interval(hits))}   hit@2 {r['hit@2']:5.1f}   hit@5 {r['hit@5']:5.1f}")


def print_methods(rows: pd.DataFrame):
    """The rankers x corrections table, the corrections chosen, per-source hit@1, goals and verdicts."""
    print("\nhit@k (%) mean [95% interval], hubness (top hub's share of the top 1, N2 skew), chance = 100 / candidates:")
    print(report.summary(rows).to_string())
    print("\nCorrections chosen on the validation split of the seen hashtags (per partition):")
    for (protocol, method), g in rows[rows["correction"] == "chosen"].groupby(["protocol", "method"], sort=False):
        print(f"  {protocol:13s} {method:20s} " + ", ".join(
            f"{s}: {c}" for s, c in zip(g["split"] + " " + g["partition"].astype(str), g["choice"])))
    print("\nOut-of-domain hit@1 per held-out source (none -> chosen):")
    print(report.per_source(rows).to_string())
    for protocol in dict.fromkeys(rows["protocol"]):
        print(f"\nGoals (issue 23), {protocol}:")
        print("\n".join(report.goals(rows, protocol)))
    print("\nVerdicts (against random's interval; in vs out of domain):")
    print("\n".join(report.verdicts(rows)))


def print_vectors(v: pd.DataFrame):
    """hit@1 per vector choice and the winner among the choices for new hashtags, paired over partitions."""
    print("\nVectors for new hashtags (own vectors removed), hit@1 (%) mean [95% interval]:")
    table = {(p, m, n): fmt(*mean_interval(g["hit@1"], g["ranks"])) + f"  ({g['candidates with a vector'].mean():.1f}"
             f"/{g['n_unseen'].mean():.1f} candidates)"
             for (p, m, n), g in v.groupby(["protocol", "method", "vectors"], sort=False)}
    print(pd.Series(table).rename_axis(["protocol", "method", "vectors"]).to_frame("hit@1").to_string())
    new = v[v["vectors"] != "word2vec own (reference)"]
    for (protocol, method), g in new.groupby(["protocol", "method"], sort=False):
        means = g.groupby("vectors", sort=False)["hit@1"].mean().sort_values(ascending=False)
        win, second = means.index[0], means.index[1]
        diff = (g[g["vectors"] == win]["hit@1"].to_numpy() - g[g["vectors"] == second]["hit@1"].to_numpy())
        se = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else float("nan")
        if len(diff) == 1:   # one partition: paired over its test tweets
            per_tweet = 100.0 * ((g[g["vectors"] == win]["ranks"].iloc[0] == 1).astype(float)
                                 - (g[g["vectors"] == second]["ranks"].iloc[0] == 1))
            se = per_tweet.std(ddof=1) / np.sqrt(len(per_tweet))
        q = stats.t.ppf(0.975, len(diff) - 1) if len(diff) > 1 else 1.96   # one partition: over its tweets
        judged = ("tied" if not np.isfinite(se) or abs(diff.mean()) <= q * se else "wins")
        print(f"  {protocol:13s} {method:20s} best new-hashtag vectors: {win} {means.iloc[0]:.1f}, "
              f"{diff.mean():+.1f} points over {second} (± {q * se:.1f}, {len(diff)} partition(s): {judged})")


if __name__ == "__main__":
    main()
