"""Notebook 04's protocol: the #TagSpace corpus, baselines, grids, result tables and seeds.

* :class:`Settings` and its ``FULL`` / ``LESSON`` / ``QUICK`` instances: the sizes, the grids and
  the settings notebook 04 picked on validation (written here once; the benchmarks import them);
* the corpus (:func:`build_corpus`): cleaned TweetEval tweets that keep at least one hashtag
  seen ``>= min_count`` times, rarer hashtags dropped, a seeded 80/10/10 split, and a
  fastText/StarSpace text export (:func:`export_splits`, :func:`read_fasttext`);
* the baselines (:func:`frequency_scores`, :func:`hashtag_word_scores`, :func:`word2vec_scores`)
  and the Tables 3-4 rows (:func:`prediction_table`, percent), :func:`side_by_side` with the paper;
* :func:`grid_search` on the validation split, :func:`paired_seeds` (TagSpace against WSABIE
  over training seeds, paired), :func:`banner` (the run's mode, sizes and cuts) and, from
  :mod:`tagzsl.experiments.tagspace_stats`, :func:`verdict` (the conclusion, from the numbers).

The models and their training are in :mod:`tagzsl.tagspace`.
"""
from __future__ import annotations

import itertools
import pathlib
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from tagzsl import config, embeddings, paper, tagspace as ts
from tagzsl.experiments import tagspace_stats as stats
from tagzsl.experiments.tagspace_stats import (  # noqa: F401 (notebook 04's and the benchmarks' API)
    SeedComparison, beats, ordering, paired_differences, verdict)

LABEL = "__label__"
METRICS = ("P@1", "R@10", "mean_rank")


# --------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class Settings:
    """Notebook 04's sizes. ``*_lr`` / ``*_token_dropout``: the values the full run picked on
    validation (d = 64, seed 2019) from the grids ``*_lrs`` x ``*_token_dropouts``."""

    dims: tuple = (64, 128, 256)
    hidden: int = ts.TrainingSettings.hidden  # H = 1000, as in the paper; window K = 5
    window: int = 5
    margin: float = ts.TrainingSettings.margin  # the method's defaults, stated once in tagspace.py
    max_draws: int = ts.TrainingSettings.max_draws
    optimizer: str = "adam"
    dropout: float = 0.5
    wsabie_epochs: int = 16
    tagspace_epochs: int = 16
    batch_size: int = 128
    tagspace_batch_size: int = 64
    patience: int | None = None  # None: every epoch, the best validation epoch kept
    wsabie_lrs: tuple = (0.003, 0.01, 0.03)
    wsabie_token_dropouts: tuple = (0.0, 0.2, 0.4)
    tagspace_lrs: tuple = (0.001,)
    tagspace_token_dropouts: tuple = (0.2, 0.4)
    wsabie_lr: float = 0.003
    wsabie_token_dropout: float = 0.2
    tagspace_lr: float = 0.001
    # the full runs' pick among (0.2, 0.4) has flipped between runs (0.4, then 0.2, now 0.4 with 17.09 vs
    # 16.95 validation P@1): the two are within noise; this is the committed notebook 04's pick
    tagspace_token_dropout: float = 0.4
    n_seeds: int = 3  # the notebook's seed spread: SEED, SEED + 1, ...
    min_count: int = 10
    train_limit: int | None = None  # subsample the training split (smoke runs)
    quick_word2vec: bool = False  # tagzsl.corpus.prepare(quick=...)
    nearest_top_words: int = 5000
    retrieval_distractors: int = 10_000
    retrieval_max_tasks: int | None = None

    def grid(self, kind: str) -> dict:
        return {"learning_rate": getattr(self, f"{kind}_lrs"), "token_dropout": getattr(self, f"{kind}_token_dropouts")}

    def picked(self, kind: str) -> dict:
        return {"learning_rate": getattr(self, f"{kind}_lr"), "token_dropout": getattr(self, f"{kind}_token_dropout")}

    def train_kwargs(self, kind: str, **overrides) -> dict:
        """Arguments of :func:`tagzsl.tagspace.train` shared by every ``kind`` run (no dim/lr/p)."""
        kw = dict(epochs=getattr(self, f"{kind}_epochs"), max_draws=self.max_draws, margin=self.margin,
                  dropout=self.dropout, optimizer=self.optimizer, patience=self.patience,
                  batch_size=self.tagspace_batch_size if kind == "tagspace" else self.batch_size)
        if kind == "tagspace":
            kw["hidden"] = self.hidden
        return {**kw, **overrides}

    def training(self, kind: str, dim: int | None = None, **overrides) -> ts.TrainingSettings:
        """The :class:`tagzsl.tagspace.TrainingSettings` of a ``kind`` run: shared settings, the picked
        learning rate and token dropout, ``dim`` (default ``dims[0]``), then ``overrides``."""
        return ts.TrainingSettings(dim=self.dims[0] if dim is None else dim,
                                   **{**self.train_kwargs(kind), **self.picked(kind), **overrides})


