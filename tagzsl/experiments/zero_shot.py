"""Notebook 03's protocol: Kumar et al. (2019), section 7.3 and Table 3 (zero- and few-shot).

The methods (ConSE, ESZSL, DEM and the baselines) are in :mod:`tagzsl.zsl`; this module is
the experiment around them:

* :func:`make_partitions`: random seen/unseen partitions of the 50 hashtags (40/10, 30/20,
  25/25 in :data:`SPLITS`; scaled to another label set's size by :func:`scaled_splits`, e.g.
  10/2, 7/5, 6/6 of one's own 12 hashtags), each with a seen-only training set, a seen test slice (the
  generalised setting) and 5-10 few-shot tweets per unseen hashtag; :func:`check_no_leak`
  (both in :mod:`.zero_shot_partitions`).
* :func:`run_partition`: every method on one partition, with three baselines (random, the
  few-shot :func:`source_only_scores`, word2vec similarity, also centred against hubness);
  :func:`run`: every split x partition. Training helpers: :mod:`tagzsl.zsl_training`.
* :mod:`tagzsl.experiments.zero_shot_report` (its names importable from here): mean ± sd
  tables, Table 3 beside the paper and in its layout, Table 4 and the paper's tweets through
  our methods, the verdicts with their uncertainty; :func:`cuts`: what a mode cuts;
  :func:`paper_tweet_inputs`: the paper's Table 4 tweets, cleaned, and its candidates.
* :class:`Settings` with :data:`FULL`, :data:`LESSON`, :data:`QUICK`.

Every rate (hit@k, the generalised seen/unseen/H, the GRU's accuracy) is in percent, as the
paper prints Table 3.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import keras
import numpy as np

from tagzsl import config, display, embeddings, metrics, models
from tagzsl.experiments.zero_shot_partitions import (N_PARTITIONS, PAPER_LABELS, Partition, check_no_leak,  # noqa: F401
                                                    make_partitions, scaled_splits)
from tagzsl.experiments.zero_shot_report import (METHODS, beside_paper, summarise, table3_layout, table4,  # noqa: F401
                                                 verdict)
from tagzsl.hashtag_vectors import centre
from tagzsl.zsl_training import TrainingSettings, build_encoder_inputs, softmax_head, train_dem, train_gru
from tagzsl.zsl import ESZSL, ESZSL_GRID, conse, random_scores, select_eszsl, word2vec_similarity, word_space_encoder

SPLITS = ((40, 10), (30, 20), (25, 25))
KS = (1, 2, 5)


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class Settings(TrainingSettings):
    """One zero-shot run: the methods' training (:class:`tagzsl.zsl_training.TrainingSettings`)
    plus the protocol's splits, partitions and example tweets."""

    splits: tuple = SPLITS
    n_partitions: int = N_PARTITIONS   # random partitions per split (the paper does not say)
    n_examples: int = 8            # Table 4 style example tweets
    # out of domain (zero_shot_ood_report; mean-word-vector rankers, no GRU): held-out sources
    # (None: every eligible one, else the largest), in-domain 40/10 partitions beside them, DEM epochs
    ood_sources: int | None = None
    ood_in_domain: int = 2
    ood_dem_epochs: int = 5


#: The full protocol: three splits x five partitions (about 26 min on the shared 2-core CPU);
#: out of domain: every eligible held-out source beside 2 in-domain partitions.
FULL = Settings()

#: Notebook 03 in under five minutes on the 2-core CPU. What is cut: one partition per split
#: instead of five (so no spread: sd is 0), a GRU of 64 + 64 units instead of 128 + 128, at
#: most 4 GRU epochs and 2 DEM epochs, a 5 x 5 ESZSL grid instead of 7 x 7. The three splits
#: stay, so the hit@k-against-unseen curve and the verdict keep their shape. Out of domain: one
#: held-out source (the largest eligible) beside one in-domain partition.
LESSON = dataclasses.replace(FULL, units=64, features=64, epochs=4, dem_epochs=2,
                             eszsl_grid=tuple(10.0 ** p for p in range(-1, 4)), n_partitions=1,
                             ood_sources=1, ood_in_domain=1)

#: A smoke test (CI): the corpus's quick subset, tiny GRU, one epoch, a 2 x 2 ESZSL grid; out of
#: domain one source and one in-domain partition, DEM one epoch.
QUICK = dataclasses.replace(FULL, units=16, features=16, epochs=1, dem_epochs=1,
                            eszsl_grid=(1.0, 100.0), n_partitions=1, n_examples=4,
                            ood_sources=1, ood_in_domain=1, ood_dem_epochs=1)


