"""Zero-shot hashtag recommendation: rank hashtags no classifier was trained on.

Kumar et al. (2019), section 6. A tweet is described by the features a GRU classifier
learned on the *seen* hashtags; a hashtag by its 150-d skip-gram vector. Three ways to
bridge the two, all here:

- :func:`conse`: the classifier's probabilities mix the seen hashtags' vectors; the mix is
  compared with the candidates' vectors (Norouzi et al., 2014).
- :class:`ESZSL`: one bilinear map ``x^T W a`` in closed form (Romera-Paredes & Torr, 2015),
  solved with ``tf.linalg`` (Cholesky solves, no explicit inverse).
- :class:`DEM`: a two-branch Keras model trained by least squares (Zhang et al., 2017):
  the hashtag branch maps a hashtag vector into the tweet-encoding space.

Baselines: :func:`random_scores` and :func:`word2vec_similarity` (no training). The protocol
(seen/unseen partitions, zero-shot, few-shot and the generalised setting) is
:func:`make_partitions` and :func:`evaluate`; :func:`run_partition` runs every method on one
partition.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import keras
import numpy as np

from tagzsl import metrics

SPLITS = ((40, 10), (30, 20), (25, 25))
KS = (1, 2, 5)


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype="float32")
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


# --------------------------------------------------------------------------- ConSE
def conse(probabilities: np.ndarray, seen_vectors: np.ndarray, candidate_vectors: np.ndarray,
          top_t: int | None = None) -> np.ndarray:
    """ConSE (Norouzi et al., 2014): cosine between each tweet's convex combination of seen
    hashtag vectors and each candidate's vector.

    For a tweet with seen-class probabilities p, keep its top ``top_t`` classes (default: all
    seen hashtags, as the paper), and embed it as f = sum_t p_t s_t / sum_t p_t. Returns the
    ``(n_tweets, n_candidates)`` cosine similarities between f and ``candidate_vectors``.
    """
    probs = np.asarray(probabilities, dtype="float32")
    n_seen = probs.shape[1]
    if seen_vectors.shape[0] != n_seen:
        raise ValueError(f"{n_seen} class probabilities but {seen_vectors.shape[0]} seen vectors")
    top_t = n_seen if top_t is None else int(top_t)
    if top_t < n_seen:
        cut = -np.sort(-probs, axis=1)[:, top_t - 1:top_t]
        probs = np.where(probs >= cut, probs, 0.0)
    weights = probs / np.maximum(probs.sum(axis=1, keepdims=True), 1e-12)
    return _unit(weights @ np.asarray(seen_vectors, "float32")) @ _unit(candidate_vectors).T


# --------------------------------------------------------------------------- baselines
def random_scores(n_tweets: int, n_candidates: int, seed: int = 0) -> np.ndarray:
    """Uniform random scores: the chance baseline (hit@k = k / n_candidates in expectation)."""
    return np.random.default_rng(seed).random((n_tweets, n_candidates)).astype("float32")


def mean_word_vectors(kv, token_lists) -> np.ndarray:
    """Average of each tweet's word vectors (words without a vector skipped; zeros if none)."""
    out = np.zeros((len(token_lists), kv.vector_size), dtype="float32")
    for i, tokens in enumerate(token_lists):
        known = [t for t in tokens if t in kv.key_to_index]
        if known:
            out[i] = kv[known].mean(axis=0)
    return out


def word2vec_similarity(kv, token_lists, candidate_vectors) -> np.ndarray:
    """Training-free baseline: cosine of the tweet's mean word vector with each candidate's."""
    return _unit(mean_word_vectors(kv, token_lists)) @ _unit(candidate_vectors).T


