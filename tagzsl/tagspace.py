"""#TagSpace (Weston, Chopra, Adams, EMNLP 2014): a CNN post embedding trained with WARP.

Contents, in the order a reader meets them:

* the corpus protocol (:func:`build_corpus`): cleaned TweetEval tweets that keep at least
  one hashtag seen ``>= min_count`` times, rarer hashtags dropped, a seeded 80/10/10 split,
  and a fastText/StarSpace text export (:func:`export_fasttext`, :func:`read_fasttext`);
* :class:`WarpModel`, the shared WARP training step (``train_step``/``test_step`` call one
  ``_compute_loss``), and its two post encoders: :class:`TagSpace` (word lookup table,
  convolution over windows of ``K`` words, max over positions, tanh, linear) and
  :class:`Wsabie` (mean of word vectors, a bilinear bag-of-words model);
* :func:`warp_weight` (the rank weight ``L(k) = sum_{i<=k} 1/i``);
* the baselines (:func:`frequency_scores`, :func:`hashtag_word_scores`, :func:`word2vec_scores`)
  and :func:`evaluate` (P@1, R@10, mean rank through :func:`tagzsl.metrics.multilabel_ranking`).
"""
from __future__ import annotations

import collections
import pathlib
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

import keras
import tensorflow as tf

from tagzsl import config, metrics
from tagzsl.layers import MaxOverTime

MIN_COUNT = 10
SEQ_LEN = 30
MAX_TAGS = 8  # hashtags a post carries, at most (longer lists are cut in the model input only)
LABEL = "__label__"


# --------------------------------------------------------------------------- corpus
@dataclass
class TagCorpus:
    """The #TagSpace data set: three splits of (tokens, hashtags) and the hashtag list.

    ``tags`` are ordered by training frequency (most frequent first); ``counts`` is the number
    of cleaned tweets carrying each hashtag (the selection rule's counts).
    """

    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame
    tags: list
    counts: pd.Series = field(repr=False)

    @property
    def tag_index(self) -> dict:
        return {t: i for i, t in enumerate(self.tags)}

    def positives(self, split: str) -> list[list[int]]:
        """Hashtag indices of each post of ``split`` (``"train"``, ``"val"`` or ``"test"``)."""
        index = self.tag_index
        return [[index[t] for t in tags if t in index] for tags in getattr(self, split)["hashtags"]]

    def summary(self) -> pd.DataFrame:
        rows = [(name, len(getattr(self, name)), getattr(self, name)["hashtags"].map(len).mean())
                for name in ("train", "val", "test")]
        return pd.DataFrame(rows, columns=["split", "posts", "hashtags per post"])


def build_corpus(clean: pd.DataFrame, min_count: int = MIN_COUNT, val_frac: float = 0.1,
                 test_frac: float = 0.1, seed: int = config.DEFAULT_SEED) -> TagCorpus:
    """Posts keeping a hashtag seen ``>= min_count`` times in ``clean``; a seeded split.

    Counts are over the cleaned tweets (``clean["hashtags"]``); hashtags below the threshold
    are dropped from the posts and posts left with none are dropped.
    """
    for col in ("tokens", "hashtags"):
        if col not in clean.columns:
            raise ValueError(f"build_corpus needs a '{col}' column (a cleaned corpus from tagzsl.corpus)")
    if not 0 <= val_frac < 1 or not 0 <= test_frac < 1 or val_frac + test_frac >= 1:
        raise ValueError("val_frac and test_frac must be in [0, 1) and sum to less than 1")
    counts = clean["hashtags"].explode().dropna().value_counts()
    keep = set(counts.index[counts >= min_count])
    if not keep:
        raise ValueError(f"no hashtag occurs at least {min_count} times")
    frame = clean.assign(hashtags=clean["hashtags"].map(lambda h: [t for t in h if t in keep]))
    frame = frame[frame["hashtags"].map(len) > 0].reset_index(drop=True)
    frame = frame[[c for c in ("id", "tokens", "hashtags", "raw") if c in frame.columns]]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    n_test, n_val = int(round(test_frac * len(frame))), int(round(val_frac * len(frame)))
    test = frame.iloc[np.sort(order[:n_test])].reset_index(drop=True)
    val = frame.iloc[np.sort(order[n_test:n_test + n_val])].reset_index(drop=True)
    train = frame.iloc[np.sort(order[n_test + n_val:])].reset_index(drop=True)
    train_counts = train["hashtags"].explode().value_counts()
    # every kept hashtag is a candidate; order by training frequency, then by name
    tags = sorted(keep, key=lambda t: (-int(train_counts.get(t, 0)), t))
    return TagCorpus(train=train, val=val, test=test, tags=tags, counts=counts[counts >= min_count])