# --------------------------------------------------------------------------- scores
def hits(scores, labels, ks=KS) -> dict:
    """``{"hit@k": percent of tweets whose true hashtag is in the top k}`` for each k."""
    ranks = metrics.ranks_of(scores, labels)
    return {f"hit@{k}": 100.0 * float(np.mean(ranks <= k)) for k in ks}


def generalised(scores, labels, is_seen) -> dict:
    """Generalised zero-shot: hit@1 (percent) on seen- and unseen-hashtag tweets, and their harmonic mean H."""
    top = np.asarray(scores).argmax(axis=1) == np.asarray(labels)
    is_seen = np.asarray(is_seen, bool)
    s, u = 100.0 * float(top[is_seen].mean()), 100.0 * float(top[~is_seen].mean())
    return {"seen": s, "unseen": u, "H": 0.0 if s + u == 0 else 2 * s * u / (s + u)}


def source_only_scores(train_sources, train_labels, test_sources, n_candidates: int) -> np.ndarray:
    """The source-only baseline as a ranking: the candidates ranked by how many training
    tweets from the test tweet's source carry each (``train_labels`` index the candidates).

    A source with no training tweet falls back to the counts over all training tweets; ties
    go to the lower index (candidates are sorted, so the top 1 is
    :func:`tagzsl.experiments.dataset.source_only_baseline`'s label). In the protocol it is a
    **few-shot** row only, from the few-shot tweets' source -> unseen-hashtag counts: zero-shot
    has no training tweet of an unseen hashtag, so there is nothing to count (counting
    hashtags by source in the word2vec corpus would leak the test tweets).
    """
    labels = np.asarray(train_labels, int)
    overall = np.bincount(labels, minlength=n_candidates).astype("float64")
    by_source = {}
    for source, label in zip(train_sources, labels):
        by_source.setdefault(source, np.zeros(n_candidates))[label] += 1
    tie = (n_candidates - np.arange(n_candidates)) / (n_candidates + 1)   # in (0, 1): never beats a count
    return np.stack([by_source.get(s, overall) for s in test_sources]).reshape(-1, n_candidates) + tie


# --------------------------------------------------------------------------- examples
def examples(frame, test, candidates, scores, n, seed: int = config.DEFAULT_SEED):
    """``n`` random test tweets that pass the profanity word list
    (:func:`tagzsl.display.safe_examples`), their true hashtag and the top 5 ``candidates``."""
    import pandas as pd

    top5 = np.argsort(-np.asarray(scores), axis=1)[:, :5]
    true = frame["hashtag"].to_numpy()[test]
    table = pd.DataFrame({"tweet": frame["text"].to_numpy()[test], "true hashtag": "#" + true.astype(object),
                          "top 5": [" ".join("#" + candidates[j] for j in r) for r in top5],
                          "in top 5": [t in {candidates[j] for j in r} for t, r in zip(true, top5)]})
    return display.safe_examples(table, ("tweet", "true hashtag", "top 5"), n, seed).reset_index(drop=True)


# --------------------------------------------------------------------------- one partition
@dataclass
class PartitionResult:
    """Everything one partition produced: flat hit@k rows, generalised rows, examples, timings."""

    rows: list
    generalised: list
    examples: object = None
    timings: dict = field(default_factory=dict)
    eszsl_params: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)      # method -> scores of the extra tweets (zero-shot)