# --------------------------------------------------------------------------- ESZSL
class ESZSL:
    """Embarrassingly simple zero-shot learning (Romera-Paredes & Torr, 2015).

    With tweet features X (d x m, one column per tweet), labels Y (m x z, +1 for the tweet's
    hashtag and -1 elsewhere) and hashtag vectors A (a x z), the bilinear map is

        W = (X X^T + gamma I)^-1 X Y A^T (A A^T + lambda I)^-1            (d x a)

    computed with two Cholesky solves in ``tf.linalg`` (float64, on whatever device
    TensorFlow picks). A tweet x scores candidate hashtag a as ``x^T W a``.
    """

    def __init__(self, gamma: float = 1.0, lam: float = 1.0):
        self.gamma = gamma
        self.lam = lam

    @staticmethod
    def closed_form(features, targets, class_vectors, gamma, lam):
        """W for features (m, d), targets Y (m, z) and class_vectors A^T (z, a); a ``tf.Tensor``."""
        import tensorflow as tf

        x = tf.convert_to_tensor(features, tf.float64)
        y = tf.convert_to_tensor(targets, tf.float64)
        s = tf.convert_to_tensor(class_vectors, tf.float64)
        d, a = x.shape[1], s.shape[1]
        xxt = tf.matmul(x, x, transpose_a=True) + gamma * tf.eye(d, dtype=tf.float64)
        aat = tf.matmul(s, s, transpose_a=True) + lam * tf.eye(a, dtype=tf.float64)
        xya = tf.matmul(tf.matmul(x, y, transpose_a=True), s)            # X Y A^T   (d, a)
        left = tf.linalg.cholesky_solve(tf.linalg.cholesky(xxt), xya)    # (XX^T+gI)^-1 X Y A^T
        # right-multiplying by the symmetric (AA^T+lI)^-1 = solving from the left on the transpose
        return tf.transpose(tf.linalg.cholesky_solve(tf.linalg.cholesky(aat), tf.transpose(left)))

    def fit(self, features, labels, class_vectors):
        """Learn W from tweet ``features`` (m, d), int ``labels`` in [0, z) and ``class_vectors`` (z, a)."""
        features = np.asarray(features)
        labels = np.asarray(labels)
        class_vectors = np.asarray(class_vectors)
        if features.ndim != 2 or len(features) != len(labels):
            raise ValueError(f"features must be (n_tweets, d) with one label each; got "
                             f"{features.shape} and {labels.shape}")
        if labels.min() < 0 or labels.max() >= len(class_vectors):
            raise ValueError(f"labels must index the {len(class_vectors)} class vectors")
        targets = -np.ones((len(labels), len(class_vectors)))
        targets[np.arange(len(labels)), labels] = 1.0
        self.W_ = self.closed_form(features, targets, class_vectors, float(self.gamma),
                                   float(self.lam)).numpy()
        return self

    def scores(self, features, candidate_vectors) -> np.ndarray:
        """``x^T W a`` for every tweet (rows) and candidate hashtag (columns)."""
        if not hasattr(self, "W_"):
            raise RuntimeError("ESZSL is not fitted; call fit() first")
        return (np.asarray(features, "float64") @ self.W_ @ np.asarray(candidate_vectors, "float64").T
                ).astype("float32")


ESZSL_GRID = tuple(10.0 ** p for p in range(-2, 5))


def class_split(classes, val_fraction: float = 0.25, seed: int = 0):
    """Split seen classes into (train classes, validation classes) for hyper-parameter search."""
    classes = np.asarray(sorted(classes))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(classes))
    n_val = max(2, int(round(val_fraction * len(classes))))
    return sorted(classes[order[n_val:]].tolist()), sorted(classes[order[:n_val]].tolist())


def select_eszsl(features, labels, class_vectors, grid=ESZSL_GRID, val_fraction=0.25, seed=0):
    """Choose (gamma, lambda) by zero-shot hit@1 on held-out SEEN classes.

    ``labels`` index ``class_vectors`` (seen classes only). A quarter of them are held out:
    ESZSL is fitted on the rest and ranks the held-out classes' tweets among the held-out
    classes. Returns ``(best_params, table)`` with table rows ``(gamma, lam, hit@1)``.
    """
    labels = np.asarray(labels)
    train_c, val_c = class_split(np.unique(labels), val_fraction, seed)
    tr = np.isin(labels, train_c)
    remap_tr = {c: i for i, c in enumerate(train_c)}
    remap_va = {c: i for i, c in enumerate(val_c)}
    y_tr = np.array([remap_tr[c] for c in labels[tr]])
    y_va = np.array([remap_va[c] for c in labels[~tr]])
    table = []
    for gamma in grid:
        for lam in grid:
            model = ESZSL(gamma, lam).fit(features[tr], y_tr, class_vectors[train_c])
            hit = metrics.hit_at_k(model.scores(features[~tr], class_vectors[val_c]), y_va, 1)
            table.append((gamma, lam, hit))
    best = max(table, key=lambda r: r[2])
    return {"gamma": best[0], "lam": best[1]}, table


