"""Table 2 of Kumar et al. (2019): the protocol of notebook 02.

* :func:`make_splits`: stratified k folds (``StratifiedKFold``, shuffled with the seed; 5 folds
  = 80/20), and a stratified validation slice carved out of each *training* fold for early
  stopping (:data:`tagzsl.supervised.EARLY_STOPPING`) and for choosing TF-IDF's ``C``; the
  test fold is only ever predicted.
* :func:`cross_validate`: every deep model (:class:`tagzsl.supervised.Classifier`, vocabulary
  adapted on the fold's training slice), TF-IDF + logistic regression and the source-only
  baseline (:func:`tagzsl.experiments.dataset.source_only_baseline`) on the same folds;
  accuracy and macro precision / recall / F1 in percent, mean ± sd (:func:`tagzsl.metrics.mean_sd`)
  over folds, training seconds, per-hashtag F1, confusion counts, Keras histories.
* :func:`side_by_side` (the paper's Table 2 beside ours) and the sentences computed from a
  run's numbers, with their uncertainty, are in :mod:`tagzsl.experiments.supervised_report`
  (:func:`verdict`, :func:`ordering`, :func:`above_chance` and :func:`summary` here call it).
* :mod:`tagzsl.experiments.supervised_studies`: the accuracy figure beside the paper's points,
  display tables, ``GridSearchCV`` with SciKeras (as the paper chose its hyper-parameters, on one
  fold's training part only), the learning curve and recommending for people.

Settings: :class:`Settings` with :data:`FULL`, :data:`LESSON` and :data:`QUICK`; the paper's
sizes are :data:`PAPER_MODELS` (from :func:`tagzsl.models.paper_hparams`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tagzsl import config, metrics, models, supervised
from tagzsl.supervised import METRICS

#: Table 2's row names and the :mod:`tagzsl.models` network each is.
ROWS = {"ANN": "ann", "CNN": "cnn", "RNN": "gru", "RNN+attention": "gru_attention", "Transformer": "transformer"}
#: The paper's models at the paper's sizes (Kumar et al. 2019, section 5).
PAPER_MODELS = {row: {"model": name, **models.paper_hparams(name)} for row, name in ROWS.items()}
TFIDF = "TF-IDF + LR"
#: the row of :func:`tagzsl.experiments.dataset.source_only_baseline` (a tweet's label from its source alone)
SOURCE_ONLY = "source only"
#: rows that are not deep models
BASELINES = (TFIDF, SOURCE_ONLY)
_RUN_KEYS = ("epochs", "batch_size", "sequence_length", "patience")


@dataclass(frozen=True)
class Settings:
    """One run of notebook 02 (and the sizes ``tagzsl train`` uses for a supervised method).

    ``models``: ``{row name: {"model": registry name, **build_model hyper-parameters}}``; a spec
    may also override ``epochs``, ``batch_size``, ``sequence_length`` or ``patience``.
    """

    mode: str
    models: dict
    epochs: int
    patience: int
    max_folds: int | None                       # None: all n_splits folds
    per_hashtag: int = 200                      # at most this many tweets per hashtag (the paper's 200)
    quick_corpus: bool = False                  # corpus.prepare(quick=...): 1-epoch word2vec
    batch_size: int = 64
    sequence_length: int = 25                   # 99% of the cleaned top-50 tweets have <= 25 words
    n_splits: int = 5
    validation_fraction: float = 0.1
    tfidf_Cs: tuple = (10.0, 100.0)
    grid: dict = field(default_factory=lambda: {"units": [256, 1024]})   # ANN grid (GridSearchCV)
    grid_model: str = "ann"
    grid_cv: int = 3
    grid_epochs: int = 5
    grid_max_tweets: int | None = None          # subsample fold 1's training part for the grid
    curve_row: str = "ANN"
    curve_fractions: tuple = (0.25, 0.5, 0.75, 1.0)
    demo_row: str = "RNN"                       # the recommender of the "for people" section
    demo_unseen: int = 10
    demo_train_stride: int = 1                  # train on every n-th tweet of the seen hashtags
    cut: str = ""                               # what this mode leaves out, against the paper

    def spec(self, name: str) -> dict:
        """The :class:`tagzsl.supervised.Classifier` arguments of a row (``"RNN"``) or a registry
        name (``"gru"``): its hyper-parameters plus this run's epochs, batch, length, patience."""
        by_model = {s["model"]: row for row, s in self.models.items()}
        row = name if name in self.models else by_model.get(name)
        if row is None:
            raise ValueError(f"{name!r} is not a model of the {self.mode} settings; choose one of "
                             f"{sorted(by_model)}")
        spec = dict(self.models[row])
        run = {k: getattr(self, k) for k in _RUN_KEYS}
        run.update({k: spec.pop(k) for k in _RUN_KEYS if k in spec})
        return {**run, **spec}