def run_partition(frame, kv, partition: Partition, vectorizer, embedding_matrix,
                  settings: Settings = FULL, n_examples: int = 0, extra=None) -> PartitionResult:
    """Every method on one partition: zero-shot, few-shot and generalised.

    ``frame`` has one row per tweet with ``hashtag``, ``tokens``, ``text`` (and ``source`` for
    the few-shot :func:`source_only_scores` row). The GRU is trained on ``partition.train``
    only (seen hashtags; asserted), its features and probabilities feed ConSE and ESZSL, and
    its encoder (same weights) is then trained end to end inside DEM. Few-shot: ESZSL is
    refitted and a softmax head over seen+unseen hashtags (logistic regression on the frozen
    features) replaces the GRU's for ConSE; DEM continues training for ``few_shot_epochs`` on
    train + few-shot tweets. DEM is trained twice from copies of the GRU: in the paper's
    direction (hashtag -> tweet-encoding space) and in the word-vector space
    (:func:`tagzsl.zsl.word_space_encoder`). "word2vec similarity (centred)" is the baseline
    against hubness: tweet vectors centred on the seen training tweets' mean, candidate
    vectors on the candidates' mean, both renormalised (``hashtag_vectors.centre``).
    Each Keras model predicts once, on every tweet (fixed shapes: no retracing). ``extra``
    (``(cleaned texts, token lists, candidate vectors)``, e.g. :func:`paper_tweet_inputs`) are
    scored zero-shot by every method against those candidates (``PartitionResult.extra``).
    """
    hashtags = frame["hashtag"].to_numpy()
    check_no_leak(partition, hashtags)
    seen, unseen = list(partition.seen), list(partition.unseen)
    all_tags = seen + unseen
    tag_index = {t: i for i, t in enumerate(all_tags)}
    vectors, missing = embeddings.hashtag_vectors(kv, all_tags)
    if missing:
        raise ValueError(f"hashtags without a word vector: {missing}")
    y = np.array([tag_index[t] for t in hashtags])          # index into all_tags
    ids = models.vectorize(vectorizer, frame["text"])
    tokens = list(frame["tokens"])
    seen_v, unseen_v = vectors[:len(seen)], vectors[len(seen):]
    n_seen, pseed = len(seen), partition.seed
    tr, te_u, te_s = partition.train, partition.unseen_test, partition.seen_test
    few, te_f = partition.few_shot, partition.few_shot_test
    assert set(y[tr]) <= set(range(n_seen)), "unseen hashtag in the seen-only training set"
    rows, gen, timings = [], [], {}
    g_test = np.concatenate([te_s, te_u])
    g_seen = np.isin(g_test, te_s)
    tests = {"zero-shot": te_u, "few-shot": te_f}

    def add(setting, method, scores, test=None):
        test = tests[setting] if test is None else test
        rows.append({"split": partition.split, "partition": partition.index, "setting": setting,
                     "method": method, "n_test": len(test), **hits(scores, y[test] - n_seen)})

    def add_gen(method, scores):
        gen.append({"split": partition.split, "partition": partition.index, "method": method,
                    **generalised(scores, y[g_test], g_seen)})

    # baselines (no training on the text)
    means = embeddings.mean_word_vectors(kv, tokens)
    reference = means[tr].mean(axis=0)
    for setting, test in tests.items():
        add(setting, "random", random_scores(len(test), len(unseen), pseed))
        add(setting, "word2vec similarity", word2vec_similarity(kv, [tokens[i] for i in test], unseen_v))
        add(setting, "word2vec similarity (centred)", centre(means[test], reference) @ centre(unseen_v).T)
    if "source" in frame and frame["source"].nunique() >= 2:
        sources = frame["source"].to_numpy()
        add("few-shot", "source only", source_only_scores(sources[few], y[few] - n_seen, sources[te_f], len(unseen)))
    add_gen("random", random_scores(len(g_test), len(all_tags), pseed))
    add_gen("word2vec similarity", word2vec_similarity(kv, [tokens[i] for i in g_test], vectors))
    add_gen("word2vec similarity (centred)", centre(means[g_test], reference) @ centre(vectors).T)
    extra_scores = {}
    if extra is not None:
        e_texts, e_tokens, e_vectors = extra
        e_ids = models.vectorize(vectorizer, list(e_texts))
        extra_scores["word2vec similarity"] = word2vec_similarity(kv, e_tokens, e_vectors)
        extra_scores["word2vec similarity (centred)"] = (centre(embeddings.mean_word_vectors(kv, e_tokens), reference)
                                                         @ centre(e_vectors).T)

    # GRU on seen hashtags only
    start = time.perf_counter()
    gru = train_gru(ids[tr], y[tr], n_seen, embedding_matrix, settings, seed=pseed)
    timings["gru"] = time.perf_counter() - start
    feats = np.asarray(models.feature_extractor(gru).predict(ids, batch_size=256, verbose=0))
    probs = np.asarray(gru.predict(ids, batch_size=256, verbose=0))
    timings["gru_seen_test_accuracy"] = 100.0 * float(np.mean(probs[te_s].argmax(1) == y[te_s]))

    # ConSE (T = number of seen hashtags)
    add("zero-shot", "ConSE", conse(probs[te_u], seen_v, unseen_v))
    add_gen("ConSE", conse(probs[g_test], seen_v, vectors))
    if extra is not None:
        extra_scores["ConSE"] = conse(np.asarray(gru.predict(e_ids, verbose=0)), seen_v, e_vectors)
    start = time.perf_counter()
    tr_f = np.concatenate([tr, few])
    probs_f = softmax_head(feats[tr_f], y[tr_f], len(all_tags), seed=pseed).predict(
        feats[te_f], batch_size=512, verbose=0)
    add("few-shot", "ConSE", conse(probs_f, vectors, unseen_v))
    timings["conse_few"] = time.perf_counter() - start

    # ESZSL: (gamma, lambda) by validation on held-out seen classes
    start = time.perf_counter()
    params, _ = select_eszsl(feats[tr], y[tr], seen_v, grid=settings.eszsl_grid, seed=pseed)
    eszsl = ESZSL(**params).fit(feats[tr], y[tr], seen_v)
    add("zero-shot", "ESZSL", eszsl.scores(feats[te_u], unseen_v))
    add_gen("ESZSL", eszsl.scores(feats[g_test], vectors))
    if extra is not None:
        e_feats = np.asarray(models.feature_extractor(gru).predict(e_ids, verbose=0))
        extra_scores["ESZSL"] = eszsl.scores(e_feats, e_vectors)
    add("few-shot", "ESZSL", ESZSL(**params).fit(feats[tr_f], y[tr_f], vectors).scores(feats[te_f], unseen_v))
    timings["eszsl"] = time.perf_counter() - start

    # DEM (two directions), each from a fresh copy of the seen-only GRU, trained end to end;
    # scored once on every tweet against all candidates, then sliced (same ranking per row)
    example_table = None
    for method in ("DEM", "DEM (word space)"):
        start = time.perf_counter()
        copy = keras.models.clone_model(gru)
        copy.set_weights(gru.get_weights())
        tweet_branch = models.feature_extractor(copy)
        if method == "DEM":
            dem_kw = {"activation": settings.dem_activation}
        else:
            tweet_branch = word_space_encoder(tweet_branch, embedding_matrix)
            dem_kw = {"hashtag_branch": keras.layers.UnitNormalization(name="unit_hashtag")}
        dem = train_dem(tweet_branch, ids[tr], vectors[y[tr]], settings, seed=pseed, labels=y[tr], **dem_kw)
        timings[method] = time.perf_counter() - start
        scores = dem.scores(ids, vectors)
        add("zero-shot", method, scores[te_u, n_seen:])
        add_gen(method, scores[g_test])
        if extra is not None:
            extra_scores[method] = dem.scores(e_ids, e_vectors)
        if n_examples and method == "DEM (word space)":
            example_table = examples(frame, te_u, unseen, scores[te_u, n_seen:], n_examples, pseed)
        start = time.perf_counter()
        dem = train_dem(tweet_branch, ids[tr_f], vectors[y[tr_f]], settings,
                        epochs=settings.few_shot_epochs, dem=dem, seed=pseed, labels=y[tr_f])
        add("few-shot", method, dem.scores(ids, unseen_v)[te_f])
        timings[method + " few-shot"] = time.perf_counter() - start
    return PartitionResult(rows, gen, example_table, timings, params, extra_scores)