FULL = Settings()
# LESSON (under 5 minutes on 2 cores): one d, H = 256, 6 + 4 epochs, no grid (FULL's picked settings),
# one seed, fewer nearest-word candidates and a smaller retrieval analogue; banner() lists the cuts.
LESSON = Settings(dims=(64,), hidden=256, wsabie_epochs=6, tagspace_epochs=4, wsabie_lrs=(0.003,),
                  wsabie_token_dropouts=(0.2,), tagspace_lrs=(0.001,), tagspace_token_dropouts=(0.4,),
                  n_seeds=1, nearest_top_words=2000, retrieval_distractors=2000, retrieval_max_tasks=200)
QUICK = Settings(dims=(16,), hidden=32, max_draws=100, wsabie_epochs=1, tagspace_epochs=1, wsabie_lrs=(0.01,),
                 wsabie_token_dropouts=(0.0, 0.2), tagspace_token_dropouts=(0.2,), wsabie_lr=0.01,
                 tagspace_token_dropout=0.2, n_seeds=2, train_limit=2000, quick_word2vec=True,
                 nearest_top_words=500, retrieval_distractors=1000, retrieval_max_tasks=50)


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

    def with_test(self, mask) -> TagCorpus:
        """The same corpus with only the test posts where ``mask`` is True (e.g. the long tail)."""
        test = self.test[np.asarray(mask, dtype=bool)].reset_index(drop=True)
        return TagCorpus(train=self.train, val=self.val, test=test, tags=self.tags, counts=self.counts)


def _ordered_tags(tags, train: pd.DataFrame) -> list:
    train_counts = train["hashtags"].explode().value_counts()
    return sorted(set(tags), key=lambda t: (-int(train_counts.get(t, 0)), t))