FULL = Settings(
    mode="full", epochs=10, patience=2, max_folds=None,
    models={"ANN": {"model": "ann", "units": 1024},
            "CNN": {"model": "cnn", "units": 512, "units2": 256},
            "RNN": {"model": "gru", "units": 128},
            "RNN+attention": {"model": "gru_attention", "units": 128},
            "Transformer": {"model": "transformer", "num_blocks": 2, "num_heads": 6, "ff_dim": 300}},
    cut="One epoch of the paper-size 2 x 1024 GRU takes about 300 s on the 2-core CPU "
        "(benchmarks/supervised_speed.py), so the recurrent layers have 128 units, the CNN 512 and "
        "the Transformer 2 blocks (FFN 300); the ANN keeps the paper's 1024 units. Up to 200 tweets per "
        "hashtag as the paper (fewer where notebook 01's label set falls back; its note is printed).")

LESSON = Settings(
    mode="lesson", epochs=8, patience=2, max_folds=1, per_hashtag=100, tfidf_Cs=(10.0,),
    models={"ANN": {"model": "ann", "units": 256},
            "CNN": {"model": "cnn", "units": 256, "units2": 128},
            "RNN+attention": {"model": "gru_attention", "units": 64}},
    grid={"units": [64, 256]}, grid_cv=2, grid_epochs=3, grid_max_tweets=1500,
    curve_fractions=(0.5, 1.0), demo_row="RNN+attention",
    cut="One fold of five (no standard deviation); 100 tweets per hashtag instead of up to 200; three of "
        "the five models (no RNN, no Transformer: the paper's ordering is checked on the pairs of ANN, CNN and "
        "RNN+attention), smaller (ANN 256, CNN 256, RNN+attention 64 units); TF-IDF + LR with C = 10 "
        "(not chosen on validation); a 2-point grid on 1,500 tweets; a 2-point learning curve.")

QUICK = Settings(
    mode="quick", epochs=2, patience=1, max_folds=1, per_hashtag=20, quick_corpus=True,
    models={"ANN": {"model": "ann", "units": 32},
            "CNN": {"model": "cnn", "units": 32, "units2": 16, "filters": 8},
            "RNN": {"model": "gru", "units": 16},
            "RNN+attention": {"model": "gru_attention", "units": 16},
            "Transformer": {"model": "transformer", "num_blocks": 1, "num_heads": 2, "ff_dim": 32}},
    grid={"units": [32, 64]}, grid_cv=2, grid_epochs=1, grid_max_tweets=600,
    curve_fractions=(0.5, 1.0), demo_train_stride=4,
    cut="A smoke test, not a result: 20 tweets per hashtag, 1-epoch word vectors, one fold, "
        "tiny models, 2 epochs.")


@dataclass
class CVResult:
    """Everything :func:`cross_validate` measured (rates in percent).

    * ``table``: one row per model: ``<metric>_mean``/``<metric>_std`` for accuracy, macro
      precision, recall, F1, plus ``train_seconds_mean``, ``epochs_mean``, ``seconds_per_epoch``, ``folds``.
    * ``folds``: one row per (model, fold) with the four metrics, ``train_seconds``, ``epochs``.
    * ``per_hashtag``: F1 per (model, hashtag), averaged over folds.
    * ``histories``: ``{(model, fold): keras history dict}`` (training curves, fractions as Keras logs them).
    * ``splits``: ``[(train_idx, val_idx, test_idx)]`` actually used, for auditing.
    * ``confusion``: ``{model: counts summed over test folds}`` (rows true, columns predicted,
      in ``classes`` order); ``classes``: the label order.
    """

    table: pd.DataFrame
    folds: pd.DataFrame
    per_hashtag: pd.DataFrame
    histories: dict = field(default_factory=dict)
    splits: list = field(default_factory=list)
    confusion: dict = field(default_factory=dict)
    classes: list = field(default_factory=list)


