"""Table 2 of Kumar et al. (2019): supervised hashtag classification under 5-fold CV.

Protocol (:func:`cross_validate`):

* stratified k-fold cross-validation (``sklearn.model_selection.StratifiedKFold``, shuffled with
  the seed; 5 folds = 80/20 train/test);
* inside each *training* fold, a stratified validation slice (``validation_fraction``, 10%)
  is held out for early stopping (patience on the validation loss, best weights restored); the
  test fold is only ever predicted, never seen by training, early stopping or vocabulary;
* each deep model is a :class:`tagzsl.recommender.HashtagRecommender` (the same code a user
  trains), with its vocabulary adapted on the fold's training slice;
* a TF-IDF (word 1-2 grams) + logistic regression row on the same folds, its ``C`` chosen
  on the same validation slice (trained on the same training slice);
* accuracy and macro precision / recall / F1 on the test fold; mean and standard deviation
  (``ddof=1``) over folds; training seconds per fold; per-hashtag F1; Keras histories.

:func:`grid_search` runs scikit-learn's ``GridSearchCV`` over a small grid with SciKeras'
``KerasClassifier``, as the paper chose its hyper-parameters.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tagzsl import config

METRICS = ("accuracy", "precision", "recall", "f1")

#: The paper's models at the paper's sizes (Kumar et al. 2019, section 5).
PAPER_MODELS = {"ANN": {"model": "ann", "units": 1024},
                "CNN": {"model": "cnn", "units": 1024, "units2": 256},
                "RNN": {"model": "gru", "units": 1024},
                "RNN+attention": {"model": "gru_attention", "units": 1024},
                "Transformer": {"model": "transformer", "num_blocks": 6, "num_heads": 6, "ff_dim": 600}}

#: The sizes of the committed full run (notebook 02): what fits ~25 minutes for 5 models x
#: 5 folds on 2 shared CPU cores. One epoch of the paper-size 2 x 1024 GRU takes 1000-1350 s
#: here (notebook 02, benchmarks/supervised_speed.py), so the recurrent layers use 128 units
#: and the Transformer 2 blocks (FFN 300); the ANN keeps the paper's 1024 units.
FULL_RUN = {"models": {"ANN": {"model": "ann", "units": 1024},
                       "CNN": {"model": "cnn", "units": 512, "units2": 256},
                       "RNN": {"model": "gru", "units": 128},
                       "RNN+attention": {"model": "gru_attention", "units": 128},
                       "Transformer": {"model": "transformer", "num_blocks": 2, "num_heads": 6, "ff_dim": 300}},
            "epochs": 10, "batch_size": 64, "sequence_length": 25, "patience": 2, "n_splits": 5,
            "max_folds": None}

#: Quick mode: the same five models, tiny, one fold, two epochs (a smoke run, not a result).
QUICK_RUN = {"models": {"ANN": {"model": "ann", "units": 32},
                        "CNN": {"model": "cnn", "units": 32, "units2": 16, "filters": 8},
                        "RNN": {"model": "gru", "units": 16},
                        "RNN+attention": {"model": "gru_attention", "units": 16},
                        "Transformer": {"model": "transformer", "num_blocks": 1, "num_heads": 2,
                                        "ff_dim": 32}},
             "epochs": 2, "batch_size": 64, "sequence_length": 25, "patience": 1, "n_splits": 5,
             "max_folds": 1}


@dataclass
class CVResult:
    """Everything :func:`cross_validate` measured.

    * ``table``: one row per model: ``<metric>_mean``/``<metric>_std`` for accuracy, macro
      precision, recall, F1, plus ``train_seconds_mean``, ``epochs_mean``, ``seconds_per_epoch``.
    * ``folds``: one row per (model, fold) with the four metrics, ``train_seconds``, ``epochs``.
    * ``per_hashtag``: F1 per (model, hashtag), averaged over folds.
    * ``histories``: ``{(model, fold): keras history dict}`` (training curves).
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


def scores(y_true, y_pred) -> dict:
    """Accuracy and macro precision, recall and F1 (``zero_division=0``)."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, average="macro", zero_division=0)
    return {"accuracy": accuracy_score(y_true, y_pred), "precision": p, "recall": r, "f1": f}


def tfidf_logreg(C: float = 10.0, seed: int = config.DEFAULT_SEED):
    """TF-IDF over word 1-2 grams of the cleaned text + multinomial logistic regression (saga
    solver: the same validation accuracy as lbfgs here, 10-30x faster)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), token_pattern=None, tokenizer=str.split, lowercase=False,
                        sublinear_tf=True, min_df=1),
        LogisticRegression(C=C, solver="saga", max_iter=1000, random_state=seed))


