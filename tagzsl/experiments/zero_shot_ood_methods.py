"""Lesson-sized zero-shot rankers on any partition, with hubness corrections chosen on validation.

Used by ``benchmarks/zero_shot_ood.py`` on both protocols (in-domain partitions of
:mod:`.zero_shot_partitions`, leave-one-source-out ones of :mod:`.zero_shot_ood`). The tweet
encoder is the mean word vector (no GRU: a partition costs seconds, not minutes), so the
numbers compare protocols, corrections and vector choices, not the paper's table:

* ``word2vec similarity`` (plain, and ``(centred)`` as notebook 03's baseline);
* ``ConSE`` on a ``LogisticRegression``'s seen-hashtag probabilities (the supervised models'
  ConSE path: a classifier's probabilities mixing the seen hashtags' vectors);
* ``ESZSL`` on the unit mean word vectors, (gamma, lambda) by :func:`tagzsl.zsl.select_eszsl`;
* ``DEM``: :class:`tagzsl.zsl.DEM` with a ``Dense`` tweet branch on the same features.

Every ranker's scores of the test tweets get each correction of :mod:`tagzsl.hubness`, with
the training tweets' scores as reference; the correction ``chosen`` is the one with the best
hit@1 on a validation split of the SEEN hashtags (:func:`.zero_shot_ood.validation_split`:
rankers refitted on the other seen hashtags), never on test tweets.
:func:`subword_vectors`: fastText trained as the corpus's skip-gram, label hashtags held out.
"""
from __future__ import annotations

import dataclasses

import keras
import numpy as np

from tagzsl import config, embeddings, hubness, zsl
from tagzsl import hashtag_vectors as hv
from tagzsl.experiments.zero_shot_ood import validation_split
from tagzsl.zsl_training import TrainingSettings, train_dem

KS = (1, 2, 5)
RANKERS = ("word2vec similarity", "ConSE", "ESZSL", "DEM")
#: DEM here trains a fresh Dense tweet branch, so a higher rate than notebook 03's fine-tuning.
SETTINGS = dataclasses.replace(TrainingSettings(), dem_epochs=5, dem_learning_rate=1e-3, dem_activation="tanh",
                               eszsl_grid=tuple(10.0 ** p for p in range(-1, 4)))


class Rankers:
    """The four rankers fitted on ``rows`` (labels index ``seen_vectors``) of unit ``features``
    (``trained=False``: only word2vec similarity and ConSE, no ESZSL or DEM)."""

    def __init__(self, features, labels, seen_vectors, rows, seed, settings=SETTINGS, trained=True):
        from sklearn.linear_model import LogisticRegression

        self.features, self.seen_vectors, n_seen = features, seen_vectors, len(seen_vectors)
        x, y = features[rows], np.asarray(labels)
        self.clf = LogisticRegression(max_iter=1000, random_state=seed).fit(x, y)
        self.columns = np.asarray(self.clf.classes_)
        self.n_seen = n_seen
        if not trained:
            return
        params, _ = zsl.select_eszsl(x, y, seen_vectors, grid=settings.eszsl_grid, seed=seed)
        self.eszsl = zsl.ESZSL(**params).fit(x, y, seen_vectors)
        keras.utils.set_random_seed(seed)
        inp = keras.Input((features.shape[1],))
        branch = keras.Model(inp, keras.layers.Dense(128, activation="tanh")(inp))
        self.dem = train_dem(branch, x, np.asarray(seen_vectors)[y], settings, seed=seed, labels=y,
                             activation=settings.dem_activation)

    def scores(self, method, rows, candidates) -> np.ndarray:
        feats = self.features[rows]
        if method == "word2vec similarity":
            return feats @ embeddings.unit_rows(candidates).T
        if method == "ConSE":
            probs = np.zeros((len(rows), self.n_seen), "float32")
            probs[:, self.columns] = self.clf.predict_proba(feats)
            return zsl.conse(probs, self.seen_vectors, candidates)
        if method == "ESZSL":
            return self.eszsl.scores(feats, candidates)
        return self.dem.scores(feats, candidates)


def _hits(scores, labels):
    ranks = zsl.metrics.ranks_of(np.asarray(scores), np.asarray(labels))
    return {f"hit@{k}": 100.0 * float(np.mean(ranks <= k)) for k in KS}, ranks


def _reference_rows(rows, seed):
    """The Recommender's own reference sample (:func:`tagzsl.hubness.reference_rows`) of ``rows``."""
    rows = np.asarray(rows)
    return np.sort(rows[hubness.reference_rows(len(rows), seed)])