# --------------------------------------------------------------------------- DEM
class DEM(keras.Model):
    """Deep embedding model (Zhang, Xiang & Gong, 2017), for tweets and hashtags.

    Two branches: the tweet branch ``f`` (a token-id encoder, here the GRU without its output
    layer, trained end to end) and the hashtag branch ``g`` (``Dense(units, activation)`` on
    the 150-d hashtag vector, mapping it into the tweet-encoding space). For a batch of
    tweets x_i with hashtag vectors a_i the loss is

        L = mean_i || f(x_i) - g(a_i) ||^2  +  l2 * ||W_g||^2

    and a tweet's candidate hashtags are ranked by ``-|| f(x) - g(a_c) ||^2`` (nearest first).
    Train with ``compile(optimizer)`` and plain ``fit`` on ``(token_ids, hashtag_vectors)``.
    """

    def __init__(self, tweet_encoder, units: int | None = None, activation: str = "relu",
                 l2: float = 1e-3, hashtag_branch=None, **kwargs):
        super().__init__(**kwargs)
        self.tweet_encoder = tweet_encoder
        self.units = units or int(tweet_encoder.output.shape[-1])
        self.hashtag_branch = hashtag_branch or keras.layers.Dense(
            self.units, activation=activation, kernel_initializer="glorot_uniform",
            name="hashtag_branch")
        self.l2 = l2
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs, training=False):
        token_ids, hashtag_vectors = inputs
        return (self.tweet_encoder(token_ids, training=training),
                self.hashtag_branch(hashtag_vectors))

    def _compute_loss(self, data, training=False):
        from keras import ops

        token_ids, hashtag_vectors = data
        tweets, tags = self((token_ids, hashtag_vectors), training=training)
        fit = ops.mean(ops.sum(ops.square(tweets - tags), axis=-1))
        penalty = sum(ops.sum(ops.square(w)) for w in self.hashtag_branch.trainable_weights
                      if "kernel" in w.path)
        return fit + self.l2 * penalty

    def train_step(self, data):
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = self._compute_loss(data, training=True)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply(grads, self.trainable_variables)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        self.loss_tracker.update_state(self._compute_loss(data, training=False))
        return {"loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]

    def scores(self, token_ids, candidate_vectors, batch_size: int = 256) -> np.ndarray:
        """``-||f(x) - g(a_c)||^2`` for every tweet (rows) and candidate hashtag (columns)."""
        f = np.asarray(self.tweet_encoder.predict(np.asarray(token_ids), batch_size=batch_size,
                                                  verbose=0), "float64")
        g = np.asarray(self.hashtag_branch(np.asarray(candidate_vectors, "float32")), "float64")
        d2 = (f ** 2).sum(1, keepdims=True) - 2 * f @ g.T + (g ** 2).sum(1)[None, :]
        return (-d2).astype("float32")


def word_space_encoder(encoder, embedding_matrix, name="word_space_encoder"):
    """Tweet branch for DEM in the word-vector space (tweet -> semantic direction).

    ``f(x) = unit(mean word vector of x) + Dense(150)(encoder(x))``: the dense correction
    starts at zero, so before training the model ranks exactly as the word2vec-similarity
    baseline does, and least squares against the (unit) hashtag vector learns what the
    seen hashtags teach on top of it. The word vectors stay frozen; ``encoder`` trains.
    """
    from tagzsl import layers

    ids = encoder.inputs[0]
    words = keras.layers.Embedding(len(embedding_matrix), embedding_matrix.shape[1],
                                   embeddings_initializer=keras.initializers.Constant(embedding_matrix),
                                   mask_zero=True, trainable=False, name="word_vectors")(ids)
    mean = keras.layers.UnitNormalization(name="unit_mean")(layers.MaskedMean(name="mean_words")(words))
    correction = keras.layers.Dense(embedding_matrix.shape[1], kernel_initializer="zeros",
                                    name="correction")(encoder.output)
    return keras.Model(ids, keras.layers.Add(name="tweet_in_word_space")([mean, correction]), name=name)


def dem_dataset(token_ids, hashtag_vectors, batch_size=64, shuffle=True, seed=0):
    """``tf.data`` pipeline of ``(token_ids, hashtag_vector)`` pairs for :class:`DEM`."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices((np.asarray(token_ids, "int32"),
                                             np.asarray(hashtag_vectors, "float32")))
    if shuffle:
        ds = ds.shuffle(len(token_ids), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# --------------------------------------------------------------------------- protocol
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


def make_partitions(hashtags, n_seen: int, n_partitions: int = 5, seed: int = 2019,
                    seen_test_fraction: float = 0.2, few_shot=(5, 10)) -> list[Partition]:
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


def hits(scores, labels, ks=KS) -> dict:
    """``{"hit@k": ...}`` for each k."""
    return {f"hit@{k}": metrics.hit_at_k(scores, labels, k) for k in ks}


def generalised(scores, labels, is_seen) -> dict:
    """Generalised zero-shot: hit@1 on seen-hashtag and unseen-hashtag tweets and their harmonic mean."""
    top = np.asarray(scores).argmax(axis=1) == np.asarray(labels)
    is_seen = np.asarray(is_seen, bool)
    s, u = float(top[is_seen].mean()), float(top[~is_seen].mean())
    return {"seen": s, "unseen": u, "H": 0.0 if s + u == 0 else 2 * s * u / (s + u)}


# --------------------------------------------------------------------------- experiment
@dataclass
class Settings:
    """Hyper-parameters of one zero-shot run (the paper's GRU is 1024 units; see the notebook)."""

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


def build_encoder_inputs(texts, kv, sequence_length: int):
    """A ``TextVectorization`` over all cleaned ``texts`` (unlabelled text only) and its word2vec matrix."""
    from tagzsl import embeddings, models

    vectorizer = models.text_vectorizer(texts, sequence_length)
    matrix, _ = embeddings.embedding_matrix(kv, vectorizer.get_vocabulary())
    return vectorizer, matrix


def _validation_slice(rows, labels, fraction=0.1, seed=0):
    """Split training rows into (fit rows, early-stopping rows), stratified by label."""
    from sklearn.model_selection import train_test_split

    return train_test_split(rows, test_size=fraction, random_state=seed, stratify=labels)


def train_gru(token_ids, labels, n_classes, embedding_matrix, settings: Settings, seed=0):
    """The GRU classifier of ``tagzsl.models`` trained on (seen) ``labels``; early stopping."""
    from tagzsl import models

    keras.utils.set_random_seed(seed)
    rows = np.arange(len(labels))
    fit_rows, val_rows = _validation_slice(rows, labels, seed=seed)
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


def softmax_head(features, labels, n_classes, epochs=15, seed=0):
    """A softmax layer over ``n_classes`` trained on frozen ``features`` (few-shot ConSE's classifier)."""
    keras.utils.set_random_seed(seed)
    head = keras.Sequential([keras.Input((features.shape[1],)),
                             keras.layers.Dense(n_classes, activation="softmax")])
    head.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    head.fit(features, labels, epochs=epochs, batch_size=128, verbose=0)
    return head


def train_dem(encoder, token_ids, hashtag_vectors, settings: Settings, epochs=None, dem=None, seed=0,
              labels=None, **dem_kw):
    """Train (or continue training) a :class:`DEM` on ``(token_ids, hashtag vector)`` pairs.

    Early stopping on a stratified 10% slice of the given (training) tweets.
    """
    keras.utils.set_random_seed(seed)
    if dem is None:
        dem = DEM(encoder, l2=settings.dem_l2, **dem_kw)
        dem.compile(optimizer=keras.optimizers.Adam(settings.dem_learning_rate))
    rows = np.arange(len(token_ids))
    fit_rows, val_rows = _validation_slice(rows, labels if labels is not None else None, seed=seed)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience,
                                         restore_best_weights=True)
    dem.fit(dem_dataset(token_ids[fit_rows], hashtag_vectors[fit_rows], settings.batch_size, seed=seed),
            validation_data=dem_dataset(token_ids[val_rows], hashtag_vectors[val_rows],
                                        settings.batch_size, shuffle=False),
            epochs=epochs or settings.dem_epochs, callbacks=[stop], verbose=0,
            shuffle=False)  # the dataset shuffles itself
    return dem


def _examples(frame, test, candidates, scores, n, seed):
    import pandas as pd

    pick = np.random.default_rng(seed).choice(len(test), size=min(n, len(test)), replace=False)
    top5 = np.argsort(-scores[pick], axis=1)[:, :5]
    return pd.DataFrame({"tweet": frame["text"].to_numpy()[test[pick]],
                         "true hashtag": "#" + frame["hashtag"].to_numpy()[test[pick]].astype(object),
                         "top 5": [" ".join("#" + candidates[j] for j in r) for r in top5]})


@dataclass
class PartitionResult:
    """Everything one partition produced: flat hit@k rows, generalised rows, examples, timings."""

    rows: list
    generalised: list
    examples: object = None
    timings: dict = field(default_factory=dict)
    eszsl_params: dict = field(default_factory=dict)


def run_partition(frame, kv, partition: Partition, vectorizer, embedding_matrix,
                  settings: Settings = Settings(), n_examples: int = 0) -> PartitionResult:
    """Every method on one partition: zero-shot, few-shot and generalised.

    ``frame`` has one row per tweet with ``hashtag``, ``tokens`` and ``text``. The GRU is
    trained on ``partition.train`` only (seen hashtags; asserted), its features and
    probabilities feed ConSE and ESZSL, and its encoder (same weights) is then trained end to
    end inside DEM. Few-shot: ESZSL is refitted and a softmax head over seen+unseen hashtags
    (logistic regression on the frozen features) replaces the GRU's for ConSE; DEM continues
    training for ``few_shot_epochs`` on train + few-shot tweets. DEM is trained twice from
    copies of the GRU: in the paper's direction (hashtag -> tweet-encoding space) and in the
    word-vector space (:func:`word_space_encoder`).
    """
    from tagzsl import embeddings, models

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
    n_seen = len(seen)
    tr, te_u, te_s = partition.train, partition.unseen_test, partition.seen_test
    few, te_f = partition.few_shot, partition.few_shot_test
    assert set(y[tr]) <= set(range(n_seen)), "unseen hashtag in the seen-only training set"
    rows, gen, timings = [], [], {}

    def add(setting, method, scores, test, offset):
        rows.append({"split": partition.split, "partition": partition.index, "setting": setting,
                     "method": method, "n_test": len(test), **hits(scores, y[test] - offset)})

    # baselines (no training)
    for setting, test in (("zero-shot", te_u), ("few-shot", te_f)):
        add(setting, "random", random_scores(len(test), len(unseen), partition.seed), test, n_seen)
        add(setting, "word2vec similarity",
            word2vec_similarity(kv, [tokens[i] for i in test], unseen_v), test, n_seen)
    g_test = np.concatenate([te_s, te_u])
    g_seen = np.isin(g_test, te_s)
    gen.append({"split": partition.split, "partition": partition.index, "method": "random",
                **generalised(random_scores(len(g_test), len(all_tags), partition.seed), y[g_test], g_seen)})
    gen.append({"split": partition.split, "partition": partition.index, "method": "word2vec similarity",
                **generalised(word2vec_similarity(kv, [tokens[i] for i in g_test], vectors),
                              y[g_test], g_seen)})

    # GRU on seen hashtags only
    start = time.perf_counter()
    gru = train_gru(ids[tr], y[tr], n_seen, embedding_matrix, settings, seed=partition.seed)
    timings["gru"] = time.perf_counter() - start
    encoder = models.feature_extractor(gru)
    feats = np.asarray(encoder.predict(ids, batch_size=256, verbose=0))
    probs = np.asarray(gru.predict(ids, batch_size=256, verbose=0))
    seen_acc = float(np.mean(probs[te_s].argmax(1) == y[te_s]))
    timings["gru_seen_test_accuracy"] = seen_acc

    # ConSE (T = number of seen hashtags)
    add("zero-shot", "ConSE", conse(probs[te_u], seen_v, unseen_v), te_u, n_seen)
    gen.append({"split": partition.split, "partition": partition.index, "method": "ConSE",
                **generalised(conse(probs[g_test], seen_v, vectors), y[g_test], g_seen)})
    start = time.perf_counter()
    tr_f = np.concatenate([tr, few])
    probs_f = softmax_head(feats[tr_f], y[tr_f], len(all_tags), seed=partition.seed).predict(
        feats[te_f], batch_size=512, verbose=0)
    add("few-shot", "ConSE", conse(probs_f, vectors, unseen_v), te_f, n_seen)
    timings["conse_few"] = time.perf_counter() - start

    # ESZSL: (gamma, lambda) by validation on held-out seen classes
    start = time.perf_counter()
    params, _ = select_eszsl(feats[tr], y[tr], seen_v, grid=settings.eszsl_grid, seed=partition.seed)
    eszsl = ESZSL(**params).fit(feats[tr], y[tr], seen_v)
    add("zero-shot", "ESZSL", eszsl.scores(feats[te_u], unseen_v), te_u, n_seen)
    gen.append({"split": partition.split, "partition": partition.index, "method": "ESZSL",
                **generalised(eszsl.scores(feats[g_test], vectors), y[g_test], g_seen)})
    eszsl_f = ESZSL(**params).fit(feats[tr_f], y[tr_f], vectors)
    add("few-shot", "ESZSL", eszsl_f.scores(feats[te_f], unseen_v), te_f, n_seen)
    timings["eszsl"] = time.perf_counter() - start

    # DEM (two directions), each from a fresh copy of the seen-only GRU, trained end to end
    examples = None
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
        dem = train_dem(tweet_branch, ids[tr], vectors[y[tr]], settings, seed=partition.seed,
                        labels=y[tr], **dem_kw)
        timings[method] = time.perf_counter() - start
        dem_u = dem.scores(ids[te_u], unseen_v)
        add("zero-shot", method, dem_u, te_u, n_seen)
        gen.append({"split": partition.split, "partition": partition.index, "method": method,
                    **generalised(dem.scores(ids[g_test], vectors), y[g_test], g_seen)})
        if n_examples and method == "DEM (word space)":
            examples = _examples(frame, te_u, unseen, dem_u, n_examples, partition.seed)
        start = time.perf_counter()
        dem = train_dem(tweet_branch, ids[tr_f], vectors[y[tr_f]], settings,
                        epochs=settings.few_shot_epochs, dem=dem, seed=partition.seed, labels=y[tr_f])
        add("few-shot", method, dem.scores(ids[te_f], unseen_v), te_f, n_seen)
        timings[method + " few-shot"] = time.perf_counter() - start
    return PartitionResult(rows, gen, examples, timings, params)


def run(frame, kv, splits=SPLITS, n_partitions: int = 5, settings: Settings = Settings(),
        seed: int = 2019, n_examples: int = 6, log=print) -> dict:
    """Every split x partition with :func:`run_partition`; returns the tidy results.

    ``{"rows": DataFrame (one row per split, partition, setting, method with hit@k),
    "generalised": DataFrame, "examples": DataFrame (first 40/10-style partition of the first
    split), "timings": DataFrame, "eszsl": DataFrame of chosen (gamma, lambda)}``.
    """
    import pandas as pd

    vectorizer, matrix = build_encoder_inputs(frame["text"], kv, settings.sequence_length)
    rows, gen, times, params, examples = [], [], [], [], None
    for n_seen, _ in splits:
        for part in make_partitions(frame["hashtag"], n_seen, n_partitions, seed):
            start = time.perf_counter()
            res = run_partition(frame, kv, part, vectorizer, matrix, settings,
                                n_examples=n_examples if examples is None else 0)
            examples = res.examples if examples is None else examples
            rows += res.rows
            gen += res.generalised
            times.append({"split": part.split, "partition": part.index, "seed": part.seed,
                          **res.timings, "total": time.perf_counter() - start})
            params.append({"split": part.split, "partition": part.index, **res.eszsl_params})
            log(f"{part.split} partition {part.index} (seed {part.seed}): "
                f"{time.perf_counter() - start:.0f} s")
    return {"rows": pd.DataFrame(rows), "generalised": pd.DataFrame(gen), "examples": examples,
            "timings": pd.DataFrame(times), "eszsl": pd.DataFrame(params)}


METHODS = ("random", "word2vec similarity", "ConSE", "ESZSL", "DEM", "DEM (word space)")


def summarise(rows, columns=("hit@1", "hit@2", "hit@5"), by=("setting", "split", "method")):
    """Mean ± std over partitions, as strings (``"0.351 ± 0.020"``), methods in table order."""
    import pandas as pd

    rows = rows.copy()
    if "method" in rows:
        rows["method"] = pd.Categorical(rows["method"], [m for m in METHODS if m in set(rows["method"])]
                                        + sorted(set(rows["method"]) - set(METHODS)))
    grouped = rows.groupby(list(by), observed=True)[list(columns)]
    mean, std = grouped.mean(), grouped.std(ddof=0).fillna(0.0)
    return mean.round(3).astype(str) + " ± " + std.round(3).astype(str), mean


# --------------------------------------------------------------------------- for people
class ZeroShotRecommender:
    """Recommend hashtags a model was never trained on, with DEM in the word-vector space.

    ``fit(texts, hashtags)`` trains the GRU and then :class:`DEM` (word space) on raw tweets
    and their (seen) hashtags; ``recommend(texts, candidates, k)`` ranks any candidate
    hashtag that has a word vector in ``vectors`` (a gensim ``KeyedVectors``), including
    hashtags absent from training. Candidates without a vector are reported with a
    :class:`tagzsl.recommender.MissingVectorWarning` and listed in ``missing_``.
    """

    def __init__(self, vectors, settings: Settings = Settings(), seed: int = 2019):
        self.vectors = vectors
        self.settings = settings
        self.seed = seed

    def _tokens(self, texts):
        from tagzsl import preprocess

        if isinstance(texts, str):
            raise TypeError("texts must be a list of tweets, not one string")
        return [" ".join(preprocess.clean_text(t)) for t in texts]

    def fit(self, texts, hashtags):
        """Train on raw ``texts`` with one hashtag each (every hashtag needs a word vector)."""
        from tagzsl import embeddings, models

        texts = self._tokens(texts)
        hashtags = [h.lstrip("#").lower() for h in hashtags]
        if len(texts) != len(hashtags) or not texts:
            raise ValueError(f"need one hashtag per tweet; got {len(texts)} tweets, {len(hashtags)} hashtags")
        self.classes_ = sorted(set(hashtags))
        vecs, missing = embeddings.hashtag_vectors(self.vectors, self.classes_)
        if missing:
            raise ValueError(f"training hashtags without a word vector: {missing}")
        # vocabulary: every word with a vector (so words of new topics are not [UNK]) + training words
        words = [w for w in self.vectors.index_to_key if w and w != "[UNK]"]
        known = set(words)
        words += sorted({w for t in texts for w in t.split()} - known)
        self.vectorizer_ = keras.layers.TextVectorization(
            standardize=None, split="whitespace", output_mode="int",
            output_sequence_length=self.settings.sequence_length, vocabulary=words)
        matrix, _ = embeddings.embedding_matrix(self.vectors, self.vectorizer_.get_vocabulary())
        ids = models.vectorize(self.vectorizer_, texts)
        y = np.array([self.classes_.index(h) for h in hashtags])
        gru = train_gru(ids, y, len(self.classes_), matrix, self.settings, seed=self.seed)
        encoder = word_space_encoder(models.feature_extractor(gru), matrix)
        self.dem_ = train_dem(encoder, ids, vecs[y], self.settings, seed=self.seed, labels=y,
                              hashtag_branch=keras.layers.UnitNormalization(name="unit_hashtag"))
        return self

    def recommend(self, texts, candidates, k: int = 5):
        """Top ``k`` ``(hashtag, score)`` among ``candidates`` for each raw tweet in ``texts``."""
        import warnings

        from tagzsl import embeddings, models
        from tagzsl.recommender import MissingVectorWarning

        if not hasattr(self, "dem_"):
            raise RuntimeError("ZeroShotRecommender is not fitted; call fit() first")
        tokens = self._tokens(texts)
        if any(not t for t in tokens):
            raise ValueError("a tweet is empty after cleaning (no words left to rank hashtags by)")
        names = [c.lstrip("#").lower() for c in candidates]
        _, missing = embeddings.hashtag_vectors(self.vectors, names)
        self.missing_ = missing
        names = [n for n in dict.fromkeys(names) if n not in set(missing)]
        if not names:
            raise ValueError(f"none of the candidate hashtags has a word vector: {missing}")
        if missing:
            warnings.warn(f"{len(missing)} candidate hashtag(s) have no word vector and were not "
                          f"ranked: {', '.join(missing)}", MissingVectorWarning, stacklevel=2)
        vecs, _ = embeddings.hashtag_vectors(self.vectors, names)
        scores = self.dem_.scores(models.vectorize(self.vectorizer_, tokens), vecs)
        order = np.argsort(-scores, axis=1)[:, :k]
        return [[(names[j], float(row[j])) for j in idx] for row, idx in zip(scores, order)]