def build_corpus(clean: pd.DataFrame, min_count: int = 10, val_frac: float = 0.1, test_frac: float = 0.1,
                 seed: int = config.DEFAULT_SEED, train_limit: int | None = None) -> TagCorpus:
    """Posts keeping a hashtag seen ``>= min_count`` times in ``clean``; a seeded split.

    Counts are over the cleaned tweets (``clean["hashtags"]``); hashtags below the threshold
    are dropped from the posts and posts left with none are dropped. ``train_limit``: keep a
    seeded sample of that many training posts (smoke runs).
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
    order = np.random.default_rng(seed).permutation(len(frame))
    n_test, n_val = int(round(test_frac * len(frame))), int(round(val_frac * len(frame)))
    test = frame.iloc[np.sort(order[:n_test])].reset_index(drop=True)
    val = frame.iloc[np.sort(order[n_test:n_test + n_val])].reset_index(drop=True)
    train = frame.iloc[np.sort(order[n_test + n_val:])].reset_index(drop=True)
    if train_limit is not None and train_limit < len(train):
        train = train.sample(n=train_limit, random_state=seed).reset_index(drop=True)
    # every kept hashtag is a candidate; ordered by training frequency, then by name
    return TagCorpus(train=train, val=val, test=test, tags=_ordered_tags(keep, train),
                     counts=counts[counts >= min_count])


def corpus_from_frames(train: pd.DataFrame, val: pd.DataFrame, test: pd.DataFrame) -> TagCorpus:
    """A :class:`TagCorpus` from given splits (e.g. read back with :func:`read_fasttext`)."""
    all_tags = pd.concat([train["hashtags"], val["hashtags"], test["hashtags"]]).explode().dropna()
    return TagCorpus(train=train.reset_index(drop=True), val=val.reset_index(drop=True),
                     test=test.reset_index(drop=True), tags=_ordered_tags(all_tags, train),
                     counts=all_tags.value_counts())


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


# --------------------------------------------------------------------------- baselines
def train_counts(corpus: TagCorpus) -> np.ndarray:
    """Training-split count of each hashtag in ``corpus.tags`` order."""
    counts = corpus.train["hashtags"].explode().value_counts()
    return np.array([int(counts.get(t, 0)) for t in corpus.tags], dtype="float64")


def frequency_scores(n_posts: int, counts) -> np.ndarray:
    """Every post ranks hashtags by training frequency: ``(n_posts, n_tags)``."""
    counts = np.asarray(counts, dtype="float64")
    return np.broadcast_to(counts, (n_posts, len(counts))).copy()


def hashtag_word_scores(token_lists, tags, counts) -> np.ndarray:
    """#words: frequency, plus a bonus larger than any count for a hashtag that is a word of the post."""
    counts = np.asarray(counts, dtype="float64")
    scores = frequency_scores(len(token_lists), counts)
    index = {t: i for i, t in enumerate(tags)}
    bonus = counts.sum() + 1.0
    for row, tokens in enumerate(token_lists):
        for word in set(tokens):
            if word in index:
                scores[row, index[word]] += bonus
    return scores


def word2vec_scores(token_lists, tags, kv) -> np.ndarray:
    """Cosine of the mean of a post's word vectors with each hashtag's vector (hashtags trained as words)."""
    tag_vecs = np.stack([kv[t] if t in kv.key_to_index else np.zeros(kv.vector_size, "float32") for t in tags])
    posts = embeddings.mean_word_vectors(kv, list(token_lists))
    return embeddings.unit_rows(posts) @ embeddings.unit_rows(tag_vecs).T


def evaluate(scores: np.ndarray, positives, k: int = 10) -> dict:
    """P@1, R@k (percent) and mean rank of the true hashtags among all candidates."""
    return ts.ranking(scores, positives, k=k)


def top_hashtags(scores: np.ndarray, tags, k: int = 10) -> list[list[str]]:
    order = np.argsort(-scores, axis=1)[:, :k]
    return [[tags[j] for j in row] for row in order]


# --------------------------------------------------------------------------- result tables
def result_row(method: str, dim, scores: np.ndarray, positives, items: dict | None = None) -> dict:
    """One row of the Tables 3-4 layout: method, dim, P@1, R@10 (percent), mean rank. ``items``
    (a dict) receives the row's per-post values under :func:`stats.row_name`
    (:func:`tagzsl.metrics.multilabel_ranking_per_post`, for intervals over posts)."""
    if items is not None:
        from tagzsl import metrics

        items[stats.row_name(method, dim)] = metrics.multilabel_ranking_per_post(scores, positives, k=10)
    return {"method": method, "dim": dim, **evaluate(scores, positives)}


def baseline_rows(corpus: TagCorpus, kv, split: str = "test", items: dict | None = None) -> list[dict]:
    """Frequency, #words and word2vec on ``split``."""
    frame, pos = getattr(corpus, split), corpus.positives(split)
    counts, tokens = train_counts(corpus), list(frame["tokens"])
    return [result_row("Frequency", None, frequency_scores(len(frame), counts), pos, items),
            result_row("#words", None, hashtag_word_scores(tokens, corpus.tags, counts), pos, items),
            result_row("Word2vec", kv.vector_size, word2vec_scores(tokens, corpus.tags, kv), pos, items)]


