"""Zero-shot hashtag recommendation: rank hashtags no classifier was trained on.

Kumar et al. (2019), section 6. A tweet is described by the features a GRU classifier
learned on the *seen* hashtags; a hashtag by its 150-d skip-gram vector. Three ways to
bridge the two, all here:

- :func:`conse`: the classifier's probabilities mix the seen hashtags' vectors; the mix is
  compared with the candidates' vectors (Norouzi et al., 2014).
- :class:`ESZSL`: one bilinear map ``x^T W a`` in closed form (Romera-Paredes & Torr, 2015),
  solved with ``tf.linalg`` (Cholesky solves, no explicit inverse).
- :class:`DEM`: a two-branch Keras model trained by least squares (Zhang et al., 2017):
  the hashtag branch maps a hashtag vector into the tweet-encoding space;
  :func:`word_space_encoder` is its tweet branch in the word-vector space.

Baselines: :func:`random_scores` and :func:`word2vec_similarity` (no training). The protocol
(seen/unseen partitions, zero-shot, few-shot and the generalised setting, result tables) is
:mod:`tagzsl.experiments.zero_shot`.
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from tagzsl import config, metrics
from tagzsl.embeddings import mean_word_vectors, unit_rows


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
    return unit_rows(weights @ np.asarray(seen_vectors, "float32")) @ unit_rows(candidate_vectors).T


# --------------------------------------------------------------------------- baselines
def random_scores(n_tweets: int, n_candidates: int, seed: int = config.DEFAULT_SEED) -> np.ndarray:
    """Uniform random scores: the chance baseline (hit@k = k / n_candidates in expectation)."""
    return np.random.default_rng(seed).random((n_tweets, n_candidates)).astype("float32")


def word2vec_similarity(kv, token_lists, candidate_vectors) -> np.ndarray:
    """Training-free baseline: cosine of the tweet's mean word vector with each candidate's."""
    return unit_rows(mean_word_vectors(kv, token_lists)) @ unit_rows(candidate_vectors).T


# --------------------------------------------------------------------------- ESZSL
class ESZSL:
    """Embarrassingly simple zero-shot learning (Romera-Paredes & Torr, 2015).

    With tweet features X (d x m, one column per tweet), labels Y (m x z, +1 for the tweet's
    hashtag and -1 elsewhere) and hashtag vectors A (a x z), the bilinear map is

        W = (X X^T + gamma I)^-1 X Y A^T (A A^T + lambda I)^-1            (d x a)

    computed with two Cholesky solves in ``tf.linalg`` (float64, on whatever device
    TensorFlow picks). A tweet x scores candidate hashtag a as ``x^T W a``.

    Speed (``benchmarks/eszsl_speed.py``, d=1024, a=150, z=50, 2 shared CPU cores): the time
    is the d x d Gram X X^T. NumPy gets it from OpenBLAS's symmetric rank-k update (half the
    flops, AVX-512 kernels); TensorFlow's float64 matmul on CPU is Eigen's contraction, about
    twice as slow per flop here, and slowest on a big (1024 x 1024) output. So the Gram is
    built from its upper triangle of <=256-wide blocks (:func:`symmetric_gram`: ~56% of the
    flops, small outputs that Eigen shards over the long tweet axis), and with fewer tweets
    than features the n x n dual form is used (Woodbury:
    ``(X X^T + gI)^-1 X = X (X^T X + gI)^-1``). Result: faster than NumPy/SciPy up to a few
    thousand tweets, still ~2x slower from 10k tweets on (the AVX-512 syrk is out of reach of
    Eigen's float64 kernel); on a GPU the same graph runs as is. Table: the benchmark's docstring.
    """

    def __init__(self, gamma: float = 1.0, lam: float = 1.0):
        self.gamma = gamma
        self.lam = lam

    @staticmethod
    def closed_form(features, labels, class_vectors, gamma: float, lam: float):
        """W (a float64 ``tf.Tensor``, d x a) for features (m, d), int labels (m,) and class_vectors A^T (z, a).

        Y is never built: with Y = 2 onehot(labels) - 1, ``X Y`` is twice the per-class sums
        of the tweets minus their total, O(m d) instead of an (m x z) product. The Gram is
        symmetric, so only its upper blocks are multiplied; with m < d the m x m Gram of the
        dual form replaces the d x d one. Then two Cholesky solves (no inverse).
        """
        x = tf.convert_to_tensor(features, tf.float64)
        m, d = x.shape
        dual = m is not None and d is not None and m < d
        return _eszsl_closed_form(x, tf.convert_to_tensor(labels, tf.int32),
                                  tf.convert_to_tensor(class_vectors, tf.float64),
                                  tf.constant(gamma, tf.float64), tf.constant(lam, tf.float64),
                                  dual=dual, levels=_gram_levels(m if dual else d))

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
        self.W_ = self.closed_form(features, labels, class_vectors, float(self.gamma), float(self.lam)).numpy()
        return self

    def scores(self, features, candidate_vectors) -> np.ndarray:
        """``x^T W a`` for every tweet (rows) and candidate hashtag (columns)."""
        if not hasattr(self, "W_"):
            raise RuntimeError("ESZSL is not fitted; call fit() first")
        return (np.asarray(features, "float64") @ self.W_ @ np.asarray(candidate_vectors, "float64").T
                ).astype("float32")


GRAM_BLOCK = 128    # smallest block side symmetric_gram splits down to
GRAM_ROWS = 16384   # tweets per chunk of the primal Gram (a sum over chunks; best at 100k in an A/B)


def _gram_levels(side) -> int:
    """How many times symmetric_gram halves a Gram of this side (blocks stay >= GRAM_BLOCK)."""
    levels = 0
    while side is not None and side // 2 ** (levels + 1) >= GRAM_BLOCK:
        levels += 1
    return levels


def symmetric_gram(rows, levels: int):
    """``rows @ rows^T`` from its upper block triangle, halving the rows ``levels`` times.

    Each halving computes the two diagonal blocks recursively and the off-diagonal block once
    (its transpose is the lower block): 1/2 + 1/2^(levels+1) of a full product's flops.
    """
    if levels == 0:
        return tf.matmul(rows, rows, transpose_b=True)
    half = tf.shape(rows)[0] // 2
    top, bottom = rows[:half], rows[half:]
    upper = tf.matmul(top, bottom, transpose_b=True)
    return tf.concat([tf.concat([symmetric_gram(top, levels - 1), upper], 1),
                      tf.concat([tf.transpose(upper), symmetric_gram(bottom, levels - 1)], 1)], 0)


def _chunked_gram(x, levels):
    """``X^T X`` for tweets x (m, d) as a sum over GRAM_ROWS-tweet chunks of symmetric_gram."""
    m, d = tf.shape(x)[0], tf.shape(x)[1]
    chunks = (m + GRAM_ROWS - 1) // GRAM_ROWS

    def add_chunk(i, gram):
        return i + 1, gram + symmetric_gram(tf.transpose(x[i * GRAM_ROWS:(i + 1) * GRAM_ROWS]), levels)

    return tf.while_loop(lambda i, _: i < chunks, add_chunk,
                         (tf.constant(0), tf.zeros((d, d), x.dtype)))[1]


@tf.function(reduce_retracing=True)
def _eszsl_closed_form(x, labels, s, gamma, lam, dual=False, levels=0):
    """:meth:`ESZSL.closed_form` as one TensorFlow graph (traced once per form and level count)."""
    a = tf.shape(s)[1]
    if dual:   # m < d: (X X^T + gI)^-1 X Y A^T = X (X^T X + gI)^-1 Y A^T, an m x m system
        ys = 2.0 * tf.gather(s, labels) - tf.reduce_sum(s, axis=0)                        # Y A^T (m, a)
        gram = symmetric_gram(x, levels) + gamma * tf.eye(tf.shape(x)[0], dtype=x.dtype)
        left = tf.matmul(x, tf.linalg.cholesky_solve(tf.linalg.cholesky(gram), ys), transpose_a=True)
    else:
        gram = _chunked_gram(x, levels) + gamma * tf.eye(tf.shape(x)[1], dtype=x.dtype)
        per_class = tf.math.unsorted_segment_sum(x, labels, tf.shape(s)[0])               # (z, d)
        xy = 2.0 * tf.transpose(per_class) - tf.reduce_sum(x, axis=0)[:, None]           # X Y (d, z)
        left = tf.linalg.cholesky_solve(tf.linalg.cholesky(gram), tf.matmul(xy, s))      # (XX^T+gI)^-1 X Y A^T
    aat = tf.matmul(s, s, transpose_a=True) + lam * tf.eye(a, dtype=s.dtype)
    # right-multiplying by the symmetric (AA^T+lI)^-1 = solving from the left on the transpose
    return tf.transpose(tf.linalg.cholesky_solve(tf.linalg.cholesky(aat), tf.transpose(left)))


ESZSL_GRID = tuple(10.0 ** p for p in range(-2, 5))


def class_split(classes, val_fraction: float = 0.25, seed: int = config.DEFAULT_SEED):
    """Split seen classes into (train classes, validation classes) for hyper-parameter search."""
    classes = np.asarray(sorted(classes))
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(classes))
    n_val = max(2, int(round(val_fraction * len(classes))))
    return sorted(classes[order[n_val:]].tolist()), sorted(classes[order[:n_val]].tolist())


def select_eszsl(features, labels, class_vectors, grid=ESZSL_GRID, val_fraction=0.25,
                 seed: int = config.DEFAULT_SEED):
    """Choose (gamma, lambda) by zero-shot hit@1 on held-out SEEN classes.

    ``labels`` index ``class_vectors`` (seen classes only). A quarter of them are held out:
    ESZSL is fitted on the rest and ranks the held-out classes' tweets among the held-out
    classes. Returns ``(best_params, table)`` with table rows ``(gamma, lam, hit@1 in %)``.
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
            ranks = metrics.ranks_of(model.scores(features[~tr], class_vectors[val_c]), y_va)
            hit = 100.0 * float(np.mean(ranks == 1))
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
        token_ids, hashtag_vectors = data
        tweets, tags = self((token_ids, hashtag_vectors), training=training)
        fit = tf.reduce_mean(tf.reduce_sum(tf.square(tweets - tags), axis=-1))
        penalty = sum(tf.reduce_sum(tf.square(w)) for w in self.hashtag_branch.trainable_weights
                      if "kernel" in w.path)
        return fit + self.l2 * penalty

    def train_step(self, data):
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


def dem_dataset(token_ids, hashtag_vectors, batch_size=64, shuffle=True, seed: int = config.DEFAULT_SEED):
    """``tf.data`` pipeline of ``(token_ids, hashtag_vector)`` pairs for :class:`DEM`."""
    ds = tf.data.Dataset.from_tensor_slices((np.asarray(token_ids, "int32"),
                                             np.asarray(hashtag_vectors, "float32")))
    if shuffle:
        ds = ds.shuffle(len(token_ids), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
