"""Zero-shot methods (tagzsl.zsl): ESZSL's closed form, ConSE, DEM's training step; and the
protocol around them (tagzsl.experiments.zero_shot): partitions, percent rates, mean ± sd,
the verdict and the settings."""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from tagzsl import config, embeddings, experiments, zsl
from tagzsl.experiments import zero_shot as zs


def eszsl_numpy(x, y, s, gamma, lam):
    """Reference: W = (X X^T + gamma I)^-1 X Y A^T (A A^T + lambda I)^-1, explicit inverses."""
    X, A = x.T, s.T                       # paper's layout: X is d x m, A is a x z
    return (np.linalg.inv(X @ X.T + gamma * np.eye(X.shape[0])) @ X @ y @ A.T
            @ np.linalg.inv(A @ A.T + lam * np.eye(A.shape[0])))


@pytest.mark.parametrize("gamma,lam", [(0.1, 1.0), (10.0, 0.01)])
def test_eszsl_closed_form_matches_numpy_reference(gamma, lam):
    rng = np.random.default_rng(0)
    m, d, a, z = 200, 30, 12, 7
    x = rng.normal(size=(m, d))
    labels = rng.integers(0, z, size=m)
    s = rng.normal(size=(z, a))
    model = zsl.ESZSL(gamma=gamma, lam=lam).fit(x, labels, s)
    y = -np.ones((m, z))
    y[np.arange(m), labels] = 1
    np.testing.assert_allclose(model.W_, eszsl_numpy(x, y, s, gamma, lam), rtol=1e-9, atol=1e-10)
    assert model.scores(x[:5], s).shape == (5, z)


def test_eszsl_closed_form_float64_at_benchmark_shape():
    """Same W as the explicit formula to 1e-10 at d=1024, a=150, z=50 (the benchmark's shape)."""
    rng = np.random.default_rng(2)
    n, d, a, z = 3000, 1024, 150, 50
    x, s = rng.normal(size=(n, d)), rng.normal(size=(z, a))
    labels = rng.integers(0, z, size=n)
    y = -np.ones((n, z))
    y[np.arange(n), labels] = 1
    w = zsl.ESZSL.closed_form(x, labels, s, 1.0, 1.0)
    assert w.dtype.name == "float64" and tuple(w.shape) == (d, a)
    assert np.abs(w.numpy() - eszsl_numpy(x, y, s, 1.0, 1.0)).max() < 1e-10


@pytest.mark.parametrize("gamma", [0.1, 10.0])
def test_eszsl_dual_form_when_fewer_tweets_than_features(gamma):
    """m < d takes the m x m dual (Woodbury) path: same W as the explicit d x d formula."""
    rng = np.random.default_rng(3)
    m, d, a, z = 300, 700, 20, 9        # m >= 2 * GRAM_BLOCK: the dual Gram is blocked too
    x, s = rng.normal(size=(m, d)), rng.normal(size=(z, a))
    labels = rng.integers(0, z, size=m)
    y = -np.ones((m, z))
    y[np.arange(m), labels] = 1
    w = zsl.ESZSL.closed_form(x, labels, s, gamma, 1.0).numpy()
    assert np.abs(w - eszsl_numpy(x, y, s, gamma, 1.0)).max() < 1e-10


@pytest.mark.parametrize("side,levels", [(1, 0), (37, 2), (300, 1), (517, 3)])
def test_symmetric_gram_equals_full_product(side, levels):
    """Upper-block Gram == rows @ rows.T exactly in shape and to 1e-10 (odd sides, every level)."""
    rows = np.random.default_rng(side).normal(size=(side, 50))
    gram = zsl.symmetric_gram(zsl.tf.constant(rows), levels).numpy()
    assert gram.shape == (side, side)
    assert np.abs(gram - rows @ rows.T).max() < 1e-10