def paper_tweet_inputs(kv):
    """Kumar et al.'s Table 4 tweets cleaned by our pipeline, and the candidates to rank them
    among: every hashtag of that table (expected and recommended) that has a word vector.
    Returns ``(texts, token lists, candidates, candidate vectors, hashtags without a vector)``."""
    from tagzsl import paper, preprocess

    theirs = paper.examples("kumar_table4_tweets")
    tokens = [list(preprocess.clean_text(t)) for t in theirs["tweet"]]
    tags = list(dict.fromkeys(list(theirs["hashtag"]) + [t.strip() for r in theirs["recommended"] for t in r]))
    have = [t for t in tags if t in kv.key_to_index]
    vectors, _ = embeddings.hashtag_vectors(kv, have)
    return [" ".join(t) for t in tokens], tokens, have, vectors, [t for t in tags if t not in have]


# --------------------------------------------------------------------------- the run
def run(frame, kv, settings: Settings = FULL, seed: int = config.DEFAULT_SEED, log=print) -> dict:
    """Every split x partition of ``settings`` with :func:`run_partition`; the tidy results.

    ``{"rows": DataFrame (one row per split, partition, setting, method with hit@k in %),
    "generalised": DataFrame, "examples": DataFrame (first partition of the first split),
    "timings": DataFrame, "eszsl": DataFrame of chosen (gamma, lambda), "paper_tweets":
    {"scores": {method: scores}, "candidates": [...], "missing": [...]}}``: the paper's Table 4
    tweets (:func:`paper_tweet_inputs`) scored by the first partition's zero-shot models.
    """
    import pandas as pd

    splits = scaled_splits(settings.splits, frame["hashtag"].nunique())
    for line in scale_notes(frame, settings, splits, seed):
        log(line)
    vectorizer, matrix = build_encoder_inputs(frame["text"], kv, settings.sequence_length)
    rows, gen, times, params, example_table = [], [], [], [], None
    p_texts, p_tokens, p_tags, p_vectors, p_missing = paper_tweet_inputs(kv)
    paper_scores = None
    for n_seen, _ in splits:
        for part in make_partitions(frame["hashtag"], n_seen, settings.n_partitions, seed):
            start = time.perf_counter()
            res = run_partition(frame, kv, part, vectorizer, matrix, settings,
                                n_examples=settings.n_examples if example_table is None else 0,
                                extra=(p_texts, p_tokens, p_vectors) if paper_scores is None and p_tags else None)
            example_table = res.examples if example_table is None else example_table
            paper_scores = res.extra if paper_scores is None else paper_scores
            rows += res.rows
            gen += res.generalised
            times.append({"split": part.split, "partition": part.index, "seed": part.seed,
                          **res.timings, "total": time.perf_counter() - start})
            params.append({"split": part.split, "partition": part.index, **res.eszsl_params})
            log(f"{part.split} partition {part.index} (seed {part.seed}): "
                f"{time.perf_counter() - start:.0f} s")
    return {"rows": pd.DataFrame(rows), "generalised": pd.DataFrame(gen), "examples": example_table,
            "timings": pd.DataFrame(times), "eszsl": pd.DataFrame(params),
            "paper_tweets": {"scores": paper_scores or {}, "candidates": p_tags, "missing": p_missing}}