def corpus_from_frames(train: pd.DataFrame, val: pd.DataFrame, test: pd.DataFrame) -> TagCorpus:
    """A :class:`TagCorpus` from given splits (e.g. read back with :func:`read_fasttext`).

    The candidates are every hashtag of the three splits, by training frequency.
    """
    all_tags = pd.concat([train["hashtags"], val["hashtags"], test["hashtags"]]).explode().dropna()
    train_counts = train["hashtags"].explode().value_counts()
    tags = sorted(set(all_tags), key=lambda t: (-int(train_counts.get(t, 0)), t))
    return TagCorpus(train=train.reset_index(drop=True), val=val.reset_index(drop=True),
                     test=test.reset_index(drop=True), tags=tags, counts=all_tags.value_counts())


def to_fasttext_line(tokens, hashtags) -> str:
    """One post in fastText/StarSpace format: ``word word __label__tag __label__tag2``."""
    return " ".join(list(tokens) + [LABEL + t for t in hashtags])


def export_fasttext(frame: pd.DataFrame, path) -> pathlib.Path:
    """Write ``frame`` (``tokens``, ``hashtags``) to ``path`` in fastText format, atomically."""
    text = "".join(to_fasttext_line(tok, tags) + "\n" for tok, tags in zip(frame["tokens"], frame["hashtags"]))
    path = pathlib.Path(path)
    config.atomic_write_bytes(path, text.encode("utf-8"))
    return path


