"""Notebook 03's protocol: Kumar et al. (2019), section 7.3 and Table 3 (zero- and few-shot).

The methods (ConSE, ESZSL, DEM and the baselines) are in :mod:`tagzsl.zsl`; this module is
the experiment around them:

* :func:`make_partitions`: random seen/unseen partitions of the 50 hashtags (40/10, 30/20,
  25/25 in :data:`SPLITS`), each with a seen-only training set, a seen test slice (the
  generalised setting) and 5-10 few-shot tweets per unseen hashtag; :func:`check_no_leak`.
* :func:`run_partition`: every method on one partition; :func:`run`: every split x partition.
* :func:`summarise`: mean ± sd tables (:func:`tagzsl.metrics.mean_sd`, ``ddof=1``);
  :func:`verdict`: whether the paper's ordering holds, as printable lines.
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

from tagzsl import config, embeddings, metrics, models
from tagzsl.zsl import (DEM, ESZSL, ESZSL_GRID, conse, dem_dataset, random_scores, select_eszsl,
                        word2vec_similarity, word_space_encoder)

SPLITS = ((40, 10), (30, 20), (25, 25))
KS = (1, 2, 5)
METHODS = ("random", "word2vec similarity", "ConSE", "ESZSL", "DEM", "DEM (word space)")


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class Settings:
    """One zero-shot run: the GRU tweet encoder, DEM's training, the partitions.

    The paper's tweet features are a 1024-d layer; ours are the last state of the second of
    two stacked GRUs (``units`` then ``features``) on the 2-core CPU, see notebook 03.
    """

    units: int = 128               # first GRU
    features: int = 128            # second GRU = the "features" layer
    sequence_length: int = 14
    epochs: int = 5                # GRU classifier, early stopping on a seen validation slice
    patience: int = 2
    batch_size: int = 64
    dem_epochs: int = 3
    dem_learning_rate: float = 1e-4
    dem_l2: float = 1e-3
    dem_activation: str = "tanh"
    few_shot_epochs: int = 1
    eszsl_grid: tuple = ESZSL_GRID
    splits: tuple = SPLITS
    n_partitions: int = 5          # random partitions per split (the paper does not say; we take 5)
    n_examples: int = 8            # Table 4 style example tweets


#: The full protocol: three splits x five partitions (about 26 min on the shared 2-core CPU).
FULL = Settings()

#: Notebook 03 in under five minutes on the 2-core CPU. What is cut: one partition per split
#: instead of five (so no spread: sd is 0), a GRU of 64 + 64 units instead of 128 + 128, at
#: most 4 GRU epochs and 2 DEM epochs, a 5 x 5 ESZSL grid instead of 7 x 7. The three splits
#: stay, so the hit@k-against-unseen curve and the verdict keep their shape.
LESSON = dataclasses.replace(FULL, units=64, features=64, epochs=4, dem_epochs=2,
                             eszsl_grid=tuple(10.0 ** p for p in range(-1, 4)), n_partitions=1)

#: A smoke test (CI): the corpus's quick subset, tiny GRU, one epoch, a 2 x 2 ESZSL grid.
QUICK = dataclasses.replace(FULL, units=16, features=16, epochs=1, dem_epochs=1,
                            eszsl_grid=(1.0, 100.0), n_partitions=1, n_examples=4)


# --------------------------------------------------------------------------- partitions
@dataclass
class Partition:
    """One random seen/unseen partition of the hashtags and its tweet index sets (row positions).

    ``train``: seen-hashtag tweets the models learn from; ``seen_test``: a stratified slice of
    the seen-hashtag tweets no model trains on (generalised setting); ``unseen_test``: every
    tweet of an unseen hashtag (zero-shot test); ``few_shot``: 5-10 tweets per unseen hashtag
    added to training in the few-shot setting, removed from its test set (``few_shot_test``).
    """

    n_seen: int
    n_unseen: int
    index: int
    seed: int
    seen: list
    unseen: list
    train: np.ndarray
    seen_test: np.ndarray
    unseen_test: np.ndarray
    few_shot: np.ndarray
    few_shot_test: np.ndarray = field(init=False)

    def __post_init__(self):
        self.few_shot_test = np.setdiff1d(self.unseen_test, self.few_shot)

    @property
    def split(self) -> str:
        return f"{self.n_seen}/{self.n_unseen}"


def make_partitions(hashtags, n_seen: int, n_partitions: int = FULL.n_partitions,
                    seed: int = config.DEFAULT_SEED, seen_test_fraction: float = 0.2,
                    few_shot=(5, 10)) -> list[Partition]:
    """``n_partitions`` random seen/unseen partitions of the tweets' ``hashtags`` (one per tweet).

    Partition ``i`` uses the seed ``seed + 1000 * n_seen + i`` (stated, reproducible). The
    hashtag set is split into ``n_seen`` seen and the rest unseen; the seen tweets are split
    stratified into train and a ``seen_test_fraction`` test slice; ``few_shot`` = (low, high)
    tweets per unseen hashtag are drawn uniformly for the few-shot setting.
    """
    hashtags = np.asarray(hashtags)
    classes = sorted(set(hashtags.tolist()))
    if not 0 < n_seen < len(classes):
        raise ValueError(f"n_seen must be between 1 and {len(classes) - 1}; got {n_seen}")
    out = []
    for i in range(n_partitions):
        pseed = seed + 1000 * n_seen + i
        rng = np.random.default_rng(pseed)
        order = rng.permutation(len(classes))
        seen = sorted(classes[j] for j in order[:n_seen])
        unseen = sorted(classes[j] for j in order[n_seen:])
        train, seen_test, few = [], [], []
        for tag in seen:
            rows = rng.permutation(np.flatnonzero(hashtags == tag))
            n_test = max(1, int(round(seen_test_fraction * len(rows))))
            seen_test.extend(rows[:n_test])
            train.extend(rows[n_test:])
        for tag in unseen:
            rows = rng.permutation(np.flatnonzero(hashtags == tag))
            n_few = int(rng.integers(few_shot[0], few_shot[1] + 1))
            few.extend(rows[:min(n_few, len(rows) - 1)])
        unseen_test = np.flatnonzero(np.isin(hashtags, unseen))
        out.append(Partition(n_seen, len(classes) - n_seen, i, pseed, seen, unseen,
                             np.sort(np.asarray(train, int)), np.sort(np.asarray(seen_test, int)),
                             unseen_test, np.sort(np.asarray(few, int))))
    return out


def check_no_leak(partition: Partition, hashtags) -> None:
    """Raise if a seen-only training set holds an unseen-hashtag tweet or a test tweet."""
    hashtags = np.asarray(hashtags)
    leaked = set(hashtags[partition.train].tolist()) & set(partition.unseen)
    if leaked:
        raise AssertionError(f"unseen hashtags in the seen-only training set: {sorted(leaked)}")
    if np.intersect1d(partition.train, partition.seen_test).size:
        raise AssertionError("seen test tweets in the training set")
    if np.intersect1d(partition.few_shot, partition.few_shot_test).size:
        raise AssertionError("few-shot training tweets in the few-shot test set")


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


# --------------------------------------------------------------------------- training
def build_encoder_inputs(texts, kv, sequence_length: int):
    """A ``TextVectorization`` over all cleaned ``texts`` (unlabelled text only) and its word2vec matrix."""
    vectorizer = models.text_vectorizer(texts, sequence_length)
    matrix, _ = embeddings.embedding_matrix(kv, vectorizer.get_vocabulary())
    return vectorizer, matrix


def _validation_slice(rows, labels, fraction=0.1, seed=config.DEFAULT_SEED):
    """Split training rows into (fit rows, early-stopping rows), stratified by label."""
    from sklearn.model_selection import train_test_split

    return train_test_split(rows, test_size=fraction, random_state=seed, stratify=labels)


def train_gru(token_ids, labels, n_classes, embedding_matrix, settings: Settings = FULL,
              seed: int = config.DEFAULT_SEED):
    """The GRU classifier of ``tagzsl.models`` trained on (seen) ``labels``; early stopping."""
    keras.utils.set_random_seed(seed)
    fit_rows, val_rows = _validation_slice(np.arange(len(labels)), labels, seed=seed)
    model = models.build_model("gru", vocab_size=len(embedding_matrix), num_classes=n_classes,
                               embedding_matrix=embedding_matrix,
                               sequence_length=settings.sequence_length,
                               units=settings.units, units2=settings.features)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience,
                                         restore_best_weights=True)
    model.fit(token_ids[fit_rows], labels[fit_rows], epochs=settings.epochs,
              batch_size=settings.batch_size, validation_data=(token_ids[val_rows], labels[val_rows]),
              callbacks=[stop], verbose=0)
    return model


def softmax_head(features, labels, n_classes, epochs=15, seed: int = config.DEFAULT_SEED):
    """A softmax layer over ``n_classes`` trained on frozen ``features`` (few-shot ConSE's classifier)."""
    keras.utils.set_random_seed(seed)
    head = keras.Sequential([keras.Input((features.shape[1],)),
                             keras.layers.Dense(n_classes, activation="softmax")])
    head.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    head.fit(features, labels, epochs=epochs, batch_size=128, verbose=0)
    return head


def train_dem(encoder, token_ids, hashtag_vectors, settings: Settings = FULL, epochs=None, dem=None,
              seed: int = config.DEFAULT_SEED, labels=None, **dem_kw):
    """Train (or continue training) a :class:`tagzsl.zsl.DEM` on ``(token_ids, hashtag vector)`` pairs.

    Early stopping on a 10% slice of the given (training) tweets, stratified by ``labels``.
    """
    keras.utils.set_random_seed(seed)
    if dem is None:
        dem = DEM(encoder, l2=settings.dem_l2, **dem_kw)
        dem.compile(optimizer=keras.optimizers.Adam(settings.dem_learning_rate))
    fit_rows, val_rows = _validation_slice(np.arange(len(token_ids)), labels, seed=seed)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience,
                                         restore_best_weights=True)
    dem.fit(dem_dataset(token_ids[fit_rows], hashtag_vectors[fit_rows], settings.batch_size, seed=seed),
            validation_data=dem_dataset(token_ids[val_rows], hashtag_vectors[val_rows],
                                        settings.batch_size, shuffle=False),
            epochs=epochs or settings.dem_epochs, callbacks=[stop], verbose=0,
            shuffle=False)  # the dataset shuffles itself
    return dem