def partition_seeds(settings: Settings = FULL, seed: int = config.DEFAULT_SEED, n_labels: int | None = None) -> dict:
    """``{"40/10": [seeds of its partitions], ...}`` as :func:`make_partitions` derives them;
    ``n_labels``: for a label set of that size (:func:`scaled_splits`), else ``settings.splits``."""
    splits = settings.splits if n_labels is None else scaled_splits(settings.splits, n_labels)
    return {f"{s}/{u}": [seed + 1000 * s + i for i in range(settings.n_partitions)] for s, u in splits}


def scale_notes(frame, settings: Settings, splits, seed: int = config.DEFAULT_SEED) -> list[str]:
    """What :func:`run` prints before it starts when the corpus is not the paper's shape: the
    splits scaled to a label set other than 50 hashtags (their partitions' seeds), and no
    source-only baseline on a corpus of one source (one's own posts). Nothing for the built-in corpus."""
    lines = []
    if tuple(splits) != tuple(settings.splits):
        n_labels = frame["hashtag"].nunique()
        seeds = partition_seeds(dataclasses.replace(settings, splits=tuple(splits)), seed)
        lines.append(f"{n_labels} label hashtags, not the paper's {PAPER_LABELS}: its splits "
                     f"{', '.join(f'{s}/{u}' for s, u in settings.splits)} scaled to "
                     f"{', '.join(f'{s}/{u}' for s, u in splits)} (the same seen fraction, at least 2 seen and "
                     f"1 unseen; partition seeds {seeds}); the paper has no numbers for them (– in its columns)")
    if "source" in frame and frame["source"].nunique() < 2:
        lines.append(f"one source ({', '.join(map(str, frame['source'].unique()))}): no source-only baseline "
                     f"(it ranks hashtags by the test tweet's source)")
    return lines


def cuts(settings: Settings, reference: Settings = FULL) -> list[str]:
    """What ``settings`` changes from ``reference`` (full mode), one printable line per field."""
    return [f"{f.name}: {getattr(settings, f.name)} (full: {getattr(reference, f.name)})"
            for f in dataclasses.fields(Settings) if getattr(settings, f.name) != getattr(reference, f.name)]
