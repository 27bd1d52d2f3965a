"""What a FULL run of notebooks 02, 03 and 04 costs on the default corpus, measured in units.

Issue 11 ("Run on it", Time): state what a full run of each notebook will cost on the new
corpus (a fold, a partition, an epoch) and keep the whole ``tagzsl reproduce`` under 3 hours
on the 2-core machine, cutting grid points or epochs where needed and saying which.

Each notebook's FULL settings come from its experiments module (nothing retyped here):

* 02 (:mod:`tagzsl.experiments.supervised`): one fold of each model row is trained for ONE
  epoch through :class:`tagzsl.supervised.Classifier` (vocabulary, embedding matrix, model
  build, graph tracing and the first epoch: the "fold setup + epoch 1"), then one more epoch
  (the steady epoch, validation included); a fold is ``setup + epochs x steady epoch +
  predict``. Epochs are the FULL maximum (early stopping may stop sooner: an upper bound).
  TF-IDF + LR (every C) and the source-only row are timed whole. The grid search
  (``GridSearchCV``), the learning curve and the demo recommender are extrapolated from the
  ANN / RNN fold by the number of tweets and epochs they train on.
* 03 (:mod:`tagzsl.experiments.zero_shot`): one whole partition of the 40/10 split through
  :func:`run_partition` (GRU, ConSE, ESZSL grid, DEM both ways, few-shot, baselines); the
  trained parts scale with the number of seen hashtags for the 30/20 and 25/25 splits.
* 04 (:mod:`tagzsl.experiments.tagspace`): WSABIE and TagSpace (H = 1000) at each dim, two
  epochs on a seeded sample of the training posts (the second epoch is the steady one, scaled
  to the whole training split) plus one validation ranking; the retrieval task is timed on a
  slice of its tasks and scaled. The run count follows the notebook: the WSABIE and TagSpace
  grids at the first dim, one run per other dim, the extra seeds at the first dim.

Other agents share the 2 CPU cores, so the times are pessimistic (the load average is printed
at the start and the end). Notebooks 01 and 05 are not measured (the corpus here is cached).

Run: ``nice python benchmarks/full_run_cost.py`` (about 10-15 minutes); output in
``benchmarks/results/full_run_cost.txt``.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tagzsl import config  # noqa: E402

BUDGET_MIN = 180.0
SEED = config.DEFAULT_SEED
TAGSPACE_SAMPLE = 3000        # training posts per measured WSABIE / TagSpace epoch
RETRIEVAL_TEST_POSTS = 150    # test posts whose hashtags make the measured retrieval tasks


def clock():
    return time.perf_counter()


# --------------------------------------------------------------------------- notebook 02
def measure_02(log):
    from tagzsl import supervised
    from tagzsl.experiments import dataset
    from tagzsl.experiments import supervised as exp

    S = exp.FULL
    t0 = clock()
    prep, raw, labels = exp.top50(S, seed=SEED)
    from tagzsl import preprocess
    texts = np.asarray(preprocess.clean_texts(raw), dtype=object)
    labels = np.asarray([preprocess.normalise_hashtag(h) for h in labels], dtype=object)
    load = clock() - t0
    splits = exp.make_splits(labels, S.n_splits, S.validation_fraction, SEED)
    fit, val, test = splits[0]
    rows = {}
    for name in S.models:
        spec = S.spec(name)
        epochs = spec.pop("epochs")
        clf = supervised.Classifier(seed=SEED, vectors=prep.vectors, epochs=1, **spec)
        start = clock()
        clf.fit(texts[fit], labels[fit], validation_data=(texts[val], labels[val]))
        first = clock() - start
        index = {c: i for i, c in enumerate(clf.classes_)}
        x, y = clf.token_ids(texts[fit]), np.array([index[h] for h in labels[fit]], "int32")
        vx, vy = clf.token_ids(texts[val]), np.array([index[h] for h in labels[val]], "int32")
        start = clock()
        clf.model_.fit(x, y, batch_size=spec["batch_size"], epochs=1, validation_data=(vx, vy), verbose=0)
        steady = clock() - start
        start = clock()
        clf.predict(texts[test])
        predict = clock() - start
        rows[name] = {"setup": max(first - steady, 0.0), "epoch": steady, "predict": predict, "max_epochs": epochs}
        log(f"  02 {name}: setup + epoch 1 {first:.1f} s, steady epoch {steady:.1f} s, predict {predict:.1f} s "
            f"(fold: {len(fit)} fit / {len(val)} val / {len(test)} test tweets)")
    start = clock()
    supervised.fit_tfidf(texts[fit], labels[fit], texts[val], labels[val], S.tfidf_Cs, SEED)
    tfidf = clock() - start
    sources = prep.top["source"].to_numpy()
    start = clock()
    train = np.concatenate([fit, val])
    dataset.source_only_baseline(sources[train], labels[train], sources[test])
    source_only = clock() - start
    log(f"  02 TF-IDF + LR ({len(S.tfidf_Cs)} C values): {tfidf:.1f} s; source only {source_only:.2f} s")
    return {"settings": S, "rows": rows, "tfidf": tfidf, "source_only": source_only, "load": load,
            "n_fit": len(fit), "n_train": len(fit) + len(val), "n_all": len(labels)}


def cost_02(m, p):
    """Seconds of notebook 02 under parameters ``p`` (folds, epochs, grid_points, curve, rows)."""
    S, rows = m["settings"], m["rows"]

    def fold(name, scale=1.0, epochs=None):
        r = rows[name]
        e = min(epochs or p["epochs"], r["max_epochs"]) if p["epochs"] else r["max_epochs"]
        return r["setup"] + scale * e * r["epoch"] + r["predict"]

    cv = p["folds"] * (sum(fold(n) for n in p["rows"]) + m["tfidf"] + m["source_only"])
    # GridSearchCV: grid_cv fits per point on (grid_cv - 1) / grid_cv of fold 1's training part;
    # every point timed as the FULL ANN (the largest point: an upper bound for the smaller ones)
    grid_n = (S.grid_max_tweets or m["n_train"]) * (S.grid_cv - 1) / S.grid_cv
    ann = S.curve_row if S.curve_row in rows else next(iter(rows))
    grid = p["grid_points"] * S.grid_cv * fold(ann, grid_n / m["n_fit"], S.grid_epochs)
    curve = sum(fold(S.curve_row, f) + f * m["tfidf"] for f in p["curve"])
    # the demo recommender: the demo row on every tweet of 40 of 50 hashtags (its own 10% validation)
    demo = fold(S.demo_row, 0.9 * m["n_all"] * (1 - S.demo_unseen / 50) / m["n_fit"])
    return {"cross-validation": cv, "grid search": grid, "learning curve": curve, "demo": demo,
            "corpus load": m["load"]}


# --------------------------------------------------------------------------- notebook 03
def measure_03(log):
    from tagzsl import corpus
    from tagzsl.experiments import zero_shot as zs

    S = zs.FULL
    t0 = clock()
    prepared = corpus.prepare(seed=SEED)
    frame, kv = prepared.top.reset_index(drop=True), prepared.vectors
    vectorizer, matrix = zs.build_encoder_inputs(frame["text"], kv, S.sequence_length)
    load = clock() - t0
    n_seen = max(s for s, _ in S.splits)
    part = zs.make_partitions(frame["hashtag"], n_seen, 1, SEED)[0]
    start = clock()
    res = zs.run_partition(frame, kv, part, vectorizer, matrix, S, n_examples=S.n_examples)
    total = clock() - start
    trained = {k: v for k, v in res.timings.items() if k != "gru_seen_test_accuracy"}
    log(f"  03 partition {part.split} #{part.index}: {total:.0f} s; "
        + ", ".join(f"{k} {v:.0f} s" for k, v in trained.items()))
    return {"settings": S, "total": total, "trained": sum(trained.values()), "n_seen": n_seen, "load": load,
            "timings": trained}


def cost_03(m, p):
    S = m["settings"]
    fixed = m["total"] - m["trained"]
    per_split = {f"{s}/{u}": p["partitions"] * (fixed + m["trained"] * s / m["n_seen"]) for s, u in S.splits}
    return {**{f"split {k}": v for k, v in per_split.items()}, "corpus load + vectorizer": m["load"]}


# --------------------------------------------------------------------------- notebook 04
def measure_04(log):
    from tagzsl import corpus as corpus_mod, embeddings, retrieval, tagspace as ts
    from tagzsl.experiments import tagspace as xt

    S = xt.FULL
    t0 = clock()
    prep = corpus_mod.prepare(quick=S.quick_word2vec, seed=SEED)
    corpus = xt.build_corpus(prep.clean, min_count=S.min_count, seed=SEED, train_limit=S.train_limit)
    load = clock() - t0
    start = clock()
    xt.baseline_rows(corpus, prep.vectors, split="test")
    baselines = clock() - start
    encoder = ts.Encoder().fit(corpus.train["tokens"], corpus.tags)
    n_train = len(corpus.train)
    sample = dataclasses.replace(corpus, train=corpus.train.sample(n=min(TAGSPACE_SAMPLE, n_train),
                                                                   random_state=SEED).reset_index(drop=True))
    scale = n_train / len(sample.train)
    val_ids, val_pos = encoder.words(corpus.val["tokens"]), encoder.tag_ids(corpus.val["hashtags"])
    runs, models = {}, {}
    for dim in S.dims:
        wsabie = None
        for kind in ("wsabie", "tagspace"):
            start = clock()
            trained = ts.train(kind, sample, S.training(kind, dim, epochs=2, eval_val=False), encoder=encoder,
                               seed=SEED, init_from=wsabie)
            wall = clock() - start
            h = trained.history
            steady = h[1]["seconds"] - h[0]["seconds"]
            start = clock()
            ts.ranking(ts.predict_scores(trained.model, val_ids), val_pos)
            val = clock() - start
            epoch = steady * scale + val
            overhead = max(wall - 2 * steady, 0.0)
            runs[(kind, dim)] = {"epoch": epoch, "overhead": overhead}
            models[(kind, dim)] = trained
            wsabie = trained if kind == "wsabie" else wsabie
            log(f"  04 {kind} d={dim}: steady epoch {steady:.1f} s on {len(sample.train)} posts -> "
                f"{steady * scale:.0f} s on {n_train}, + validation ranking {val:.1f} s = {epoch:.0f} s/epoch; "
                f"build + tracing {overhead:.1f} s")
    # retrieval: make_tasks over a slice of the test posts (its cost grows with the tasks), embeddings
    # of every pool post for each model (fixed), evaluate per task
    mask = np.zeros(len(corpus.test), bool)
    mask[:RETRIEVAL_TEST_POSTS] = True
    start = clock()
    posts, tasks = retrieval.make_tasks(corpus.with_test(mask), n_queries=10,
                                        n_distractors=S.retrieval_distractors, seed=SEED)
    make = clock() - start
    test_tags = {t for h in corpus.test["hashtags"] for t in h}
    sub_tags = {t for h in corpus.test["hashtags"][mask] for t in h}
    start = clock()
    ids = encoder.words(posts["tokens"])
    emb = {"Word2Vec": embeddings.mean_word_vectors(prep.vectors, list(posts["tokens"]))}
    emb.update({f"{k} d={d}": ts.post_embeddings(t.model, ids) for (k, d), t in models.items()})
    tfidf = retrieval.tfidf_vectors(posts, fit_rows=np.flatnonzero(posts["split"].to_numpy() == "train"))
    d0 = S.dims[0]
    scorers = retrieval.standard_scorers(posts, emb, tfidf, combine={f"W+BoW {d0}": f"wsabie d={d0}",
                                                                      f"T+BoW {d0}": f"tagspace d={d0}",
                                                                      f"T+BoW best": f"tagspace d={S.dims[-1]}"})
    embed = clock() - start
    start = clock()
    retrieval.evaluate(tasks, scorers)
    per_task = (clock() - start) / max(len(tasks), 1)
    tag_scale = len(test_tags) / max(len(sub_tags), 1)
    pool_scale = (n_train + len(corpus.val) + len(corpus.test)) / len(posts)   # make_tasks scans the pool per tag
    ret = make * tag_scale * pool_scale + embed + per_task * len(tasks) * tag_scale
    log(f"  04 retrieval: make_tasks {make:.1f} s for {len(sub_tags)} of {len(test_tags)} test hashtags "
        f"({len(tasks)} tasks, {S.retrieval_distractors} distractors), embeddings {embed:.1f} s, "
        f"evaluate {per_task * 1000:.0f} ms/task x {len(scorers)} scorers -> {ret / 60:.1f} min for all "
        f"(~{len(tasks) * tag_scale:.0f} tasks)")
    return {"settings": S, "runs": runs, "load": load, "baselines": baselines, "retrieval": ret,
            "n_train": n_train, "sample": len(sample.train)}


def cost_04(m, p):
    S, runs = m["settings"], m["runs"]
    d0 = S.dims[0]

    def run(kind, dim):
        e = p["epochs"] or getattr(S, f"{kind}_epochs")
        return runs[(kind, dim)]["overhead"] + e * runs[(kind, dim)]["epoch"]

    return {"WSABIE grid": p["wsabie_grid"] * run("wsabie", d0),
            "TagSpace grid": p["tagspace_grid"] * run("tagspace", d0),
            "other dims": sum(run("wsabie", d) + run("tagspace", d) for d in p["dims"] if d != d0),
            "extra seeds": (p["seeds"] - 1) * (run("wsabie", d0) + run("tagspace", d0)),
            "retrieval": m["retrieval"],
            "baselines + corpus": m["baselines"] + m["load"]}


# --------------------------------------------------------------------------- plan and cuts
def full_params(s02, s03, s04):
    return {"02": {"folds": s02.n_splits, "epochs": s02.epochs, "grid_points": int(np.prod([len(v) for v in s02.grid.values()])),
                   "curve": tuple(s02.curve_fractions), "rows": tuple(s02.models)},
            "03": {"partitions": s03.n_partitions},
            "04": {"wsabie_grid": len(s04.wsabie_lrs) * len(s04.wsabie_token_dropouts),
                   "tagspace_grid": len(s04.tagspace_lrs) * len(s04.tagspace_token_dropouts),
                   "dims": tuple(s04.dims), "seeds": s04.n_seeds, "epochs": None}}


def candidate_cuts(s02, s04):
    """``{key: [(label, notebook, param, value), ...]}``: at most one option per key is taken."""
    d0 = s04.dims[0]
    return {
        "02 folds": [("02: 3 folds instead of 5", "02", "folds", 3)],
        "02 epochs": [("02: at most 6 epochs per model instead of 10", "02", "epochs", 6)],
        "02 grid": [(f"02: no GridSearchCV (ANN units fixed at {s02.models['ANN'].get('units')})", "02", "grid_points", 0)],
        "02 curve": [("02: learning curve at 0.5 and 1.0 only", "02", "curve", (0.5, 1.0))],
        "03 partitions": [("03: 3 partitions per split instead of 5", "03", "partitions", 3),
                          ("03: 2 partitions per split instead of 5", "03", "partitions", 2)],
        "04 wsabie grid": [(f"04: WSABIE grid 3 -> 1 token dropout ({s04.wsabie_token_dropout}), 3 learning rates",
                            "04", "wsabie_grid", len(s04.wsabie_lrs)),
                           (f"04: no WSABIE grid (the picked lr {s04.wsabie_lr}, dropout {s04.wsabie_token_dropout})",
                            "04", "wsabie_grid", 1)],
        "04 tagspace grid": [(f"04: no TagSpace grid (the picked token dropout {s04.tagspace_token_dropout})",
                              "04", "tagspace_grid", 1)],
        "04 dims": [(f"04: no d={s04.dims[-1]}", "04", "dims", tuple(s04.dims[:-1])),
                    (f"04: d={d0} only", "04", "dims", (d0,))],
        "04 seeds": [(f"04: {s04.n_seeds - 1} seeds instead of {s04.n_seeds}", "04", "seeds", s04.n_seeds - 1)],
        "04 epochs": [("04: 12 epochs instead of 16 (WSABIE and TagSpace)", "04", "epochs", 12),
                      ("04: 8 epochs instead of 16 (WSABIE and TagSpace)", "04", "epochs", 8)],
    }


def total_minutes(measured, params):
    parts = {"02": cost_02(measured["02"], params["02"]), "03": cost_03(measured["03"], params["03"]),
             "04": cost_04(measured["04"], params["04"])}
    return sum(sum(v.values()) for v in parts.values()) / 60, parts


def with_cuts(params, cuts):
    out = {k: dict(v) for k, v in params.items()}
    for _, nb, key, value in cuts:
        out[nb][key] = value
    return out


def smallest_cut_set(measured, params, cuts, budget):
    """The fewest cuts (at most one option per key) that bring the total under ``budget``
    minutes; among equally few, the one that keeps the most (highest total under the budget)."""
    keys = list(cuts)
    for n in range(1, len(keys) + 1):
        best = None
        for chosen in itertools.combinations(keys, n):
            for options in itertools.product(*(cuts[k] for k in chosen)):
                total = total_minutes(measured, with_cuts(params, options))[0]
                if total <= budget and (best is None or total > best[0]):
                    best = (total, options)
        if best:
            return best
    return None


def main():
    from tagzsl.experiments import supervised as exp02, tagspace as exp04, zero_shot as exp03

    lines = []

    def log(line=""):
        print(line, flush=True)
        lines.append(line)

    started = clock()
    log(f"load average at start (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} CPU(s)")
    log("Other agents share these CPUs: every time below is pessimistic (measured under that load).")
    log("measuring (FULL settings of tagzsl.experiments.{supervised, zero_shot, tagspace}):")
    measured = {"02": measure_02(log), "03": measure_03(log), "04": measure_04(log)}
    params = full_params(exp02.FULL, exp03.FULL, exp04.FULL)
    total, parts = total_minutes(measured, params)

    m02, m03, m04 = measured["02"], measured["03"], measured["04"]
    S02, S03, S04 = exp02.FULL, exp03.FULL, exp04.FULL
    fold = cost_02(m02, {**params["02"], "folds": 1})["cross-validation"]
    unit_rows = [
        ("02", "one fold, all 5 models + TF-IDF + source only (max epochs)", fold, S02.n_splits,
         parts["02"]["cross-validation"]),
        ("02", f"GridSearchCV {params['02']['grid_points']} points x {S02.grid_cv} fits x {S02.grid_epochs} epochs",
         parts["02"]["grid search"], 1, parts["02"]["grid search"]),
        ("02", f"learning curve {S02.curve_fractions} + demo recommender + corpus load",
         parts["02"]["learning curve"] + parts["02"]["demo"] + parts["02"]["corpus load"], 1,
         parts["02"]["learning curve"] + parts["02"]["demo"] + parts["02"]["corpus load"]),
        ("03", f"one partition of 40/10 (measured {m03['total']:.0f} s; 30/20, 25/25 scaled by seen hashtags)",
         parts["03"]["split 40/10"] / S03.n_partitions, len(S03.splits) * S03.n_partitions,
         sum(v for k, v in parts["03"].items() if k.startswith("split"))),
        ("03", "corpus load + vectorizer", m03["load"], 1, m03["load"]),
    ]
    for kind, epochs in (("wsabie", S04.wsabie_epochs), ("tagspace", S04.tagspace_epochs)):
        n_runs = {d: 1 for d in S04.dims}
        n_runs[S04.dims[0]] = params["04"][f"{kind}_grid"] + S04.n_seeds - 1
        for d in S04.dims:
            r = m04["runs"][(kind, d)]
            name = "WSABIE" if kind == "wsabie" else f"TagSpace H={S04.hidden}"
            unit_rows.append(("04", f"one epoch of {name} d={d} ({n_runs[d]} run(s) x {epochs} epochs)",
                              r["epoch"], n_runs[d] * epochs, n_runs[d] * (epochs * r["epoch"] + r["overhead"])))
    unit_rows.append(("04", f"retrieval task ({S04.retrieval_distractors} distractors, every task)",
                      m04["retrieval"], 1, m04["retrieval"]))
    unit_rows.append(("04", "baselines + corpus", m04["baselines"] + m04["load"], 1, m04["baselines"] + m04["load"]))

    log()
    log(f"{'notebook':<9}{'unit measured':<82}{'s/unit':>9}{'units':>7}{'minutes':>9}")
    for nb, unit, sec, n, tot in unit_rows:
        log(f"{nb:<9}{unit:<82}{sec:>9.1f}{n:>7}{tot / 60:>9.1f}")
    for nb in ("02", "03", "04"):
        log(f"{'':<9}{'notebook ' + nb + ' total':<82}{'':>9}{'':>7}{sum(parts[nb].values()) / 60:>9.1f}")
    log(f"{'':<9}{'TOTAL (02 + 03 + 04; 01 and 05 not measured here)':<82}{'':>9}{'':>7}{total:>9.1f}")
    log()
    log("Notes: 02's epochs are the FULL maximum (10; early stopping with patience 2 usually stops "
        "sooner), so 02 is an upper bound; its grid points are all timed as the 1024-unit ANN. 04 runs "
        "every epoch (patience None), each followed by a validation ranking; its epochs were timed on "
        f"{m04['sample']} of {m04['n_train']} training posts and scaled linearly. 03 ran one whole partition.")
    if total > BUDGET_MIN:
        log()
        log(f"The estimate exceeds {BUDGET_MIN:.0f} min. Each candidate cut alone (saving in minutes):")
        cuts = candidate_cuts(S02, S04)
        for options in cuts.values():
            for option in options:
                saving = total - total_minutes(measured, with_cuts(params, [option]))[0]
                log(f"  {option[0]:<80} -{saving:6.1f}")
        best = smallest_cut_set(measured, params, cuts, BUDGET_MIN)
        if best is None:
            log("No combination of these cuts brings the estimate under the budget.")
        else:
            after, chosen = best
            log(f"Proposed: the smallest set of cuts that brings the estimate to {after:.1f} min "
                f"(<= {BUDGET_MIN:.0f}; the set that keeps the most of the protocol):")
            for option in chosen:
                saving = total - total_minutes(measured, with_cuts(params, [option]))[0]
                log(f"  - {option[0]} (alone: -{saving:.1f} min)")
            _, cut_parts = total_minutes(measured, with_cuts(params, chosen))
            log("  per notebook after the cuts: " + ", ".join(
                f"{nb} {sum(v.values()) / 60:.1f} min" for nb, v in cut_parts.items()))
    else:
        log(f"The estimate is within {BUDGET_MIN:.0f} min: no cut needed.")
    log()
    log(f"load average at end (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"benchmark run time {(clock() - started) / 60:.1f} min")
    return lines


if __name__ == "__main__":
    import pathlib

    lines = main()
    path = pathlib.Path(__file__).resolve().parent / "results" / "full_run_cost.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    config.atomic_write_bytes(path, ("\n".join(lines) + "\n").encode("utf-8"))
    print(f"written to {path}")