def test_eszsl_ranks_separable_unseen_classes():
    # features are a linear function of the class vector: W must transfer to new classes
    rng = np.random.default_rng(1)
    vecs = rng.normal(size=(24, 6))
    proj = rng.normal(size=(6, 20))
    labels = np.repeat(np.arange(24), 30)
    x = vecs[labels] @ proj + 0.05 * rng.normal(size=(len(labels), 20))
    seen = labels < 20
    model = zsl.ESZSL(gamma=1.0, lam=1.0).fit(x[seen], labels[seen], vecs[:20])
    scores = model.scores(x[~seen], vecs[20:])
    assert np.mean(scores.argmax(1) == labels[~seen] - 20) > 0.9


def test_eszsl_rejects_bad_input():
    with pytest.raises(ValueError, match="index"):
        zsl.ESZSL().fit(np.ones((3, 2)), np.array([0, 1, 5]), np.ones((2, 4)))
    with pytest.raises(RuntimeError, match="not fitted"):
        zsl.ESZSL().scores(np.ones((1, 2)), np.ones((1, 4)))


def test_conse_hand_checkable():
    seen = np.array([[1.0, 0.0], [0.0, 1.0]])
    cands = np.array([[1.0, 1.0], [1.0, -1.0], [2.0, 0.0]])
    probs = np.array([[0.75, 0.25], [0.5, 0.5]])
    got = zsl.conse(probs, seen, cands)
    # tweet 0 embeds as (0.75, 0.25)/norm; tweet 1 as (1, 1)/sqrt 2
    f0 = np.array([0.75, 0.25]) / np.hypot(0.75, 0.25)
    np.testing.assert_allclose(got[0], [f0 @ [1, 1] / np.sqrt(2), f0 @ [1, -1] / np.sqrt(2), f0[0]], rtol=1e-6)
    np.testing.assert_allclose(got[1], [1.0, 0.0, 1 / np.sqrt(2)], atol=1e-6)
    # top_t=1 keeps only the most probable seen hashtag
    np.testing.assert_allclose(zsl.conse(probs[:1], seen, cands, top_t=1)[0],
                               [1 / np.sqrt(2), 1 / np.sqrt(2), 1.0], rtol=1e-6)
    with pytest.raises(ValueError, match="seen vectors"):
        zsl.conse(probs, seen[:1], cands)


def test_word2vec_similarity_and_random():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(2)
    kv.add_vectors(["a", "b"], np.array([[1.0, 0.0], [0.0, 1.0]], "float32"))
    scores = zsl.word2vec_similarity(kv, [["a", "zzz"], ["b", "b"], ["zzz"]], np.array([[1.0, 0], [0, 2.0]]))
    np.testing.assert_allclose(scores, [[1, 0], [0, 1], [0, 0]], atol=1e-6)
    r = zsl.random_scores(4, 3, seed=1)
    assert r.shape == (4, 3) and np.array_equal(r, zsl.random_scores(4, 3, seed=1))


def _tiny_encoder(vocab=30, seq=6, dim=8):
    import keras

    ids = keras.Input((seq,), dtype="int32")
    x = keras.layers.Embedding(vocab, dim)(ids)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(ids, keras.layers.Dense(dim, activation="tanh", name="features")(x))


def test_dem_train_step_reduces_loss():
    import keras

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=128)
    ids = (labels[:, None] * 7 + rng.integers(1, 7, size=(128, 6))).astype("int32")
    class_vecs = rng.normal(size=(4, 5)).astype("float32")
    dem = zsl.DEM(_tiny_encoder(), activation="tanh", l2=1e-3)
    dem.compile(optimizer=keras.optimizers.Adam(1e-2))
    data = zsl.dem_dataset(ids, class_vecs[labels], batch_size=32, seed=0)
    before = float(dem.evaluate(data, verbose=0))
    history = dem.fit(data, epochs=5, verbose=0, shuffle=False).history["loss"]  # the dataset shuffles itself
    after = float(dem.evaluate(data, verbose=0))
    assert after < 0.7 * before and history[-1] < history[0]
    scores = dem.scores(ids, class_vecs)
    assert scores.shape == (128, 4) and np.mean(scores.argmax(1) == labels) > 0.5