def top50(settings: Settings, root=None, seed: int = config.DEFAULT_SEED, files=None):
    """The prepared corpus and its top-50 set: ``(prepared, raw texts, hashtags)``.

    ``files``: a person's own files instead of the built-in corpus (:func:`tagzsl.corpus.from_files`,
    which keeps no raw post: the "raw texts" are then the cleaned ones)."""
    from tagzsl import corpus

    prep = corpus.prepare(root=root, quick=settings.quick_corpus, seed=seed, per_hashtag=settings.per_hashtag,
                          files=files)
    column = "raw" if "raw" in prep.clean.columns else "text"
    raw = prep.clean.set_index("id")[column].loc[prep.top["id"]].tolist()
    return prep, raw, prep.top["hashtag"].tolist()


def make_splits(labels, n_splits: int = 5, validation_fraction: float = 0.1,
                seed: int = config.DEFAULT_SEED) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """``[(train_idx, val_idx, test_idx)]``: stratified k folds, and a stratified validation
    slice carved out of each training fold only (never from the test fold)."""
    from sklearn.model_selection import StratifiedKFold, train_test_split

    labels = np.asarray(labels)
    counts = pd.Series(labels).value_counts()
    if counts.min() < n_splits:
        raise ValueError(f"hashtag {counts.idxmin()!r} has {counts.min()} tweets, fewer than "
                         f"n_splits={n_splits}; cannot stratify")
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    out = []
    for train, test in folds.split(np.zeros(len(labels)), labels):
        n_val = int(round(validation_fraction * len(train)))
        stratify = labels[train] if n_val >= counts.size else None
        fit, val = train_test_split(train, test_size=validation_fraction, random_state=seed,
                                    stratify=stratify)
        out.append((np.sort(fit), np.sort(val), np.sort(test)))
    return out


def prepared_texts(texts, labels, cleaned):
    from tagzsl import preprocess

    labels = [preprocess.normalise_hashtag(h) for h in labels]
    texts = list(texts) if cleaned else preprocess.clean_texts(texts)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    return np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)