def run_partition(frame, kv, partition, candidate_vectors=None, seen_vectors=None, methods=RANKERS,
                  settings=SETTINGS, choose=True) -> list[dict]:
    """Every ranker x correction on one partition: one row each with hit@k (%), the hubness
    diagnostics, ``n_test`` and ``ranks`` (the test tweets' ranks of their hashtag, for intervals).

    ``candidate_vectors``/``seen_vectors``: the unseen/seen hashtags' vectors (default: their
    own vectors in ``kv``). Baselines ``random`` and ``word2vec similarity (centred)`` come
    first. With ``choose``, a ``chosen`` row per ranker applies the correction picked on the
    validation split of the seen hashtags (its name in ``choice``).
    """
    tags = frame["hashtag"].to_numpy()
    seen, unseen = list(partition.seen), list(partition.unseen)
    if candidate_vectors is None:
        candidate_vectors, _ = embeddings.hashtag_vectors(kv, unseen)
    if seen_vectors is None:
        seen_vectors, _ = embeddings.hashtag_vectors(kv, seen)
    means = embeddings.mean_word_vectors(kv, list(frame["tokens"]))
    feats = embeddings.unit_rows(means)
    index = {t: i for i, t in enumerate(seen)}
    tr, test, seed = partition.train, partition.unseen_test, partition.seed
    labels = np.array([unseen.index(t) for t in tags[test]])
    base = {"split": partition.split, "partition": partition.index, "n_test": len(test)}
    rows = []

    def add(method, correction, scores, **extra):
        hits, ranks = _hits(scores, labels)
        rows.append({**base, "method": method, "correction": correction, **hits,
                     **hubness.diagnose(scores), "ranks": ranks, **extra})

    add("random", "none", zsl.random_scores(len(test), len(unseen), seed))
    add("word2vec similarity (centred)", "none",
        hv.centre(means[test], means[tr].mean(axis=0)) @ hv.centre(candidate_vectors).T)
    fitted = Rankers(feats, np.array([index[t] for t in tags[tr]]), seen_vectors, tr, seed, settings)
    ref = _reference_rows(tr, seed)
    choices = _choose(frame, kv, partition, feats, seen_vectors, methods, settings) if choose else {}
    for method in methods:
        test_scores = fitted.scores(method, test, candidate_vectors)
        reference = fitted.scores(method, ref, candidate_vectors)
        for correction in hubness.CORRECTIONS:
            add(method, correction, hubness.correct(test_scores, correction, reference))
        if choose:
            best, table = choices[method]
            add(method, "chosen", hubness.correct(test_scores, best, reference), choice=best,
                validation=table)
    return rows


def _choose(frame, kv, partition, feats, seen_vectors, methods, settings) -> dict:
    """Per ranker, the correction with the best hit@1 on the validation split of the seen hashtags."""
    tags = frame["hashtag"].to_numpy()
    inner, val, inner_rows, val_rows = validation_split(partition, tags)
    seen = list(partition.seen)
    inner_v = np.asarray(seen_vectors)[[seen.index(t) for t in inner]]
    val_v = np.asarray(seen_vectors)[[seen.index(t) for t in val]]
    position = {t: i for i, t in enumerate(inner)}
    fitted = Rankers(feats, np.array([position[t] for t in tags[inner_rows]]), inner_v, inner_rows,
                     partition.seed, settings)
    ref = _reference_rows(inner_rows, partition.seed)
    y_val = np.array([val.index(t) for t in tags[val_rows]])
    return {m: hubness.choose(fitted.scores(m, val_rows, val_v), y_val, fitted.scores(m, ref, val_v))
            for m in methods}


def subword_vectors(prepared, held_out, seed: int = config.DEFAULT_SEED, epochs: int = 5):
    """fastText vectors trained as the corpus's skip-gram (every English post, cleaned as for
    word2vec), with every token in ``held_out`` (the label hashtags) removed, so a label
    hashtag's vector can only come from its character n-grams. Cached under
    ``<cache>/artefacts/fasttext-<key>.kv`` (about 1-2 min of training per corpus and seed
    on one core, once)."""
    import hashlib

    from tagzsl import preprocess

    held = sorted(set(held_out))
    key = hashlib.sha256(repr((prepared.sources, len(prepared.raw), held, seed, epochs)).encode()).hexdigest()[:16]
    path = config.cache_dir() / "artefacts" / f"fasttext-{key}.kv"
    if path.is_file():
        return embeddings.load_vectors(path)
    raw = prepared.raw
    english = raw[[preprocess.is_english(x) for x in raw["lang"]]]
    drop = set(held)
    sentences = [[w for w in s if w not in drop] for s in preprocess.word2vec_sentences(english)]
    kv = embeddings.train_fasttext(sentences, epochs=epochs, seed=seed)
    embeddings.save_vectors(kv, path)
    return kv