def _fit_tfidf(x_fit, y_fit, x_val, y_val, Cs, seed):
    best = None
    for C in Cs:
        model = tfidf_logreg(C, seed).fit(x_fit, y_fit)
        acc = float(np.mean(model.predict(x_val) == np.asarray(y_val)))
        if best is None or acc > best[0]:
            best = (acc, C, model)
    return best[2], best[1]


def _train_and_predict(spec: dict, texts_a, labels_a, fit, val, test, *, epochs, batch_size,
                       sequence_length, patience, seed, vectors):
    """Train one deep model on ``fit`` (early stopping on ``val``) and predict ``test``.

    ``spec`` holds ``model`` plus model hyper-parameters, and may override ``epochs``,
    ``batch_size``, ``sequence_length`` and ``patience``. Returns (recommender, predictions, seconds).
    """
    from tagzsl.recommender import HashtagRecommender

    spec = dict(spec)
    run = {"epochs": epochs, "batch_size": batch_size, "sequence_length": sequence_length,
           "patience": patience}
    run.update({k: spec.pop(k) for k in list(run) if k in spec})
    rec = HashtagRecommender(spec.pop("model"), seed=seed, vectors=vectors, **run, **spec)
    start = time.perf_counter()
    rec._fit_cleaned(texts_a[fit].tolist(), labels_a[fit].tolist(),
                     validation_data=(texts_a[val].tolist(), labels_a[val].tolist()))
    seconds = time.perf_counter() - start
    proba = rec._predict_proba_cleaned(texts_a[test].tolist())
    return rec, np.asarray(rec.classes_, dtype=object)[proba.argmax(1)], seconds


def cross_validate(texts, labels, models: dict, vectors=None, n_splits: int = 5,
                   max_folds: int | None = None, validation_fraction: float = 0.1,
                   epochs: int = 10, batch_size: int = 32, sequence_length: int = 30,
                   patience: int = 2, tfidf: bool = True, tfidf_Cs=(10.0, 100.0),
                   seed: int = config.DEFAULT_SEED, cleaned: bool = False, log=print) -> CVResult:
    """Run the Table 2 protocol.

    Args:
        texts: raw tweet texts (or already cleaned, space-joined texts with ``cleaned=True``).
        labels: one hashtag per text.
        models: ``{row name: {"model": registry name, **hyper-parameters}}``, e.g.
            ``{"GRU": {"model": "gru", "units": 256}}``; a hyper-parameter may also override
            ``epochs``, ``batch_size``, ``sequence_length`` or ``patience`` for that model.
        vectors: the skip-gram ``KeyedVectors`` (embedding initialiser).
        max_folds: run only the first ``max_folds`` folds (quick mode); std is then NaN for 1.
        tfidf: add the TF-IDF + logistic regression row (``C`` picked from ``tfidf_Cs`` on the
            validation slice).
    """
    from sklearn.metrics import confusion_matrix, f1_score

    from tagzsl.recommender import clean_texts, normalise_hashtag

    labels = [normalise_hashtag(h) for h in labels]
    texts = list(texts) if cleaned else clean_texts(texts)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    unknown = [m for m, spec in models.items() if "model" not in spec]
    if unknown:
        raise ValueError(f"model rows {unknown} have no 'model' entry (a name from tagzsl.models)")
    texts_a, labels_a = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
    classes = sorted(set(labels))
    splits = make_splits(labels_a, n_splits, validation_fraction, seed)[: max_folds or n_splits]
    rows, per_tag, histories, confusion = [], [], {}, {}

    def record(name, fold, y_true, y_pred, seconds, n_epochs, extra=None):
        rows.append({"model": name, "fold": fold, **scores(y_true, y_pred), "train_seconds": seconds,
                     "epochs": n_epochs, **(extra or {})})
        f1 = f1_score(y_true, y_pred, labels=classes, average=None, zero_division=0)
        per_tag.extend({"model": name, "fold": fold, "hashtag": c, "f1": v} for c, v in zip(classes, f1))
        confusion[name] = confusion.get(name, 0) + confusion_matrix(y_true, y_pred, labels=classes)

    for fold, (fit, val, test) in enumerate(splits):
        for name, spec in models.items():
            rec, pred, seconds = _train_and_predict(
                spec, texts_a, labels_a, fit, val, test, epochs=epochs, batch_size=batch_size,
                sequence_length=sequence_length, patience=patience, seed=seed + fold, vectors=vectors)
            n_epochs = len(rec.history_["loss"])
            histories[(name, fold)] = rec.history_
            record(name, fold, labels_a[test], pred, seconds, n_epochs)
            log(f"fold {fold + 1}/{len(splits)} {name}: accuracy {rows[-1]['accuracy']:.3f}, "
                f"{n_epochs} epochs, {seconds:.0f} s")
        if tfidf:
            start = time.perf_counter()
            model, C = _fit_tfidf(texts_a[fit], labels_a[fit], texts_a[val], labels_a[val], tfidf_Cs, seed)
            seconds = time.perf_counter() - start
            record("TF-IDF + LR", fold, labels_a[test], model.predict(texts_a[test]), seconds, np.nan, {"C": C})
            log(f"fold {fold + 1}/{len(splits)} TF-IDF + LR (C={C:g}): accuracy {rows[-1]['accuracy']:.3f}")

    folds = pd.DataFrame(rows)
    return CVResult(table=summarise(folds), folds=folds,
                    per_hashtag=pd.DataFrame(per_tag).groupby(["model", "hashtag"], sort=False)["f1"]
                    .mean().reset_index(),
                    histories=histories, splits=splits, confusion=confusion, classes=classes)


