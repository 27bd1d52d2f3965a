"""Notebook 02 beyond Table 2: its figure and display tables, a grid search, a learning curve,
and recommending for people with a trained model.

:mod:`tagzsl.experiments.supervised` holds the protocol (settings, folds, cross-validation,
result tables, verdicts); this module builds on it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from tagzsl import config, models, supervised
from tagzsl.experiments.supervised import (BASELINES, FULL, PAPER_MODELS, TFIDF, CVResult, Settings,
                                           prepared_texts)


def accuracy_figure(result: CVResult, path):
    """Accuracy per row, ours (mean ± sd over folds) beside the paper's Table 2 points
    (:func:`tagzsl.plots.accuracy_by_model`); saved at ``path``, returned for display."""
    from tagzsl import paper, plots

    n = len(result.splits)
    spread = f"{n}-fold mean ± sd" if n > 1 else "one fold"
    return plots.accuracy_by_model(result.table, path, paper=paper.table("kumar_table2"),
                                   sd="accuracy_std" if n > 1 else None,
                                   title=f"Accuracy per model: ours ({spread}) and Kumar et al.'s Table 2",
                                   percent=True)


def grid_rows(split, settings: Settings, seed: int = config.DEFAULT_SEED) -> np.ndarray:
    """The tweets :func:`grid_search` runs on: one split's training part (fit and validation
    slices), subsampled to ``settings.grid_max_tweets`` with ``seed``."""
    rows = np.concatenate([split[0], split[1]])
    if settings.grid_max_tweets and len(rows) > settings.grid_max_tweets:
        rows = np.sort(np.random.default_rng(seed).choice(rows, settings.grid_max_tweets, replace=False))
    return rows


def grid_search(texts, labels, settings: Settings = FULL, vectors=None, seed: int = config.DEFAULT_SEED,
                cleaned: bool = False, n_jobs: int = 1) -> pd.DataFrame:
    """``GridSearchCV`` over ``settings.grid`` for ``settings.grid_model`` with SciKeras'
    ``KerasClassifier`` (``settings.grid_cv`` stratified folds, ``settings.grid_epochs`` epochs).

    Call it on *training* data only (the notebook uses the first fold's training part). The
    vocabulary is adapted once on ``texts``. Returns ``cv_results_`` as a DataFrame sorted by rank
    (``params``, ``mean_test_score`` and ``std_test_score`` in percent, ``mean_fit_time``).
    """
    import keras
    from scikeras.wrappers import KerasClassifier
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from tagzsl import embeddings

    texts_a, labels_a = prepared_texts(texts, labels, cleaned)
    vectorizer = models.text_vectorizer(texts_a, settings.sequence_length)
    vocabulary = vectorizer.get_vocabulary()
    matrix = embeddings.embedding_matrix(vectors, vocabulary)[0] if vectors is not None else None
    x = models.vectorize(vectorizer, texts_a)

    def build(meta, **hparams):
        return models.build_model(settings.grid_model, vocab_size=len(vocabulary), num_classes=meta["n_classes_"],
                                  embedding_matrix=matrix, sequence_length=settings.sequence_length, **hparams)

    grid = settings.grid
    keras.utils.set_random_seed(seed)
    clf = KerasClassifier(model=build, epochs=settings.grid_epochs, batch_size=settings.batch_size, verbose=0,
                          random_state=seed, **{f"model__{k}": v[0] for k, v in grid.items()})
    search = GridSearchCV(clf, {f"model__{k}": list(v) for k, v in grid.items()},
                          cv=StratifiedKFold(settings.grid_cv, shuffle=True, random_state=seed),
                          scoring="accuracy", n_jobs=n_jobs, refit=False)
    search.fit(x, labels_a)
    res = pd.DataFrame(search.cv_results_)
    res["params"] = [{k.removeprefix("model__"): v for k, v in p.items()} for p in res["params"]]
    res[["mean_test_score", "std_test_score"]] *= 100
    return res[["params", "mean_test_score", "std_test_score", "mean_fit_time", "rank_test_score"]] \
        .sort_values("rank_test_score").reset_index(drop=True)


def learning_curve(texts, labels, split, settings: Settings = FULL, vectors=None,
                   seed: int = config.DEFAULT_SEED) -> pd.DataFrame:
    """Test accuracy (percent) of ``settings.curve_row`` and TF-IDF + LR trained on growing
    stratified fractions (``settings.curve_fractions``) of one split's training slice
    (``split = (fit, val, test)`` from :func:`make_splits`; ``texts`` already cleaned). Early
    stopping and ``C`` use the full validation slice. Returns ``fraction, n_train, model, accuracy``."""
    from sklearn.model_selection import train_test_split

    texts_a, labels_a = np.asarray(texts, dtype=object), np.asarray(labels, dtype=object)
    fit, val, test = split
    rows = []
    for frac in settings.curve_fractions:
        part = fit if frac >= 1 else train_test_split(fit, train_size=frac, random_state=seed,
                                                      stratify=labels_a[fit])[0]
        clf = supervised.Classifier(seed=seed, vectors=vectors, **settings.spec(settings.curve_row))
        clf.fit(texts_a[part], labels_a[part], validation_data=(texts_a[val], labels_a[val]))
        model, _ = supervised.fit_tfidf(texts_a[part], labels_a[part], texts_a[val], labels_a[val],
                                        settings.tfidf_Cs, seed)
        for name, pred in ((settings.curve_row, clf.predict(texts_a[test])),
                           (TFIDF, model.predict(list(texts_a[test])))):
            rows.append({"fraction": frac, "n_train": len(part), "model": name,
                         "accuracy": 100 * float(np.mean(np.asarray(pred) == labels_a[test]))})
    return pd.DataFrame(rows)


#: a candidate hashtag with no word vector, none composable from its letters: the demo shows it reported
MADE_UP = "zzqxqzvk"


def demo(prepared, raw_texts, labels, settings: Settings, seed: int = config.DEFAULT_SEED, n: int = 5):
    """The notebook's "for people" section: a :class:`tagzsl.recommender.Recommender` (the
    ``settings.demo_row`` model) trained on the tweets of all but ``settings.demo_unseen``
    hashtags (chosen with ``seed``), less ``n`` held-out tweets.

    Returns ``(seen, unseen, reported)``: the top 5 of the trained hashtags for the held-out
    tweets; the top 3 of the unseen hashtags plus :data:`MADE_UP` (``candidates=``) for ``n``
    tweets of unseen hashtags; the one-line reports of candidates that could not be ranked.
    Example tweets are drawn with :func:`tagzsl.display.safe_examples` (profanity word list).
    """
    import warnings

    from tagzsl import display, hparams
    from tagzsl.recommender import MissingVectorWarning, Recommender

    # a small label set (one's own collection) keeps at least two hashtags to train on; with two
    # there is none left to hold out, and the unseen part says so
    size = min(settings.demo_unseen, len(prepared.hashtags) - 2)
    unseen = sorted(np.random.default_rng(seed).choice(prepared.hashtags, size=max(size, 0), replace=False).tolist())
    frame = pd.DataFrame({"tweet": list(raw_texts), "hashtag": list(labels)})
    is_unseen = frame["hashtag"].isin(unseen)
    held = display.safe_examples(frame[~is_unseen], "tweet", n=n, seed=seed)
    train = frame[~is_unseen].drop(index=held.index).iloc[::settings.demo_train_stride]
    method = settings.models[settings.demo_row]["model"]
    rec = Recommender(method=method, vectors=prepared.vectors, seed=seed, **hparams.for_method(method, settings))
    rec.fit(train["tweet"].tolist(), train["hashtag"].tolist())

    def shown(ranked):
        return ", ".join(f"{h} ({s:.2f})" for h, s in ranked) if isinstance(ranked, list) else str(ranked)

    seen = pd.DataFrame({"tweet": held["tweet"].str[:90], "true": held["hashtag"],
                         "top 5": [shown(r) for r in rec.recommend(held["tweet"].tolist(), k=5)]})
    if not unseen:
        return seen.reset_index(drop=True), pd.DataFrame(columns=["tweet", "true (never trained on)", "top 3"]), [
            f"only {len(prepared.hashtags)} hashtags: both are trained on, none is left to hold out as unseen"]
    examples = display.safe_examples(frame[is_unseen], "tweet", n=n, seed=seed + 1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MissingVectorWarning)
        ranked = rec.recommend(examples["tweet"].tolist(), k=3, candidates=unseen + [MADE_UP])
    unseen_table = pd.DataFrame({"tweet": examples["tweet"].str[:90], "true (never trained on)": examples["hashtag"],
                                 f"top 3 of {len(unseen)} unseen": [shown(r) for r in ranked]})
    reported = [str(w.message) for w in caught if issubclass(w.category, MissingVectorWarning)]
    return seen.reset_index(drop=True), unseen_table.reset_index(drop=True), reported


def timing_table(result: CVResult) -> pd.DataFrame:
    """Training seconds per model: mean per fold, epochs, seconds per epoch, minutes over all folds."""
    t = result.table.set_index("model")
    out = t[["train_seconds_mean", "epochs_mean", "seconds_per_epoch"]].round(1)
    out["total minutes (all folds)"] = (result.folds.groupby("model", sort=False)["train_seconds"].sum() / 60).round(1)
    return out


def easiest_and_hardest(result: CVResult, n: int = 5) -> pd.DataFrame:
    """The ``n`` hashtags with the highest and the lowest F1 (percent), averaged over the deep models."""
    f1 = result.per_hashtag.pivot_table(index="hashtag", columns="model", values="f1")
    mean = f1[[m for m in f1.columns if m not in BASELINES]].mean(axis=1).sort_values(ascending=False)
    return pd.DataFrame({"easiest": mean.index[:n], "F1 (easiest)": mean.values[:n].round(1),
                         "hardest": mean.index[::-1][:n], "F1 (hardest)": mean.values[::-1][:n].round(1)})


def sizes_table(settings: Settings) -> pd.DataFrame:
    """The paper's model sizes beside this run's (hyper-parameters per Table 2 row)."""
    strip = lambda spec: {k: v for k, v in spec.items() if k != "model"}  # noqa: E731
    return pd.DataFrame({"paper": {r: strip(s) for r, s in PAPER_MODELS.items()},
                         f"this run ({settings.mode})": {r: strip(s) for r, s in settings.models.items()}})