def read_fasttext(path) -> pd.DataFrame:
    """Read a fastText-format file back into ``tokens``/``hashtags`` lists (labels may be anywhere)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no fastText file at {path}")
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        rows.append(([p for p in parts if not p.startswith(LABEL)],
                     [p[len(LABEL):] for p in parts if p.startswith(LABEL)]))
    return pd.DataFrame(rows, columns=["tokens", "hashtags"])


def export_splits(corpus: TagCorpus, directory) -> dict:
    """Export the three splits as ``train.txt``, ``valid.txt``, ``test.txt`` under ``directory``."""
    directory = pathlib.Path(directory)
    return {name: export_fasttext(getattr(corpus, split), directory / f"{name}.txt")
            for name, split in (("train", "train"), ("valid", "val"), ("test", "test"))}


# --------------------------------------------------------------------------- encoding
class Encoder:
    """Words to padded id sequences (a Keras ``TextVectorization`` vocabulary) and tags to ids.

    Index 0 is padding and 1 is ``[UNK]``, as ``TextVectorization`` does.
    """

    def __init__(self, seq_len: int = SEQ_LEN, max_tags: int = MAX_TAGS, min_word_count: int = 1):
        self.seq_len = seq_len
        self.max_tags = max_tags
        self.min_word_count = min_word_count

    def fit(self, token_lists, tags):
        counts = collections.Counter(t for tokens in token_lists for t in tokens)
        vocab = sorted((w for w, n in counts.items() if n >= self.min_word_count), key=lambda w: (-counts[w], w))
        self.vectorizer_ = keras.layers.TextVectorization(
            standardize=None, split="whitespace", output_mode="int",
            output_sequence_length=self.seq_len, vocabulary=vocab)
        self.vocabulary_ = self.vectorizer_.get_vocabulary()
        self.tags_ = list(tags)
        self.tag_index_ = {t: i for i, t in enumerate(self.tags_)}
        return self

    def words(self, token_lists) -> np.ndarray:
        texts = [" ".join(t) if len(t) else "" for t in token_lists]
        if not texts:
            return np.zeros((0, self.seq_len), "int32")
        return np.asarray(self.vectorizer_(np.asarray(texts, dtype=object)), dtype="int32")

    def positives(self, tag_lists) -> np.ndarray:
        """``(n, max_tags)`` int array of hashtag ids, ``-1`` padded."""
        out = np.full((len(tag_lists), self.max_tags), -1, dtype="int32")
        for i, tags in enumerate(tag_lists):
            ids = [self.tag_index_[t] for t in tags if t in self.tag_index_][: self.max_tags]
            out[i, : len(ids)] = ids
        return out

    def dataset(self, frame: pd.DataFrame, batch_size: int, shuffle: bool = False, seed: int = 0):
        x, y = self.words(frame["tokens"]), self.positives(frame["hashtags"])
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(2)


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
    (0 in the paper) drops hidden units and ``word_dropout`` (default: ``dropout``) word-vector
    units while training; ``token_dropout`` drops whole words of a post while training.
    """

    def __init__(self, vocab_size, n_tags, dim=64, margin=0.1, max_draws=1000, dropout=0.0,
                 word_dropout=None, token_dropout=0.0, seed=config.DEFAULT_SEED, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(token_dropout) < 1.0:
            raise ValueError(f"token_dropout must be in [0, 1), got {token_dropout}")
        self.seed = int(seed)
        self.seeds = sub_seeds(self.seed)
        self.token_dropout = float(token_dropout)
        self.dropout = float(dropout)
        self.word_dropout = self.dropout if word_dropout is None else float(word_dropout)
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
        vectors = self._dropout(self.words(word_ids), self.word_dropout, "word_dropout", training)
        return vectors * tf.cast(mask, "float32")[:, :, None], mask

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
        tags = tf.stop_gradient(self.tag_embeddings())
        post = tf.stop_gradient(post)
        cand = tf.random.stateless_uniform((batch, self.max_draws), seed=self._stateless_seed("warp"),
                                           maxval=self.n_tags, dtype="int32")
        if self.max_draws >= self.n_tags:  # one matmul, then a gather
            cand_scores = tf.gather(tf.matmul(post, tags, transpose_b=True), cand, batch_dims=1)
        else:  # gather the drawn rows only (100k+ hashtags)
            cand_scores = tf.einsum("bd,bcd->bc", post, tf.gather(tags, cand))
        safe_pos = tf.maximum(positives, 0)
        pos_scores = tf.reduce_sum(post[:, None, :] * tf.gather(tags, safe_pos), axis=-1)  # (B, P)
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
        tags = self.tag_embeddings()
        f_pos = tf.reduce_sum(post[:, None, :] * tf.gather(tags, tf.maximum(positives, 0)), axis=-1)
        f_neg = tf.reduce_sum(post[:, None, :] * tf.gather(tags, negative), axis=-1)
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
    """#TagSpace: words (d) -> Conv1D(H, K, 'same') -> tanh -> max over time -> tanh -> Dense(d).

    ``residual=True`` is NOT the paper's model but a documented variant: the post embedding is
    the CNN's output plus the mean of the post's word vectors (WSABIE's post embedding), and the
    final ``Dense`` starts at zero, so a model initialised from WSABIE starts as that WSABIE and
    the convolution learns a correction to it.
    """

    def __init__(self, vocab_size, n_tags, dim=64, hidden=1000, window=5, residual=False, **kwargs):
        super().__init__(vocab_size, n_tags, dim=dim, **kwargs)
        self.hidden, self.window, self.residual = int(hidden), int(window), bool(residual)
        self.conv = keras.layers.Conv1D(self.hidden, self.window, padding="same", activation="tanh", name="conv",
                                        kernel_initializer=keras.initializers.GlorotUniform(self.seeds["conv"]))
        self.pool = MaxOverTime(name="max_over_time")
        self.project = keras.layers.Dense(self.dim, name="post_embedding",
                                          kernel_initializer="zeros" if self.residual
                                          else keras.initializers.GlorotUniform(self.seeds["projection"]))
        self.conv.build((None, None, self.dim))
        self.project.build((None, self.hidden))

    def embed_posts(self, word_ids, training=False):
        vectors, mask = self._word_vectors(word_ids, training)
        hidden = tf.tanh(self.pool(self.conv(vectors), mask=mask))
        post = self.project(self._dropout(hidden, self.dropout, "dropout", training))
        if self.residual:
            n = tf.maximum(tf.reduce_sum(tf.cast(mask, "float32"), axis=1, keepdims=True), 1.0)
            post = post + tf.reduce_sum(vectors, axis=1) / n
        return post

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


def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer by name (``"adagrad"``, ``"adam"`` or ``"sgd"``)."""
    optimizers = {"adagrad": keras.optimizers.Adagrad, "adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
    if name not in optimizers:
        raise ValueError(f"optimizer must be one of {sorted(optimizers)}, got {name!r}")
    return optimizers[name](learning_rate=learning_rate)


def build_model(kind: str, vocab_size: int, n_tags: int, strategy=None, learning_rate: float = 0.05,
                optimizer: str = "adagrad", **kwargs):
    """A compiled ``"tagspace"`` or ``"wsabie"`` model, built under ``strategy.scope()`` if given."""
    import contextlib

    classes = {"tagspace": TagSpace, "wsabie": Wsabie}
    if kind not in classes:
        raise ValueError(f"kind must be one of {sorted(classes)}, got {kind!r}")
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope:
        model = classes[kind](vocab_size, n_tags, **kwargs)
        model(np.zeros((1, SEQ_LEN), "int32"))  # create the weights
        model.compile(optimizer=make_optimizer(optimizer, learning_rate))
    return model


def predict_scores(model, word_ids: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """``(n, n_tags)`` scores of every hashtag for each post (numpy)."""
    out = [np.asarray(model.score_all(word_ids[i:i + batch_size])) for i in range(0, len(word_ids), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, model.n_tags), "float32")


def post_embeddings(model, word_ids: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    out = [np.asarray(model.embed_posts(word_ids[i:i + batch_size])) for i in range(0, len(word_ids), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, model.dim), "float32")


@dataclass
class Trained:
    """A trained model, its encoder, the validation metrics per epoch and the training seconds."""

    model: object
    encoder: Encoder
    history: list
    seconds: float


def train(kind: str, corpus: TagCorpus, dim: int = 64, hidden: int = 1000, epochs: int = 5,
          batch_size: int = 128, learning_rate: float = 0.05, optimizer: str = "adagrad",
          max_draws: int = 1000, margin: float = 0.1, init_from=None, encoder: Encoder | None = None,
          strategy=None, seed: int = config.DEFAULT_SEED, eval_val: bool = True, dropout: float = 0.0,
          word_dropout: float | None = None, token_dropout: float = 0.0, residual: bool = False,
          lr_decay: float = 1.0, patience: int | None = None,
          restore_best: bool = True, freeze_tables_epochs: int = 0, verbose: int = 0) -> Trained:
    """Train WSABIE or TagSpace on ``corpus.train`` with WARP (plain ``fit``, one epoch at a time).

    With ``eval_val``, validation P@1/R@10/mean rank are recorded after each epoch and, with
    ``restore_best``, the weights of the epoch with the best validation P@1 + R@10 are kept
    (early stopping on the validation split; the test split is never looked at).
    ``freeze_tables_epochs``: with ``init_from``, train only the encoder (the lookup tables
    frozen) for that many first epochs, so the CNN learns to map into the initial space first.
    ``lr_decay``: the learning rate is multiplied by it after each epoch (1 = constant).
    ``residual``: TagSpace's documented non-paper variant (see :class:`TagSpace`).
    ``patience``: stop once that many epochs in a row have not improved the best validation
    P@1 + R@10 (``epochs`` is then a cap); ``None`` trains all ``epochs``.
    """
    if patience is not None and (not eval_val or patience < 1):
        raise ValueError(f"patience={patience!r} needs eval_val=True and a value >= 1")
    keras.utils.set_random_seed(seed)
    encoder = encoder or Encoder().fit(corpus.train["tokens"], corpus.tags)
    extra = {"hidden": hidden, "residual": residual} if kind == "tagspace" else {}
    if residual and kind != "tagspace":
        raise ValueError("residual applies to kind='tagspace' only")
    model = build_model(kind, len(encoder.vocabulary_), len(encoder.tags_), strategy=strategy,
                        learning_rate=learning_rate, optimizer=optimizer, dim=dim, margin=margin,
                        max_draws=max_draws, dropout=dropout, word_dropout=word_dropout,
                        token_dropout=token_dropout, seed=seed, **extra)
    if init_from is not None:
        model.init_from(init_from.model if isinstance(init_from, Trained) else init_from)
    train_ds = encoder.dataset(corpus.train, batch_size, shuffle=True, seed=seed)
    val_x, val_pos = encoder.words(corpus.val["tokens"]), corpus.positives("val")
    history, seconds, best, best_weights, since_best = [], 0.0, -np.inf, None, 0
    frozen = init_from is not None and freeze_tables_epochs > 0
    if frozen:
        _set_tables_trainable(model, False, optimizer, learning_rate)
    for epoch in range(epochs):
        if frozen and epoch == freeze_tables_epochs:
            _set_tables_trainable(model, True, optimizer, learning_rate)
            frozen = False
        if epoch and lr_decay != 1.0:
            model.optimizer.learning_rate.assign(learning_rate * lr_decay ** epoch)
        start = time.perf_counter()
        fit = model.fit(train_ds, epochs=1, verbose=verbose, shuffle=False)  # the dataset shuffles
        seconds += time.perf_counter() - start
        row = {"epoch": epoch + 1, "loss": float(fit.history["loss"][-1]), "seconds": seconds}
        if eval_val and len(val_x):
            row.update(metrics.multilabel_ranking(predict_scores(model, val_x), val_pos))
            since_best += 1
            if val_score(row) > best:
                best, since_best = val_score(row), 0
                if restore_best:
                    best_weights = model.get_weights()
                    row["best"] = True
        history.append(row)
        if patience is not None and since_best >= patience:
            break
    if best_weights is not None:
        model.set_weights(best_weights)
    return Trained(model=model, encoder=encoder, history=history, seconds=seconds)


def val_score(row: dict) -> float:
    """The model-selection criterion on validation: P@1 + R@10 of one epoch's row."""
    return row["P@1"] + row["R@10"]


def best_epoch(history: list) -> dict:
    """The validation row with the best :func:`val_score`: the epoch :func:`train` keeps."""
    if not history or "P@1" not in history[0]:
        raise ValueError("no validation metrics in this history (trained with eval_val=False?)")
    return max(history, key=val_score)


def grid_search(kind: str, corpus: TagCorpus, grid: dict, **kwargs):
    """Train ``kind`` once per combination of ``grid`` (argument -> values), pick on validation.

    Every run keeps its best validation epoch; the winner has the best validation P@1 + R@10
    (the test split is never looked at). ``kwargs`` go to every :func:`train` call.
    Returns ``(best Trained, its settings, one row per run)``.
    """
    import itertools

    names = list(grid)
    if not names or any(len(grid[n]) == 0 for n in names):
        raise ValueError("grid needs at least one argument with at least one value")
    runs, rows = [], []
    for values in itertools.product(*(grid[n] for n in names)):
        settings = dict(zip(names, values))
        trained = train(kind, corpus, **kwargs, **settings)
        row = best_epoch(trained.history)
        runs.append((val_score(row), settings, trained))
        rows.append({"model": kind, **settings, "best epoch": row["epoch"], "val P@1": row["P@1"],
                     "val R@10": row["R@10"], "val mean rank": row["mean_rank"], "seconds": trained.seconds})
    _, settings, trained = max(runs, key=lambda run: run[0])
    return trained, settings, pd.DataFrame(rows)


def _set_tables_trainable(model, trainable: bool, optimizer: str, learning_rate: float):
    model.words.trainable = trainable
    model.tag_table.trainable = trainable
    # a fresh optimizer and train function over the new trainable variables
    model.compile(optimizer=make_optimizer(optimizer, learning_rate))


def result_row(method: str, dim, scores: np.ndarray, positives) -> dict:
    """One row of the Tables 3-4 layout: method, dim, P@1, R@10, mean rank."""
    return {"method": method, "dim": dim, **evaluate(scores, positives)}


def baseline_rows(corpus: TagCorpus, kv, split: str = "test") -> list[dict]:
    """Frequency, #words and word2vec on ``split``."""
    frame, pos = getattr(corpus, split), corpus.positives(split)
    counts = train_counts(corpus)
    tokens = list(frame["tokens"])
    return [result_row("Frequency", None, frequency_scores(len(frame), counts), pos),
            result_row("#words", None, hashtag_word_scores(tokens, corpus.tags, counts), pos),
            result_row("Word2vec", kv.vector_size, word2vec_scores(tokens, corpus.tags, kv), pos)]


def model_row(method: str, trained: Trained, corpus: TagCorpus, split: str = "test") -> dict:
    frame = getattr(corpus, split)
    scores = predict_scores(trained.model, trained.encoder.words(frame["tokens"]))
    return result_row(method, trained.model.dim, scores, corpus.positives(split))


# --------------------------------------------------------------------------- baselines
def frequency_scores(n_posts: int, train_counts) -> np.ndarray:
    """Every post ranks hashtags by training frequency: ``(n_posts, n_tags)``."""
    counts = np.asarray(train_counts, dtype="float64")
    return np.broadcast_to(counts, (n_posts, len(counts))).copy()


def hashtag_word_scores(token_lists, tags, train_counts) -> np.ndarray:
    """#words: frequency, plus a bonus larger than any count for a hashtag that is a word of the post."""
    counts = np.asarray(train_counts, dtype="float64")
    scores = frequency_scores(len(token_lists), counts)
    index = {t: i for i, t in enumerate(tags)}
    bonus = counts.sum() + 1.0
    for row, tokens in enumerate(token_lists):
        for word in set(tokens):
            if word in index:
                scores[row, index[word]] += bonus
    return scores


def word2vec_scores(token_lists, tags, kv) -> np.ndarray:
    """Cosine of the sum of a post's word vectors with each hashtag's vector (hashtags trained as words)."""
    dim = kv.vector_size
    tag_vecs = np.stack([kv[t] if t in kv.key_to_index else np.zeros(dim, "float32") for t in tags])
    tag_vecs /= np.maximum(np.linalg.norm(tag_vecs, axis=1, keepdims=True), 1e-9)
    posts = np.stack([np.sum([kv[w] for w in tokens if w in kv.key_to_index] or [np.zeros(dim, "float32")],
                             axis=0) for tokens in token_lists]) if len(token_lists) else np.zeros((0, dim))
    posts /= np.maximum(np.linalg.norm(posts, axis=1, keepdims=True), 1e-9)
    return posts @ tag_vecs.T


def train_counts(corpus: TagCorpus) -> np.ndarray:
    """Training-split count of each hashtag in ``corpus.tags`` order."""
    counts = corpus.train["hashtags"].explode().value_counts()
    return np.array([int(counts.get(t, 0)) for t in corpus.tags], dtype="float64")


def evaluate(scores: np.ndarray, positives, k: int = 10) -> dict:
    """P@1, R@k and mean rank of the true hashtags among all candidates."""
    return metrics.multilabel_ranking(scores, positives, k=k)


def top_hashtags(scores: np.ndarray, tags, k: int = 10) -> list[list[str]]:
    order = np.argsort(-scores, axis=1)[:, :k]
    return [[tags[j] for j in row] for row in order]


def nearest_words(model, encoder: Encoder, hashtags, k: int = 8, top_words: int = 5000) -> dict:
    """The ``k`` words whose one-word post embedding scores highest against each hashtag.

    A word is embedded as the post made of that word alone (so TagSpace's convolution is
    applied); candidates are the ``top_words`` most frequent training words.
    """
    words = encoder.vocabulary_[2:2 + top_words]  # skip padding and [UNK]
    ids = np.zeros((len(words), encoder.seq_len), "int32")
    ids[:, 0] = np.arange(2, 2 + len(words))
    posts = post_embeddings(model, ids)
    posts /= np.maximum(np.linalg.norm(posts, axis=1, keepdims=True), 1e-9)
    tags = np.asarray(model.tag_embeddings())
    out = {}
    for h in hashtags:
        v = tags[encoder.tag_index_[h]]
        sims = posts @ (v / max(np.linalg.norm(v), 1e-9))
        out[h] = [words[j] for j in np.argsort(-sims)[:k]]
    return out
