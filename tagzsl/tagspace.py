"""#TagSpace (Weston, Chopra, Adams, EMNLP 2014): a CNN post embedding trained with WARP.

The methods only (corpus, baselines, grids and result tables: :mod:`tagzsl.experiments.tagspace`):

* :class:`Encoder` and :func:`trim_batch` (in :mod:`tagzsl.tagspace_data`, re-exported here): words
  to padded ids, hashtags to ids, batches cut to their longest post;
* :func:`warp_weight` (the rank weight ``L(k) = sum_{i<=k} 1/i``) and :class:`WarpModel`, the
  shared WARP training step, with its two post encoders: :class:`TagSpace` (word lookup table,
  convolution over windows of ``K`` words, max over positions, tanh, linear) and :class:`Wsabie`
  (mean of word vectors);
* :func:`train`: plain ``fit`` with a :class:`ValidationRanking` callback (validation P@1, R@10,
  mean rank after each epoch) and ``EarlyStopping``: the returned model is the best epoch's;
* :func:`predict_scores`, :func:`post_embeddings`, :func:`ranking` (percent).
"""
from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, fields, replace

import numpy as np

import keras
import tensorflow as tf

from tagzsl import config, metrics, optimizers
from tagzsl.layers import MaxOverTime
from tagzsl.tagspace_data import MAX_TAGS, SEQ_LEN, Encoder, trim_batch  # noqa: F401 (re-exported)

# --------------------------------------------------------------------------- WARP
SEED_NAMES = ("words", "hashtags", "conv", "projection", "word_dropout", "dropout", "token_dropout", "warp")


def sub_seeds(seed: int) -> dict:
    """Independent integer seeds, one per random choice of a model, derived from the run's ``seed``.

    ``numpy.random.SeedSequence`` spreads one seed into distinct, well-mixed sub-seeds, so the
    word and hashtag tables start independent and two runs' seeds share no draw.
    """
    state = np.random.SeedSequence(int(seed)).generate_state(len(SEED_NAMES))
    return {name: int(value) % (2**31 - 1) for name, value in zip(SEED_NAMES, state)}


def warp_weight(rank):
    """WARP rank weight ``L(k) = sum_{i=1..k} 1/i`` (``L(0) = 0``), elementwise on ints."""
    rank = np.asarray(rank)
    harmonic = np.concatenate([[0.0], np.cumsum(1.0 / np.arange(1, int(rank.max(initial=0)) + 1))])
    return harmonic[rank]