def summarise(folds: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation over folds, one row per model (in first-seen order)."""
    order = list(dict.fromkeys(folds["model"]))
    g = folds.groupby("model", sort=False)
    table = pd.DataFrame(index=pd.Index(order, name="model"))
    for m in METRICS:
        table[f"{m}_mean"] = g[m].mean()
        table[f"{m}_std"] = g[m].std(ddof=1)
    table["train_seconds_mean"] = g["train_seconds"].mean()
    table["epochs_mean"] = g["epochs"].mean()
    table["seconds_per_epoch"] = table["train_seconds_mean"] / table["epochs_mean"]
    table["folds"] = g.size()
    return table.reset_index()


def formatted(table: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """``mean ± std`` strings per metric, for display beside the paper's table."""
    out = pd.DataFrame({"model": table["model"]})
    for m in METRICS:
        out[m] = [f"{a:.{digits}f} ± {s:.{digits}f}" if np.isfinite(s) else f"{a:.{digits}f}"
                  for a, s in zip(table[f"{m}_mean"], table[f"{m}_std"])]
    return out


def grid_search(texts, labels, param_grid: dict, model: str = "gru", vectors=None, cv: int = 3,
                epochs: int = 3, batch_size: int = 32, sequence_length: int = 30,
                seed: int = config.DEFAULT_SEED, cleaned: bool = False, n_jobs: int = 1) -> pd.DataFrame:
    """``GridSearchCV`` over ``param_grid`` (keys are :func:`tagzsl.models.build_model`
    hyper-parameters, e.g. ``{"units": [64, 128]}``) with SciKeras' ``KerasClassifier``.

    Call it on *training* data only (the notebook uses the first fold's training part).
    The vocabulary is adapted once on ``texts``. Returns ``cv_results_`` as a DataFrame sorted
    by rank (``params``, ``mean_test_score``, ``std_test_score``, ``mean_fit_time``).
    """
    import keras
    from scikeras.wrappers import KerasClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from tagzsl import embeddings, models
    from tagzsl.recommender import clean_texts, normalise_hashtag

    texts = list(texts) if cleaned else clean_texts(texts)
    labels = np.asarray([normalise_hashtag(h) for h in labels], dtype=object)
    vectorizer = models.text_vectorizer(texts, sequence_length)
    vocabulary = vectorizer.get_vocabulary()
    matrix = embeddings.embedding_matrix(vectors, vocabulary)[0] if vectors is not None else None
    x = models.vectorize(vectorizer, texts)

    def build(meta, **hparams):
        return models.build_model(model, vocab_size=len(vocabulary), num_classes=meta["n_classes_"],
                                  embedding_matrix=matrix, sequence_length=sequence_length, **hparams)

    defaults = {k: v[0] for k, v in param_grid.items()}
    keras.utils.set_random_seed(seed)
    clf = KerasClassifier(model=build, epochs=epochs, batch_size=batch_size, verbose=0,
                          random_state=seed, **{f"model__{k}": v for k, v in defaults.items()})
    search = GridSearchCV(clf, {f"model__{k}": v for k, v in param_grid.items()},
                          cv=StratifiedKFold(cv, shuffle=True, random_state=seed), scoring="accuracy",
                          n_jobs=n_jobs, refit=False)
    search.fit(x, labels)
    res = pd.DataFrame(search.cv_results_)
    res["params"] = [{k.removeprefix("model__"): v for k, v in p.items()} for p in res["params"]]
    return res[["params", "mean_test_score", "std_test_score", "mean_fit_time", "rank_test_score"]] \
        .sort_values("rank_test_score").reset_index(drop=True)


def learning_curve(texts, labels, split, spec: dict, vectors=None, fractions=(0.25, 0.5, 1.0),
                   epochs: int = 10, batch_size: int = 32, sequence_length: int = 30, patience: int = 2,
                   tfidf_Cs=(10.0, 100.0), seed: int = config.DEFAULT_SEED) -> pd.DataFrame:
    """Test accuracy of one deep model (``spec``) and TF-IDF + LR trained on growing stratified
    fractions of one split's training slice (``split = (fit, val, test)`` from :func:`make_splits`;
    ``texts`` already cleaned). Early stopping and ``C`` use the full validation slice.
    Returns ``fraction, n_train, model, accuracy``."""
    from sklearn.model_selection import train_test_split

    from tagzsl.recommender import HashtagRecommender

    texts_a, labels_a = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
    fit, val, test = split
    rows = []
    for frac in fractions:
        part = fit if frac >= 1 else train_test_split(fit, train_size=frac, random_state=seed,
                                                      stratify=labels_a[fit])[0]
        s = dict(spec)
        rec = HashtagRecommender(s.pop("model"), epochs=epochs, batch_size=batch_size,
                                 sequence_length=sequence_length, patience=patience, seed=seed,
                                 vectors=vectors, **s)
        rec._fit_cleaned(texts_a[part].tolist(), labels_a[part].tolist(),
                         validation_data=(texts_a[val].tolist(), labels_a[val].tolist()))
        pred = np.asarray(rec.classes_, dtype=object)[rec._predict_proba_cleaned(texts_a[test].tolist()).argmax(1)]
        rows.append({"fraction": frac, "n_train": len(part), "model": spec["model"],
                     "accuracy": float(np.mean(pred == labels_a[test]))})
        model, _ = _fit_tfidf(texts_a[part], labels_a[part], texts_a[val], labels_a[val], tfidf_Cs, seed)
        rows.append({"fraction": frac, "n_train": len(part), "model": "TF-IDF + LR",
                     "accuracy": float(np.mean(model.predict(texts_a[test]) == labels_a[test]))})
    return pd.DataFrame(rows)


#: The regularisation configurations tried on validation data only (notebook 02, section
#: "Regularisation tried"), with the search settings used: every spec is a
#: :func:`tagzsl.models.build_model` spec; the first row of each is the committed full run's model.
REGULARISATION_STUDIES = {
    "ann": {"inner_folds": 3, "epochs": 30, "patience": 4, "configs": {
        "ANN 1024 (full run)": {"model": "ann", "units": 1024},
        "ANN 1024, frozen embeddings": {"model": "ann", "units": 1024, "trainable_embeddings": False},
        "ANN 1024, lr 3e-4, out dropout 0.5": {"model": "ann", "units": 1024, "learning_rate": 3e-4,
                                              "output_dropout": 0.5},
        "ANN 1024, emb dropout 0.3, out dropout 0.5": {"model": "ann", "units": 1024,
                                                      "embedding_dropout": 0.3, "output_dropout": 0.5},
        "ANN 1024, out dropout 0.5, L2 1e-4": {"model": "ann", "units": 1024, "output_dropout": 0.5,
                                              "l2": 1e-4},
        "ANN 256, out dropout 0.5, L2 1e-4": {"model": "ann", "units": 256, "output_dropout": 0.5, "l2": 1e-4},
        "ANN 256, out dropout 0.5, L2 1e-3": {"model": "ann", "units": 256, "output_dropout": 0.5, "l2": 1e-3},
        "ANN 256, out dropout 0.7, L2 1e-4": {"model": "ann", "units": 256, "output_dropout": 0.7, "l2": 1e-4},
        "ANN 256, emb dropout 0.2, out dropout 0.5, L2 1e-4": {"model": "ann", "units": 256,
                                                              "embedding_dropout": 0.2,
                                                              "output_dropout": 0.5, "l2": 1e-4}}},
    "gru_attention": {"inner_folds": 2, "epochs": 20, "patience": 3, "configs": {
        "RNN+attention 128 (full run)": {"model": "gru_attention", "units": 128},
        "RNN+attention 128, emb dropout 0.3, out dropout 0.5": {"model": "gru_attention", "units": 128,
                                                               "embedding_dropout": 0.3,
                                                               "output_dropout": 0.5},
        "RNN+attention 128, frozen embeddings, out dropout 0.5": {"model": "gru_attention", "units": 128,
                                                                 "trainable_embeddings": False,
                                                                 "output_dropout": 0.5},
        "RNN+attention 64, GRU dropout 0.3, out dropout 0.5, L2 1e-4": {
            "model": "gru_attention", "units": 64, "dropout": 0.3, "output_dropout": 0.5, "l2": 1e-4}}},
}


def regularisation_study(study: str = "ann", data_root=None, seed: int = config.DEFAULT_SEED,
                         log=print) -> pd.DataFrame:
    """Run one of :data:`REGULARISATION_STUDIES` on the TweetEval top-50 set: the inner folds of
    the training part of outer fold 1 of the Table 2 splits (:func:`regularisation_search`).

    ``python -c "from tagzsl import supervised; print(supervised.regularisation_study('ann'))"``
    (``'gru_attention'`` for the RNN + attention study; 4-5 minutes and ~12 minutes here).
    """
    from tagzsl import corpus
    from tagzsl.recommender import clean_texts, normalise_hashtag

    if study not in REGULARISATION_STUDIES:
        raise ValueError(f"unknown study {study!r}; choose one of {list(REGULARISATION_STUDIES)}")
    settings = dict(REGULARISATION_STUDIES[study])
    configs = settings.pop("configs")
    prep = corpus.prepare(root=data_root, seed=seed)
    raw_by_id = prep.clean.set_index("id")["raw"]
    texts = clean_texts(raw_by_id.loc[prep.top["id"]].tolist())
    labels = [normalise_hashtag(h) for h in prep.top["hashtag"]]
    outer = make_splits(np.asarray(labels, dtype=object), FULL_RUN["n_splits"], seed=seed)[0]
    return regularisation_search(texts, labels, outer, configs, vectors=prep.vectors,
                                 batch_size=FULL_RUN["batch_size"],
                                 sequence_length=FULL_RUN["sequence_length"], seed=seed, log=log, **settings)


def regularisation_search(texts, labels, outer_split, configs: dict, vectors=None, inner_folds: int = 2,
                          n_inner_splits: int = 5, epochs: int = 15, batch_size: int = 64,
                          sequence_length: int = 25, patience: int = 3, tfidf_Cs=(10.0, 100.0),
                          seed: int = config.DEFAULT_SEED, log=print) -> pd.DataFrame:
    """Compare regularised deep configurations with TF-IDF + LR **on validation data only**.

    The training part of ``outer_split`` (``fit`` and ``val`` of one :func:`make_splits` fold;
    its test fold is never touched) is split again with :func:`make_splits` into
    ``n_inner_splits`` stratified inner folds, of which the first ``inner_folds`` are used: each
    config (and TF-IDF + LR, ``C`` from ``tfidf_Cs``) trains on the inner fit slice, early-stops
    (or picks ``C``) on the inner validation slice and is scored on the inner held-out part.
    ``texts`` are cleaned texts. Returns one row per (config, inner fold): ``config, inner_fold,
    accuracy, epochs, seconds``.
    """
    texts_a, labels_a = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
    outer_train = np.sort(np.concatenate([outer_split[0], outer_split[1]]))
    inner = make_splits(labels_a[outer_train], n_inner_splits, seed=seed)[:inner_folds]
    rows = []
    for k, (fit, val, held) in enumerate(inner):
        fit, val, held = outer_train[fit], outer_train[val], outer_train[held]
        for name, spec in configs.items():
            rec, pred, seconds = _train_and_predict(
                spec, texts_a, labels_a, fit, val, held, epochs=epochs, batch_size=batch_size,
                sequence_length=sequence_length, patience=patience, seed=seed + k, vectors=vectors)
            rows.append({"config": name, "inner_fold": k, "accuracy": float(np.mean(pred == labels_a[held])),
                         "epochs": len(rec.history_["loss"]), "seconds": seconds})
            log(f"inner fold {k + 1} {name}: {rows[-1]['accuracy']:.3f} ({rows[-1]['epochs']} epochs, {seconds:.0f} s)")
        start = time.perf_counter()
        model, C = _fit_tfidf(texts_a[fit], labels_a[fit], texts_a[val], labels_a[val], tfidf_Cs, seed)
        rows.append({"config": "TF-IDF + LR", "inner_fold": k,
                     "accuracy": float(np.mean(model.predict(texts_a[held]) == labels_a[held])),
                     "epochs": np.nan, "seconds": time.perf_counter() - start})
        log(f"inner fold {k + 1} TF-IDF + LR (C={C:g}): {rows[-1]['accuracy']:.3f}")
    return pd.DataFrame(rows)
