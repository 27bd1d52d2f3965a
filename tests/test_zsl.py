"""Zero-shot methods: ESZSL's closed form, ConSE, DEM's training step, and the protocol's splits."""
import numpy as np
import pytest

from tagzsl import zsl


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
    np.testing.assert_allclose(model.W_, eszsl_numpy(x, y, s, gamma, lam), rtol=1e-6, atol=1e-8)
    assert model.scores(x[:5], s).shape == (5, z)


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
    class KV:
        vector_size = 2
        key_to_index = {"a": 0, "b": 1}

        def __getitem__(self, words):
            table = {"a": [1.0, 0.0], "b": [0.0, 1.0]}
            return np.array([table[w] for w in words]) if isinstance(words, list) else np.array(table[words])

    scores = zsl.word2vec_similarity(KV(), [["a", "zzz"], ["b", "b"], ["zzz"]], np.array([[1.0, 0], [0, 2.0]]))
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
    history = dem.fit(data, epochs=5, verbose=0).history["loss"]
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
    expected = zsl._unit(mean) @ zsl._unit(cands).T
    np.testing.assert_array_equal(dem.scores(ids, cands).argsort(1), expected.argsort(1))


def _hashtag_column(n_tags=50, per_tag=20, seed=0):
    tags = np.repeat([f"tag{i:02d}" for i in range(n_tags)], per_tag)
    return np.random.default_rng(seed).permutation(tags)


@pytest.mark.parametrize("n_seen", [s for s, _ in zsl.SPLITS])
def test_partitions_never_leak(n_seen):
    hashtags = _hashtag_column()
    parts = zsl.make_partitions(hashtags, n_seen, n_partitions=5, seed=2019)
    assert len({tuple(p.unseen) for p in parts}) == 5          # different partitions
    for p in parts:
        zsl.check_no_leak(p, hashtags)
        assert len(p.seen) == n_seen and len(p.unseen) == 50 - n_seen
        assert not set(hashtags[p.train]) & set(p.unseen)                    # seen-only training
        assert set(hashtags[p.unseen_test]) == set(p.unseen)
        assert set(hashtags[p.few_shot]) == set(p.unseen)
        assert not np.intersect1d(p.few_shot, p.few_shot_test).size          # few-shot never tested
        counts = np.unique(hashtags[p.few_shot], return_counts=True)[1]
        assert counts.min() >= 5 and counts.max() <= 10
        assert np.array_equal(np.union1d(p.few_shot, p.few_shot_test), p.unseen_test)
        assert not np.intersect1d(p.train, p.seen_test).size
    again = zsl.make_partitions(hashtags, n_seen, n_partitions=5, seed=2019)
    assert all(np.array_equal(a.train, b.train) for a, b in zip(parts, again))


def test_check_no_leak_catches_a_leak():
    hashtags = _hashtag_column()
    p = zsl.make_partitions(hashtags, 40, n_partitions=1)[0]
    p.train = np.concatenate([p.train, p.unseen_test[:1]])
    with pytest.raises(AssertionError, match="unseen hashtags"):
        zsl.check_no_leak(p, hashtags)
    with pytest.raises(ValueError, match="n_seen"):
        zsl.make_partitions(hashtags, 50)


def test_generalised_harmonic_mean():
    scores = np.eye(4)
    labels = np.array([0, 1, 3, 3])
    out = zsl.generalised(scores, labels, [True, True, False, False])
    assert out["seen"] == 1.0 and out["unseen"] == 0.5
    assert out["H"] == pytest.approx(2 / 3)


def test_zero_shot_recommender_ranks_unseen_hashtags_and_reports_missing():
    from tagzsl import embeddings, preprocess
    from tagzsl.data import synthetic_corpus
    from tagzsl.recommender import MissingVectorWarning

    corpus = synthetic_corpus(600, n_topics=6, hashtags_per_topic=2, seed=0)
    sentences = [preprocess.clean_text(t) + list(h) for t, h in zip(corpus["text"], corpus["hashtags"])]
    kv = embeddings.train_word2vec(sentences, dim=16, epochs=5, min_count=1)
    tag = corpus["hashtags"].str[0]
    topics = corpus["topic"].to_numpy()
    seen_topics = topics < 4
    rec = zsl.ZeroShotRecommender(kv, zsl.Settings(units=8, features=8, epochs=2, dem_epochs=2,
                                                   sequence_length=12), seed=0)
    rec.fit(corpus["text"][seen_topics].tolist(), tag[seen_topics].tolist())
    unseen = sorted(set(tag[~seen_topics]))
    assert not set(unseen) & set(rec.classes_)
    texts = corpus["text"][~seen_topics].tolist()[:40]
    with pytest.warns(MissingVectorWarning, match="nosuchtag"):
        out = rec.recommend(texts, unseen + ["#nosuchtag"], k=2)
    assert rec.missing_ == ["nosuchtag"]
    assert len(out) == 40 and all(len(r) == 2 and r[0][1] >= r[1][1] for r in out)
    assert all(h in unseen for r in out for h, _ in r)
    truth = tag[~seen_topics].tolist()[:40]
    # the unseen hashtags' topics are learnable from word vectors alone: well above chance (1/4)
    topic_of = dict(zip(tag, topics))
    assert np.mean([topic_of[r[0][0]] == topic_of[t] for r, t in zip(out, truth)]) > 0.5
    with pytest.raises(ValueError, match="none of the candidate"):
        rec.recommend(texts[:1], ["nosuchtag"])
    with pytest.raises(TypeError):
        rec.recommend("one tweet", unseen)