class WarpModel(keras.Model):
    """Score ``f(w, t) = e(w) . t`` and train with WARP (Weston et al. 2011).

    Loss, per (post ``w``, true hashtag ``t+``) pair, averaged over the batch's pairs::

        L(floor((Y - 1) / N)) * max(0, m - f(w, t+) + f(w, t-)),   L(k) = sum_{i=1..k} 1/i

    where ``t-`` is the first of up to ``max_draws`` uniformly drawn hashtags (never one
    the post carries) with ``f(w, t-) > f(w, t+) - m``, ``N`` the draws it took, ``Y`` the
    number of hashtags; a pair with no violator within ``max_draws`` contributes 0.
    Subclasses define ``embed_posts(word_ids, training) -> (batch, dim)``. ``dropout``
    (0 in the paper) drops word-vector units and hidden units while training; ``token_dropout``
    drops whole words of a post while training. ``seed`` sets every random choice: both tables'
    and the CNN's initial weights, each dropout mask and the WARP draws (:func:`sub_seeds`).
    """

    #: gather table rows from the variables; False: a dense read first, which copies the whole table
    #: once a row-wise update has scattered into it (``warp_roofline.py --breakdown``). Same numbers.
    gather_from_variables = True

    def __init__(self, vocab_size, n_tags, dim=64, margin=0.1, max_draws=1000, dropout=0.0,
                 token_dropout=0.0, seed=config.DEFAULT_SEED, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(token_dropout) < 1.0:
            raise ValueError(f"token_dropout must be in [0, 1), got {token_dropout}")
        self.seed = int(seed)
        self.seeds = sub_seeds(self.seed)
        self.token_dropout = float(token_dropout)
        self.dropout = float(dropout)
        self.vocab_size, self.n_tags, self.dim = int(vocab_size), int(n_tags), int(dim)
        self.margin, self.max_draws = float(margin), int(max_draws)
        self.words = keras.layers.Embedding(
            self.vocab_size, self.dim, name="words",
            embeddings_initializer=keras.initializers.RandomNormal(stddev=0.1, seed=self.seeds["words"]))
        self.tag_table = keras.layers.Embedding(
            self.n_tags, self.dim, name="hashtags",
            embeddings_initializer=keras.initializers.RandomNormal(stddev=0.1, seed=self.seeds["hashtags"]))
        self.words.build((None, None))
        self.tag_table.build((None,))
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self._harmonic = tf.constant(warp_weight(np.arange(self.n_tags + 1)), dtype="float32")

    def _stateless_seed(self, name):
        """A ``[2]`` stateless seed: the run's sub-seed ``name``, the training step, the replica.

        Every training-time draw (dropout masks, token dropout, WARP candidates) is a stateless
        function of the model's ``seed``, so the same seed repeats a run and another changes it
        (no seed state to mirror across replicas under a ``tf.distribute`` strategy).
        """
        step = tf.constant(0, "int64")
        if getattr(self, "optimizer", None) is not None:
            step = tf.cast(self.optimizer.iterations, "int64")
        context = tf.distribute.get_replica_context()
        replica = context.replica_id_in_sync_group if context is not None else 0
        replica = tf.cast(replica, "int64")
        return tf.stack([tf.constant(self.seeds[name], "int64"), step * 1024 + replica])

    def _dropout(self, x, rate, name, training):
        if not training or rate <= 0:
            return x
        return tf.nn.experimental.stateless_dropout(x, rate, seed=self._stateless_seed(name))

    @property
    def metrics(self):
        return [self.loss_tracker]

    def _word_vectors(self, word_ids, training=False):
        mask = tf.not_equal(word_ids, 0)
        if training and self.token_dropout > 0:
            keep = tf.random.stateless_uniform(tf.shape(word_ids), seed=self._stateless_seed("token_dropout"))
            mask &= keep >= self.token_dropout
        vectors = self._dropout(self._rows(self.words, word_ids), self.dropout, "word_dropout", training)
        return vectors * tf.cast(mask, "float32")[:, :, None], mask

    def _rows(self, table, ids):
        """Rows ``ids`` of an Embedding ``table`` (see :attr:`gather_from_variables`)."""
        if self.gather_from_variables:
            return tf.gather(table.embeddings.value, ids)
        return table(ids) if table is self.words else tf.gather(table.embeddings, ids)

    def tag_embeddings(self):
        return self.tag_table.embeddings

    def build(self, input_shape=None):
        self.built = True  # every layer is built in __init__ (shapes are known)

    def call(self, word_ids, training=False):
        return self.embed_posts(word_ids, training=training)

    def score_all(self, word_ids):
        """``(batch, n_tags)`` scores of every hashtag for each post."""
        return tf.matmul(self.embed_posts(word_ids), self.tag_embeddings(), transpose_b=True)

    def first_violators(self, post, positives):
        """WARP sampling for a batch: ``(negative id, draws N, found)`` per (post, positive).

        ``post``: ``(B, d)`` embeddings; ``positives``: ``(B, P)`` ids, ``-1`` padded. One
        ``(B, max_draws)`` block of candidates is drawn per step and shared by a post's
        positives; a candidate the post carries is never a violator.
        """
        batch = tf.shape(post)[0]
        post = tf.stop_gradient(post)
        cand = tf.random.stateless_uniform((batch, self.max_draws), seed=self._stateless_seed("warp"),
                                           maxval=self.n_tags, dtype="int32")
        if self.max_draws >= self.n_tags:  # one matmul, then a gather
            tags = tf.stop_gradient(self.tag_embeddings())
            cand_scores = tf.gather(tf.matmul(post, tags, transpose_b=True), cand, batch_dims=1)
        else:  # gather the drawn rows only (100k+ hashtags)
            cand_scores = tf.einsum("bd,bcd->bc", post, tf.stop_gradient(self._rows(self.tag_table, cand)))
        safe_pos = tf.maximum(positives, 0)
        pos_scores = tf.reduce_sum(post[:, None, :] * tf.stop_gradient(self._rows(self.tag_table, safe_pos)), -1)
        is_pos = tf.reduce_any(tf.equal(cand[:, None, :], positives[:, :, None]), axis=1)  # (B, C)
        violates = (cand_scores[:, None, :] > pos_scores[:, :, None] - self.margin) & ~is_pos[:, None, :]
        found = tf.reduce_any(violates, axis=-1)  # (B, P)
        first = tf.argmax(tf.cast(violates, "int32"), axis=-1, output_type="int32")  # first True
        negative = tf.gather(cand, first, batch_dims=1)
        return negative, first + 1, found

    def _compute_loss(self, data, training=False):
        word_ids, positives = data
        post = self.embed_posts(word_ids, training=training)
        negative, draws, found = self.first_violators(post, positives)
        valid = positives >= 0
        f_pos = tf.reduce_sum(post[:, None, :] * self._rows(self.tag_table, tf.maximum(positives, 0)), axis=-1)
        f_neg = tf.reduce_sum(post[:, None, :] * self._rows(self.tag_table, negative), axis=-1)
        rank = (self.n_tags - 1) // draws
        weight = tf.gather(self._harmonic, rank) * tf.cast(found & valid, "float32")
        hinge = tf.nn.relu(self.margin - f_pos + f_neg)
        n_pairs = tf.maximum(tf.reduce_sum(tf.cast(valid, "float32")), 1.0)
        return tf.reduce_sum(weight * hinge) / n_pairs, n_pairs

    def train_step(self, data):
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        with tf.GradientTape() as tape:
            loss, n_pairs = self._compute_loss(data, training=True)
            scaled = loss / replicas
        grads = tape.gradient(scaled, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_tracker.update_state(loss, sample_weight=n_pairs)
        return {"loss": self.loss_tracker.result()}

    def test_step(self, data):
        loss, n_pairs = self._compute_loss(data)
        self.loss_tracker.update_state(loss, sample_weight=n_pairs)
        return {"loss": self.loss_tracker.result()}

class TagSpace(WarpModel):
    """#TagSpace: words (d) -> Conv1D(H, K, 'same') -> tanh -> max over time -> tanh -> Dense(d)."""

    def __init__(self, vocab_size, n_tags, dim=64, hidden=1000, window=5, **kwargs):
        super().__init__(vocab_size, n_tags, dim=dim, **kwargs)
        self.hidden, self.window = int(hidden), int(window)
        self.conv = keras.layers.Conv1D(self.hidden, self.window, padding="same", activation="tanh", name="conv",
                                        kernel_initializer=keras.initializers.GlorotUniform(self.seeds["conv"]))
        self.pool = MaxOverTime(name="max_over_time")
        self.project = keras.layers.Dense(self.dim, name="post_embedding",
                                          kernel_initializer=keras.initializers.GlorotUniform(self.seeds["projection"]))
        self.conv.build((None, None, self.dim))
        self.project.build((None, self.hidden))

    def embed_posts(self, word_ids, training=False):
        vectors, mask = self._word_vectors(word_ids, training)
        hidden = tf.tanh(self.pool(self.conv(vectors), mask=mask))
        return self.project(self._dropout(hidden, self.dropout, "dropout", training))

    def init_from(self, other):
        """Copy the word and hashtag lookup tables of a trained model (the paper: from WSABIE)."""
        if (other.vocab_size, other.n_tags, other.dim) != (self.vocab_size, self.n_tags, self.dim):
            raise ValueError("init_from needs the same vocabulary, hashtags and dim; got "
                             f"{(other.vocab_size, other.n_tags, other.dim)} vs "
                             f"{(self.vocab_size, self.n_tags, self.dim)}")
        self.words.embeddings.assign(other.words.embeddings)
        self.tag_table.embeddings.assign(other.tag_table.embeddings)
        return self


class Wsabie(WarpModel):
    """WSABIE: the post is the mean of its word vectors; ``f(w, t) = mean(w) . t``."""

    def embed_posts(self, word_ids, training=False):
        vectors, mask = self._word_vectors(word_ids, training)
        n = tf.maximum(tf.reduce_sum(tf.cast(mask, "float32"), axis=1, keepdims=True), 1.0)
        return tf.reduce_sum(vectors, axis=1) / n


# --------------------------------------------------------------------------- build, score
def make_optimizer(name: str, learning_rate: float):
    """An optimizer by name (:func:`tagzsl.optimizers.make`: row-wise updates for the tables)."""
    return optimizers.make(name, learning_rate)


def build_model(kind: str, vocab_size: int, n_tags: int, strategy=None, learning_rate: float = 0.05,
                optimizer: str = "adagrad", jit_compile="auto", **kwargs):
    """A compiled ``"tagspace"`` or ``"wsabie"`` model, built under ``strategy.scope()`` if given."""
    classes = {"tagspace": TagSpace, "wsabie": Wsabie}
    if kind not in classes:
        raise ValueError(f"kind must be one of {sorted(classes)}, got {kind!r}")
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model = classes[kind](vocab_size, n_tags, **kwargs)
        model(np.zeros((1, SEQ_LEN), "int32"))  # create the weights
        model.compile(optimizer=make_optimizer(optimizer, learning_rate), jit_compile=jit_compile)
    return model


def predict_scores(model, word_ids: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """``(n, n_tags)`` scores of every hashtag for each post (numpy)."""
    out = [np.asarray(model.score_all(word_ids[i:i + batch_size])) for i in range(0, len(word_ids), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, model.n_tags), "float32")


def post_embeddings(model, word_ids: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    out = [np.asarray(model.embed_posts(word_ids[i:i + batch_size])) for i in range(0, len(word_ids), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, model.dim), "float32")


def ranking(scores: np.ndarray, positives, k: int = 10) -> dict:
    """P@1 and R@``k`` in percent, mean rank (:func:`tagzsl.metrics.multilabel_ranking`)."""
    m = metrics.multilabel_ranking(scores, positives, k=k)
    return {"P@1": 100 * m["P@1"], f"R@{k}": 100 * m[f"R@{k}"], "mean_rank": m["mean_rank"]}


# --------------------------------------------------------------------------- training
class ValidationRanking(keras.callbacks.Callback):
    """After each epoch: validation P@1, R@10 (percent), mean rank, and ``val_score`` = P@1 + R@10.

    They go into the epoch's ``logs`` (``val_P@1``, ``val_R@10``, ``val_mean_rank``,
    ``val_score``), where ``EarlyStopping(monitor="val_score")`` reads them, and into
    :attr:`history`: one row per epoch (``epoch``, ``loss``, ``seconds`` of training so far,
    validation scoring excluded, ``P@1``, ``R@10``, ``mean_rank``, ``score``, and ``best``, True
    on the best validation epoch). With ``word_ids=None`` only loss and seconds are recorded.
    """

    def __init__(self, word_ids=None, positives=None, batch_size: int = 1024):
        super().__init__()
        self.word_ids, self.positives, self.batch_size = word_ids, positives, batch_size
        self.history, self.seconds = [], 0.0

    def on_train_begin(self, logs=None):
        self.history, self.seconds = [], 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds += time.perf_counter() - self._start
        logs = logs if logs is not None else {}
        row = {"epoch": epoch + 1, "loss": float(logs.get("loss", np.nan)), "seconds": self.seconds}
        if self.word_ids is not None and len(self.word_ids):
            m = ranking(predict_scores(self.model, self.word_ids, self.batch_size), self.positives)
            row.update(m, score=m["P@1"] + m["R@10"])
            logs.update({f"val_{k}": v for k, v in m.items()}, val_score=row["score"])
        self.history.append(row)

    def on_train_end(self, logs=None):
        if self.history and "score" in self.history[0]:
            best_epoch(self.history)["best"] = True


@dataclass
class Trained:
    """A trained model, its encoder, the per-epoch history and the training seconds."""

    model: object
    encoder: Encoder
    history: list
    seconds: float


def best_epoch(history: list) -> dict:
    """The row with the best validation P@1 + R@10: the epoch whose weights :func:`train` returns."""
    if not history or "score" not in history[0]:
        raise ValueError("no validation metrics in this history (trained with eval_val=False?)")
    return max(history, key=lambda row: row["score"])


@dataclass(frozen=True)
class TrainingSettings:
    """Everything :func:`train` needs besides the data, the seed and the starting tables.

    ``optimizer``: ``"adam"`` (row-wise lazy Adam on the tables), ``"adagrad"`` (row-wise),
    ``"sgd"`` (the paper's), ``"dense_adam"`` / ``"dense_adagrad"`` (Keras's, every row every
    step); ``hidden`` is TagSpace's H (WSABIE ignores it); ``trim``: cut each batch to its
    longest post; ``jit_compile``: Keras's (``"auto"``: XLA off on CPU); ``patience``: stop after
    that many epochs without a better validation score (``None``: train all ``epochs``).
    """

    dim: int = 64
    hidden: int = 1000
    epochs: int = 5
    batch_size: int = 128
    learning_rate: float = 0.05
    optimizer: str = "adagrad"
    max_draws: int = 1000
    margin: float = 0.1
    dropout: float = 0.0
    token_dropout: float = 0.0
    patience: int | None = None
    eval_val: bool = True
    trim: bool = True
    jit_compile: object = "auto"

    def __post_init__(self):
        if self.optimizer not in optimizers.OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(optimizers.OPTIMIZERS)}, got {self.optimizer!r}")
        if self.patience is not None and (not self.eval_val or self.patience < 1):
            raise ValueError(f"patience={self.patience!r} needs eval_val=True and a value >= 1")

    def with_(self, **overrides) -> "TrainingSettings":
        """A copy with ``overrides`` (field names) changed; an unknown name is a clear error."""
        unknown = sorted(set(overrides) - {f.name for f in fields(self)})
        if unknown:
            raise TypeError(f"unknown training setting(s) {unknown}; known: {[f.name for f in fields(self)]}")
        return replace(self, **overrides)


def train(kind: str, corpus, settings: TrainingSettings | None = None, *, init_from=None,
          encoder: Encoder | None = None, strategy=None, seed: int = config.DEFAULT_SEED, verbose: int = 0,
          **overrides) -> Trained:
    """Train WSABIE or TagSpace on ``corpus.train`` with WARP: one ``fit`` with callbacks.

    ``corpus``: ``train`` (a frame with ``tokens`` and ``hashtags``, or what ``encoder.dataset``
    reads: encoded row numbers in :mod:`tagzsl.own_tagspace`), ``val`` (a frame) and ``tags``.
    ``settings``: a :class:`TrainingSettings` (default ``TrainingSettings()``), any field overridden
    by keyword. With ``eval_val``, :class:`ValidationRanking` scores the validation split after each
    epoch and ``EarlyStopping(monitor="val_score", mode="max", restore_best_weights=True)`` returns
    the best epoch's weights (P@1 + R@10; never the test split), stopping after ``patience`` epochs
    without improvement (``None``: all ``epochs``). ``seed`` sets every random choice and the shuffling.
    """
    s = (settings or TrainingSettings()).with_(**overrides)
    keras.utils.set_random_seed(seed)
    encoder = encoder or Encoder().fit(corpus.train["tokens"], corpus.tags)
    extra = {"hidden": s.hidden} if kind == "tagspace" else {}
    model = build_model(kind, len(encoder.vocabulary_), len(encoder.tags_), strategy=strategy,
                        learning_rate=s.learning_rate, optimizer=s.optimizer, jit_compile=s.jit_compile, dim=s.dim,
                        margin=s.margin, max_draws=s.max_draws, dropout=s.dropout, token_dropout=s.token_dropout,
                        seed=seed, **extra)
    if init_from is not None:
        model.init_from(init_from.model if isinstance(init_from, Trained) else init_from)
    ranking_cb = ValidationRanking()
    callbacks = [ranking_cb]
    if s.eval_val and len(corpus.val):
        ranking_cb.word_ids = encoder.words(corpus.val["tokens"])
        ranking_cb.positives = encoder.tag_ids(corpus.val["hashtags"])
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_score", mode="max", restore_best_weights=True,
                                                       patience=s.patience or max(s.epochs, 1)))
    if s.epochs > 0:  # the dataset shuffles (seeded); fit must not
        model.fit(encoder.dataset(corpus.train, s.batch_size, shuffle=True, seed=seed, trim=s.trim), epochs=s.epochs,
                  callbacks=callbacks, verbose=verbose, shuffle=False)
    return Trained(model=model, encoder=encoder, history=ranking_cb.history, seconds=ranking_cb.seconds)