def model_row(method: str, trained: ts.Trained, corpus: TagCorpus, split: str = "test",
              items: dict | None = None) -> dict:
    frame = getattr(corpus, split)
    scores = ts.predict_scores(trained.model, trained.encoder.words(frame["tokens"]))
    return result_row(method, trained.model.dim, scores, corpus.positives(split), items)


def prediction_table(corpus: TagCorpus, kv, trained: dict, split: str = "test",
                     items: dict | None = None) -> pd.DataFrame:
    """Baselines then every trained model (``{"WSABIE": {d: Trained}, "#TagSpace": {...}}``) on ``split``;
    ``items``: a dict to receive each row's per-post values (:func:`result_row`)."""
    rows = baseline_rows(corpus, kv, split, items)
    rows += [model_row(method, t, corpus, split, items) for method, by_dim in trained.items() for t in by_dim.values()]
    return pd.DataFrame(rows).assign(posts=len(getattr(corpus, split)))


def side_by_side(ours: pd.DataFrame, name: str) -> pd.DataFrame:
    """Our rows next to the paper's table ``name`` (``tagzsl.paper``; Tables 3-4: a prediction
    table, Table 5: :func:`retrieval_rows`), matched by method, paired by dim (both dims shown)."""
    theirs = paper.table(name).astype({"dim": "float"})
    cols = [m for m in ("P@1", "R@10", "R@50", "mean_rank") if m in theirs.columns or m in ours.columns]
    return paper.side_by_side(theirs, ours.astype({"dim": "float"}), on="method", metrics=cols)


def retrieval_rows(ret: pd.DataFrame, word2vec_dim=None) -> pd.DataFrame:
    """``tagzsl.retrieval.evaluate`` rows with method and dim apart (``"WSABIE d=64"``: WSABIE, 64),
    named as in the paper's Table 5 (``Word2vec`` at ``word2vec_dim``, ``BoW``)."""
    parts = ret["method"].str.extract(r"^(.*?)(?: d=(\d+))?$")
    method = parts[0].replace({"Word2Vec": "Word2vec", "BoW (TF-IDF)": "BoW"})
    dim = pd.to_numeric(parts[1]).astype(float).where(method != "Word2vec", word2vec_dim)
    return ret.assign(method=method, dim=dim)[["method", "dim"] + [c for c in ret.columns if c != "method"]]


# --------------------------------------------------------------------------- model selection
def grid_search(kind: str, corpus: TagCorpus, grid: dict, **kwargs):
    """Train ``kind`` once per combination of ``grid`` (argument -> values), pick on validation.

    Every run keeps its best validation epoch; the winner has the best validation P@1 + R@10
    (the test split is never looked at). ``kwargs`` go to every :func:`tagzsl.tagspace.train` call.
    Returns ``(best Trained, its settings, one row per run)``.
    """
    names = list(grid)
    if not names or any(len(grid[n]) == 0 for n in names):
        raise ValueError("grid needs at least one argument with at least one value")
    runs, rows = [], []
    for values in itertools.product(*(grid[n] for n in names)):
        settings = dict(zip(names, values))
        trained = ts.train(kind, corpus, **kwargs, **settings)
        row = ts.best_epoch(trained.history)
        runs.append((row["score"], settings, trained))
        rows.append({"model": kind, **settings, "best epoch": row["epoch"], "val P@1": row["P@1"],
                     "val R@10": row["R@10"], "val mean rank": row["mean_rank"], "seconds": trained.seconds})
    _, settings, trained = max(runs, key=lambda run: run[0])
    return trained, settings, pd.DataFrame(rows)


def val_score(trained: ts.Trained) -> float:
    """Validation P@1 + R@10 of the epoch a trained model kept."""
    return ts.best_epoch(trained.history)["score"]