def test_word_space_dem_starts_at_word2vec_baseline():
    import keras

    rng = np.random.default_rng(0)
    matrix = rng.normal(size=(30, 5)).astype("float32")
    matrix[:2] = 0
    ids = rng.integers(2, 30, size=(10, 6)).astype("int32")
    encoder = zsl.word_space_encoder(_tiny_encoder(), matrix)
    dem = zsl.DEM(encoder, hashtag_branch=keras.layers.UnitNormalization())
    cands = rng.normal(size=(4, 5)).astype("float32")
    mean = matrix[ids].mean(1)
    expected = embeddings.unit_rows(mean) @ embeddings.unit_rows(cands).T
    np.testing.assert_array_equal(dem.scores(ids, cands).argsort(1), expected.argsort(1))


def _hashtag_column(n_tags=50, per_tag=20, seed=0):
    tags = np.repeat([f"tag{i:02d}" for i in range(n_tags)], per_tag)
    return np.random.default_rng(seed).permutation(tags)


@pytest.mark.parametrize("n_seen", [s for s, _ in zs.SPLITS])
def test_partitions_never_leak(n_seen):
    hashtags = _hashtag_column()
    parts = zs.make_partitions(hashtags, n_seen, n_partitions=5, seed=2019)
    assert len({tuple(p.unseen) for p in parts}) == 5          # different partitions
    for p in parts:
        zs.check_no_leak(p, hashtags)
        assert len(p.seen) == n_seen and len(p.unseen) == 50 - n_seen
        assert not set(hashtags[p.train]) & set(p.unseen)                    # seen-only training
        assert set(hashtags[p.unseen_test]) == set(p.unseen)
        assert set(hashtags[p.few_shot]) == set(p.unseen)
        assert not np.intersect1d(p.few_shot, p.few_shot_test).size          # few-shot never tested
        counts = np.unique(hashtags[p.few_shot], return_counts=True)[1]
        assert counts.min() >= 5 and counts.max() <= 10
        assert np.array_equal(np.union1d(p.few_shot, p.few_shot_test), p.unseen_test)
        assert not np.intersect1d(p.train, p.seen_test).size
    again = zs.make_partitions(hashtags, n_seen, n_partitions=5, seed=2019)
    assert all(np.array_equal(a.train, b.train) for a, b in zip(parts, again))


def test_check_no_leak_catches_a_leak():
    hashtags = _hashtag_column()
    p = zs.make_partitions(hashtags, 40, n_partitions=1)[0]
    p.train = np.concatenate([p.train, p.unseen_test[:1]])
    with pytest.raises(AssertionError, match="unseen hashtags"):
        zs.check_no_leak(p, hashtags)
    with pytest.raises(ValueError, match="n_seen"):
        zs.make_partitions(hashtags, 50)


def test_generalised_harmonic_mean():
    scores = np.eye(4)
    labels = np.array([0, 1, 3, 3])
    out = zs.generalised(scores, labels, [True, True, False, False])
    assert out["seen"] == 100.0 and out["unseen"] == 50.0          # percent, as the paper
    assert out["H"] == pytest.approx(200 / 3)


def test_hits_are_percent_and_count_ties_against_the_truth():
    scores = np.array([[0.9, 0.1, 0.0], [0.5, 0.5, 0.0], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1]])
    labels = np.array([0, 1, 0, 2])                                   # ranks 1, 2 (tie), 3, 3
    assert zs.hits(scores, labels) == {"hit@1": 25.0, "hit@2": 50.0, "hit@5": 100.0}


def _rows(values, n_test=400):
    """Tidy rows (as run() returns) from {(setting, split, method): [hit@1 per partition]}."""
    return pd.DataFrame([{"setting": st, "split": sp, "method": m, "partition": i,
                          "hit@1": v, "hit@2": v, "hit@5": v, "n_test": n_test}
                         for (st, sp, m), vs in values.items() for i, v in enumerate(vs)])