def examples(frame, test, candidates, scores, n, seed: int = config.DEFAULT_SEED):
    """``n`` random test tweets with their true hashtag and the top 5 ``candidates`` by ``scores``."""
    import pandas as pd

    pick = np.random.default_rng(seed).choice(len(test), size=min(n, len(test)), replace=False)
    top5 = np.argsort(-scores[pick], axis=1)[:, :5]
    return pd.DataFrame({"tweet": frame["text"].to_numpy()[test[pick]],
                         "true hashtag": "#" + frame["hashtag"].to_numpy()[test[pick]].astype(object),
                         "top 5": [" ".join("#" + candidates[j] for j in r) for r in top5]})


# --------------------------------------------------------------------------- one partition
@dataclass
class PartitionResult:
    """Everything one partition produced: flat hit@k rows, generalised rows, examples, timings."""

    rows: list
    generalised: list
    examples: object = None
    timings: dict = field(default_factory=dict)
    eszsl_params: dict = field(default_factory=dict)


def run_partition(frame, kv, partition: Partition, vectorizer, embedding_matrix,
                  settings: Settings = FULL, n_examples: int = 0) -> PartitionResult:
    """Every method on one partition: zero-shot, few-shot and generalised.

    ``frame`` has one row per tweet with ``hashtag``, ``tokens`` and ``text``. The GRU is
    trained on ``partition.train`` only (seen hashtags; asserted), its features and
    probabilities feed ConSE and ESZSL, and its encoder (same weights) is then trained end to
    end inside DEM. Few-shot: ESZSL is refitted and a softmax head over seen+unseen hashtags
    (logistic regression on the frozen features) replaces the GRU's for ConSE; DEM continues
    training for ``few_shot_epochs`` on train + few-shot tweets. DEM is trained twice from
    copies of the GRU: in the paper's direction (hashtag -> tweet-encoding space) and in the
    word-vector space (:func:`tagzsl.zsl.word_space_encoder`).
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

    def add(setting, method, scores, test):
        rows.append({"split": partition.split, "partition": partition.index, "setting": setting,
                     "method": method, "n_test": len(test), **hits(scores, y[test] - n_seen)})

    def add_gen(method, scores):
        gen.append({"split": partition.split, "partition": partition.index, "method": method,
                    **generalised(scores, y[g_test], g_seen)})

    # baselines (no training)
    for setting, test in (("zero-shot", te_u), ("few-shot", te_f)):
        add(setting, "random", random_scores(len(test), len(unseen), pseed), test)
        add(setting, "word2vec similarity", word2vec_similarity(kv, [tokens[i] for i in test], unseen_v), test)
    add_gen("random", random_scores(len(g_test), len(all_tags), pseed))
    add_gen("word2vec similarity", word2vec_similarity(kv, [tokens[i] for i in g_test], vectors))

    # GRU on seen hashtags only
    start = time.perf_counter()
    gru = train_gru(ids[tr], y[tr], n_seen, embedding_matrix, settings, seed=pseed)
    timings["gru"] = time.perf_counter() - start
    feats = np.asarray(models.feature_extractor(gru).predict(ids, batch_size=256, verbose=0))
    probs = np.asarray(gru.predict(ids, batch_size=256, verbose=0))
    timings["gru_seen_test_accuracy"] = 100.0 * float(np.mean(probs[te_s].argmax(1) == y[te_s]))

    # ConSE (T = number of seen hashtags)
    add("zero-shot", "ConSE", conse(probs[te_u], seen_v, unseen_v), te_u)
    add_gen("ConSE", conse(probs[g_test], seen_v, vectors))
    start = time.perf_counter()
    tr_f = np.concatenate([tr, few])
    probs_f = softmax_head(feats[tr_f], y[tr_f], len(all_tags), seed=pseed).predict(
        feats[te_f], batch_size=512, verbose=0)
    add("few-shot", "ConSE", conse(probs_f, vectors, unseen_v), te_f)
    timings["conse_few"] = time.perf_counter() - start

    # ESZSL: (gamma, lambda) by validation on held-out seen classes
    start = time.perf_counter()
    params, _ = select_eszsl(feats[tr], y[tr], seen_v, grid=settings.eszsl_grid, seed=pseed)
    eszsl = ESZSL(**params).fit(feats[tr], y[tr], seen_v)
    add("zero-shot", "ESZSL", eszsl.scores(feats[te_u], unseen_v), te_u)
    add_gen("ESZSL", eszsl.scores(feats[g_test], vectors))
    add("few-shot", "ESZSL", ESZSL(**params).fit(feats[tr_f], y[tr_f], vectors).scores(feats[te_f], unseen_v),
        te_f)
    timings["eszsl"] = time.perf_counter() - start

    # DEM (two directions), each from a fresh copy of the seen-only GRU, trained end to end
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
        dem_u = dem.scores(ids[te_u], unseen_v)
        add("zero-shot", method, dem_u, te_u)
        add_gen(method, dem.scores(ids[g_test], vectors))
        if n_examples and method == "DEM (word space)":
            example_table = examples(frame, te_u, unseen, dem_u, n_examples, pseed)
        start = time.perf_counter()
        dem = train_dem(tweet_branch, ids[tr_f], vectors[y[tr_f]], settings,
                        epochs=settings.few_shot_epochs, dem=dem, seed=pseed, labels=y[tr_f])
        add("few-shot", method, dem.scores(ids[te_f], unseen_v), te_f)
        timings[method + " few-shot"] = time.perf_counter() - start
    return PartitionResult(rows, gen, example_table, timings, params)


# --------------------------------------------------------------------------- the run
def run(frame, kv, settings: Settings = FULL, seed: int = config.DEFAULT_SEED, log=print) -> dict:
    """Every split x partition of ``settings`` with :func:`run_partition`; the tidy results.

    ``{"rows": DataFrame (one row per split, partition, setting, method with hit@k in %),
    "generalised": DataFrame, "examples": DataFrame (first partition of the first split),
    "timings": DataFrame, "eszsl": DataFrame of chosen (gamma, lambda)}``.
    """
    import pandas as pd

    vectorizer, matrix = build_encoder_inputs(frame["text"], kv, settings.sequence_length)
    rows, gen, times, params, example_table = [], [], [], [], None
    for n_seen, _ in settings.splits:
        for part in make_partitions(frame["hashtag"], n_seen, settings.n_partitions, seed):
            start = time.perf_counter()
            res = run_partition(frame, kv, part, vectorizer, matrix, settings,
                                n_examples=settings.n_examples if example_table is None else 0)
            example_table = res.examples if example_table is None else example_table
            rows += res.rows
            gen += res.generalised
            times.append({"split": part.split, "partition": part.index, "seed": part.seed,
                          **res.timings, "total": time.perf_counter() - start})
            params.append({"split": part.split, "partition": part.index, **res.eszsl_params})
            log(f"{part.split} partition {part.index} (seed {part.seed}): "
                f"{time.perf_counter() - start:.0f} s")
    return {"rows": pd.DataFrame(rows), "generalised": pd.DataFrame(gen), "examples": example_table,
            "timings": pd.DataFrame(times), "eszsl": pd.DataFrame(params)}


def partition_seeds(settings: Settings = FULL, seed: int = config.DEFAULT_SEED) -> dict:
    """``{"40/10": [seeds of its partitions], ...}`` as :func:`make_partitions` derives them."""
    return {f"{s}/{u}": [seed + 1000 * s + i for i in range(settings.n_partitions)]
            for s, u in settings.splits}


def summarise(rows, columns=("hit@1", "hit@2", "hit@5"), by=("setting", "split", "method")):
    """Mean ± sd over partitions (:func:`tagzsl.metrics.mean_sd`, ddof=1), methods in table order.

    Returns ``(table of "35.1 ± 2.0" strings, DataFrame of the means)``; rates in percent.
    """
    import pandas as pd

    rows = rows.copy()
    if "method" in rows:
        present = set(rows["method"])
        rows["method"] = pd.Categorical(rows["method"], [m for m in METHODS if m in present]
                                        + sorted(present - set(METHODS)))
    grouped = rows.groupby(list(by), observed=True)[list(columns)]
    mean = grouped.agg(lambda v: metrics.mean_sd(v)[0])
    sd = grouped.agg(lambda v: metrics.mean_sd(v)[1])
    return mean.map(lambda v: f"{v:.1f}") + " ± " + sd.map(lambda v: f"{v:.1f}"), mean


def verdict(rows, column: str = "hit@1") -> list[str]:
    """Whether the paper's Table 3 findings hold in ``rows`` (:func:`run`'s), as printable lines.

    From the means over partitions of ``column``: per setting and split, the methods in order
    and whether the paper's order DEM > ESZSL > ConSE holds; per split and method, whether
    few-shot beats zero-shot; per setting, split and method, whether it beats the
    training-free word2vec-similarity baseline.
    """
    mean = summarise(rows, columns=(column,))[1][column]
    lines = []
    for (setting, split), r in mean.groupby(level=["setting", "split"], sort=False):
        r = r.droplevel(["setting", "split"]).astype(float)
        order = " > ".join(f"{m} {v:.1f}" for m, v in r.sort_values(ascending=False).items())
        lines.append(f"{setting} {split} ({column}, %): {order}")
        if {"DEM", "ESZSL", "ConSE"} <= set(r.index):
            holds = r["DEM"] > r["ESZSL"] > r["ConSE"]
            lines.append(f"  paper order DEM > ESZSL > ConSE {'holds' if holds else 'does not hold'}")
        if "word2vec similarity" in r.index:
            base = r["word2vec similarity"]
            lines.append("  vs word2vec similarity " + f"{base:.1f}: " + ", ".join(
                f"{m} {'beats' if r[m] > base else 'does not beat'} it" for m in r.index
                if m not in ("random", "word2vec similarity")))
    if {"zero-shot", "few-shot"} <= set(mean.index.get_level_values("setting")):
        zero, few = mean.loc["zero-shot"], mean.loc["few-shot"]
        few_splits = set(few.index.get_level_values("split"))
        for split in [s for s in zero.index.get_level_values("split").unique() if s in few_splits]:
            both = [m for m in zero.loc[split].index if m in few.loc[split].index and m != "random"]
            lines.append(f"few-shot > zero-shot on {split}: " + ", ".join(
                f"{m} {'yes' if few.loc[(split, m)] > zero.loc[(split, m)] else 'no'} "
                f"({few.loc[(split, m)]:.1f} vs {zero.loc[(split, m)]:.1f})" for m in both))
    return lines