def nearest_words(model, encoder: ts.Encoder, hashtags, k: int = 8, top_words: int = 5000) -> dict:
    """The ``k`` words whose one-word post embedding is closest (cosine) to each hashtag's vector.

    A word is embedded as the post made of that word alone (so TagSpace's convolution is
    applied); candidates are the ``top_words`` most frequent training words.
    """
    words = encoder.vocabulary_[2:2 + top_words]  # skip padding and [UNK]
    ids = np.zeros((len(words), encoder.seq_len), "int32")
    ids[:, 0] = np.arange(2, 2 + len(words))
    sims = embeddings.unit_rows(ts.post_embeddings(model, ids)) @ embeddings.unit_rows(
        np.asarray(model.tag_embeddings())[[encoder.tag_index_[h] for h in hashtags]]).T
    return {h: [words[j] for j in np.argsort(-sims[:, i])[:k]] for i, h in enumerate(hashtags)}


# --------------------------------------------------------------------------- seeds
def paired_seeds(corpus: TagCorpus, settings: Settings, seeds, *, encoder: ts.Encoder | None = None,
                 dim: int | None = None, wsabie: dict | None = None, tagspace: dict | None = None,
                 reuse: dict | None = None, log=None) -> SeedComparison:
    """Train WSABIE then TagSpace (from that WSABIE's tables) once per training seed; score the test split.

    ``wsabie`` / ``tagspace``: learning rate and token dropout (default ``settings.picked``);
    ``dim``: default ``settings.dims[0]``; ``reuse``: ``{seed: (wsabie Trained, tagspace Trained)}``
    already trained with these settings. The seed sets both models' initial tables, the CNN's
    weights, every dropout mask, the WARP draws and the shuffling; corpus and vocabulary are fixed.
    ``log``: called with one line per seed (e.g. ``print``).
    """
    dim = settings.dims[0] if dim is None else dim
    wsabie = wsabie or settings.picked("wsabie")
    tagspace = tagspace or settings.picked("tagspace")
    encoder = encoder or ts.Encoder().fit(corpus.train["tokens"], corpus.tags)
    rows = []
    for seed in seeds:
        if reuse and seed in reuse:
            w, t = reuse[seed]
        else:
            w = ts.train("wsabie", corpus, settings.training("wsabie", dim, **wsabie), encoder=encoder, seed=seed)
            t = ts.train("tagspace", corpus, settings.training("tagspace", dim, **tagspace), encoder=encoder,
                         seed=seed, init_from=w)
        for method, trained in (("WSABIE", w), ("#TagSpace", t)):
            best = ts.best_epoch(trained.history)["epoch"] if trained.history and "score" in trained.history[0] else None
            rows.append({"seed": seed, "method": method, **model_row(method, trained, corpus), "best epoch": best,
                         "seconds": trained.seconds})
        if log is not None:
            log(f"seed {seed}: " + "  ".join(f"{r['method']} {r['P@1']:.2f} / {r['R@10']:.2f} / {r['mean_rank']:.1f}"
                                             for r in rows[-2:]))
    return stats.compare(pd.DataFrame(rows).drop(columns=["dim"]), metrics=METRICS)


def banner(mode: str, seed: int, settings: Settings, corpus: TagCorpus) -> str:
    """The run's mode, seed, corpus size and settings, and every setting that differs from FULL."""
    s = settings
    cuts = [f"{f.name} {getattr(FULL, f.name)} -> {getattr(s, f.name)}" for f in fields(Settings)
            if getattr(s, f.name) != getattr(FULL, f.name)]
    return (f"MODE = {mode!r}, SEED = {seed}: {len(corpus.train):,} / {len(corpus.val):,} / {len(corpus.test):,} "
            f"train / validation / test posts, {len(corpus.tags):,} candidate hashtags\n"
            f"d = {', '.join(map(str, s.dims))}; WSABIE {s.wsabie_epochs} epochs, TagSpace H = {s.hidden}, "
            f"{s.tagspace_epochs} epochs; grid {len(s.wsabie_lrs) * len(s.wsabie_token_dropouts)} + "
            f"{len(s.tagspace_lrs) * len(s.tagspace_token_dropouts)} runs at d = {s.dims[0]}; {s.n_seeds} seed(s)\n"
            + ("the full protocol" if not cuts else "cut from full: " + "; ".join(cuts)))