def test_summarise_mean_and_sample_sd_in_method_order():
    rows = _rows({("zero-shot", "40/10", "DEM"): [10.0, 20.0, 30.0],
                  ("zero-shot", "40/10", "random"): [5.0, 5.0, 5.0]})
    table, mean = zs.summarise(rows)
    assert list(table.index.get_level_values("method")) == ["random", "DEM"]
    assert table.loc[("zero-shot", "40/10", "DEM"), "hit@1"] == "20.0 ± 10.0"     # ddof=1, not 8.2
    assert mean.loc[("zero-shot", "40/10", "DEM"), "hit@1"] == pytest.approx(20.0)


def test_summarise_one_partition_shows_the_value_without_a_spread():
    rows = _rows({("zero-shot", "40/10", "DEM"): [12.34], ("zero-shot", "40/10", "ConSE"): [10.0, 20.0]})
    table, _ = zs.summarise(rows)
    assert table.loc[("zero-shot", "40/10", "DEM"), "hit@1"] == "12.3"              # no "± 0.0"
    assert table.loc[("zero-shot", "40/10", "ConSE"), "hit@1"] == "15.0 ± 7.1"


def test_verdict_reads_the_paper_order_from_the_numbers():
    base = {"random": [10.0, 11, 9], "word2vec similarity": [30.0, 31, 29], "ConSE": [20.0, 22, 21],
            "ESZSL": [40.0, 43, 41], "DEM": [50.0, 52, 53]}
    rows = _rows({**{("zero-shot", "40/10", m): v for m, v in base.items()},
                  **{("few-shot", "40/10", m): [x + 1 for x in v] for m, v in base.items()},
                  **{("zero-shot", "30/20", m): [x * (-1 if m == "DEM" else 1) + 100 for x in v]
                     for m, v in base.items()}})
    lines = zs.verdict(rows)
    z40 = lines.index(next(ln for ln in lines if ln.startswith("zero-shot 40/10")))
    assert "DEM 51.7 > ESZSL 41.3 > word2vec similarity 30.0 > ConSE 21.0 > random 10.0" in lines[z40]
    assert "[3 hold, 0 tied, 0 does not hold]" in lines[z40 + 1]
    assert "ConSE does not hold" in lines[z40 + 2] and "DEM holds" in lines[z40 + 2]
    z30 = lines.index(next(ln for ln in lines if ln.startswith("zero-shot 30/20")))
    assert "DEM > ESZSL does not hold" in lines[z30 + 1]                 # DEM 48 < ESZSL 141
    few = next(ln for ln in lines if ln.startswith("few-shot > zero-shot on 40/10"))
    assert "ConSE holds" in few and "word2vec similarity" not in few  # training-free rows not checked
    assert not any(ln.startswith("few-shot > zero-shot on 30/20") for ln in lines)  # no few-shot rows there


def test_settings_are_frozen_and_seeded_by_default():
    assert experiments.settings_for(zs, "full") is zs.FULL and zs.FULL == zs.Settings()
    assert experiments.settings_for(zs, "lesson") is zs.LESSON
    assert experiments.settings_for(zs, "quick") is zs.QUICK
    with pytest.raises(dataclasses.FrozenInstanceError):
        zs.FULL.units = 3
    assert zs.FULL.n_partitions == 5 and zs.LESSON.n_partitions == 1 and zs.QUICK.n_partitions == 1
    assert zs.LESSON.units < zs.FULL.units and zs.LESSON.splits == zs.SPLITS
    for fn in (zs.make_partitions, zs.train_gru, zs.train_dem, zs.softmax_head, zs.run,
               zsl.random_scores, zsl.select_eszsl, zsl.class_split, zsl.dem_dataset):
        import inspect

        assert inspect.signature(fn).parameters["seed"].default == config.DEFAULT_SEED, fn.__name__
    assert zs.partition_seeds(zs.LESSON) == {"40/10": [42019], "30/20": [32019], "25/25": [27019]}