def cross_validate(texts, labels, settings: Settings = FULL, vectors=None, seed: int = config.DEFAULT_SEED,
                   cleaned: bool = False, tfidf: bool = True, sources=None, log=print) -> CVResult:
    """Run the Table 2 protocol with ``settings`` (its ``models``, folds, epochs, ...).

    ``texts``: raw tweets, or cleaned space-joined texts with ``cleaned=True``; ``labels``: one
    hashtag each; ``vectors``: the skip-gram ``KeyedVectors`` (Embedding initialiser). Fold ``k``
    trains with seed ``seed + k``. ``tfidf`` adds the TF-IDF + LR row (``C`` from
    ``settings.tfidf_Cs``, chosen on the validation slice). ``sources`` (one source name per
    text, e.g. ``prepare().top["source"]``) adds the source-only row: each test tweet gets the
    most frequent label of its source in the fold's training part (fit and validation slices).
    """
    from sklearn.metrics import confusion_matrix, f1_score

    unknown = [m for m, spec in settings.models.items() if "model" not in spec]
    if unknown:
        raise ValueError(f"model rows {unknown} have no 'model' entry (a name from tagzsl.models)")
    texts_a, labels_a = prepared_texts(texts, labels, cleaned)
    if sources is not None:
        sources = np.asarray(list(sources), dtype=object)
        if len(sources) != len(labels_a):
            raise ValueError(f"{len(sources)} sources but {len(labels_a)} labels: pass one source per tweet")
    classes = sorted(set(labels_a))
    splits = make_splits(labels_a, settings.n_splits, settings.validation_fraction, seed)
    splits = splits[: settings.max_folds or settings.n_splits]
    rows, per_tag, histories, confusion = [], [], {}, {}

    def record(name, fold, y_true, y_pred, seconds, n_epochs, extra=None):
        rows.append({"model": name, "fold": fold, **supervised.classification_scores(y_true, y_pred),
                     "train_seconds": seconds, "epochs": n_epochs, **(extra or {})})
        f1 = 100 * f1_score(y_true, y_pred, labels=classes, average=None, zero_division=0)
        per_tag.extend({"model": name, "fold": fold, "hashtag": c, "f1": v} for c, v in zip(classes, f1))
        confusion[name] = confusion.get(name, 0) + confusion_matrix(y_true, y_pred, labels=classes)

    for fold, (fit, val, test) in enumerate(splits):
        for name in settings.models:
            clf = supervised.Classifier(seed=seed + fold, vectors=vectors, **settings.spec(name))
            start = time.perf_counter()
            clf.fit(texts_a[fit], labels_a[fit], validation_data=(texts_a[val], labels_a[val]))
            seconds = time.perf_counter() - start
            histories[(name, fold)] = clf.history_
            record(name, fold, labels_a[test], clf.predict(texts_a[test]), seconds, clf.epochs_trained())
            log(f"fold {fold + 1}/{len(splits)} {name}: accuracy {rows[-1]['accuracy']:.1f}%, "
                f"{clf.epochs_trained()} epochs, {seconds:.0f} s")
        if tfidf:
            start = time.perf_counter()
            model, C = supervised.fit_tfidf(texts_a[fit], labels_a[fit], texts_a[val], labels_a[val],
                                            settings.tfidf_Cs, seed)
            record(TFIDF, fold, labels_a[test], model.predict(list(texts_a[test])),
                   time.perf_counter() - start, np.nan, {"C": C})
            log(f"fold {fold + 1}/{len(splits)} {TFIDF} (C={C:g}): accuracy {rows[-1]['accuracy']:.1f}%")
        if sources is not None:
            from tagzsl.experiments import dataset

            start = time.perf_counter()
            train = np.concatenate([fit, val])
            pred = dataset.source_only_baseline(sources[train], labels_a[train], sources[test])
            record(SOURCE_ONLY, fold, labels_a[test], np.asarray(pred, dtype=object),
                   time.perf_counter() - start, np.nan)
            log(f"fold {fold + 1}/{len(splits)} {SOURCE_ONLY}: accuracy {rows[-1]['accuracy']:.1f}%")

    folds = pd.DataFrame(rows)
    per_hashtag = pd.DataFrame(per_tag).groupby(["model", "hashtag"], sort=False)["f1"].mean().reset_index()
    return CVResult(table=summarise(folds), folds=folds, per_hashtag=per_hashtag, histories=histories,
                    splits=splits, confusion=confusion, classes=classes)


def summarise(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and sd (:func:`tagzsl.metrics.mean_sd`) over folds, one row per model (first-seen order)."""
    out = []
    for name, g in folds.groupby("model", sort=False):
        row = {"model": name}
        for m in METRICS:
            row[f"{m}_mean"], row[f"{m}_std"] = metrics.mean_sd(g[m])
        row["train_seconds_mean"] = g["train_seconds"].mean()
        row["epochs_mean"] = g["epochs"].mean()
        row["seconds_per_epoch"] = row["train_seconds_mean"] / row["epochs_mean"]
        row["folds"] = len(g)
        out.append(row)
    return pd.DataFrame(out)


def formatted(table: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """``mean ± sd`` strings per metric (percent), for display; the mean alone for one fold."""
    out = pd.DataFrame({"model": table["model"]})
    for m in METRICS:
        out[m] = [f"{a:.{digits}f} ± {s:.{digits}f}" if n > 1 else f"{a:.{digits}f}"
                  for a, s, n in zip(table[f"{m}_mean"], table[f"{m}_std"], table["folds"])]
    return out


def side_by_side(table: pd.DataFrame) -> pd.DataFrame:
    """The paper's Table 2 (:func:`tagzsl.paper.table`) beside our means, row by row."""
    from tagzsl import paper

    ours = table.rename(columns={"accuracy_mean": "accuracy", "precision_mean": "precision",
                                 "recall_mean": "recall", "f1_mean": "F1"})
    return paper.side_by_side(paper.table("kumar_table2"), ours, on="model",
                              metrics=["accuracy", "precision", "recall", "F1"])
