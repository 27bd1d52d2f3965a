"""The one Recommender: every method family fits, recommends, saves and loads; unusable texts,
candidates without vectors, and a model folder that never unpickles anything."""
import pathlib
import pickle
import zipfile

import h5py
import numpy as np
import pytest
from conftest import synthetic_with_vectors

from tagzsl import storage
from tagzsl.backends.zero_shot import ZeroShot
from tagzsl.recommender import METHODS, MissingVectorWarning, QuickModelWarning, Recommender, Unusable

pytest.importorskip("nltk")

SMALL = {"supervised": {"epochs": 2, "units": 8, "sequence_length": 12},
         "tagspace": {"epochs": 2, "dim": 8, "hidden": 16, "batch_size": 32},
         "wsabie": {"epochs": 2, "dim": 8, "batch_size": 32},
         "zero_shot": {"units": 8, "features": 8, "epochs": 2, "dem_epochs": 2, "sequence_length": 12,
                       "eszsl_grid": (1.0, 100.0)}}


def small(method):
    if method in ("tagspace", "wsabie"):
        return SMALL[method]
    return SMALL["zero_shot" if method in ("conse", "eszsl", "dem") else "supervised"]


@pytest.fixture(scope="module")
def data():
    return synthetic_with_vectors(n_tweets=480, n_topics=6, seed=1, epochs=5)


@pytest.fixture(scope="module")
def split(data):
    """Topics 0-3 are seen (trained on); topics 4-5 and their hashtags are never trained on."""
    df, kv = data
    seen = df["topic"].to_numpy() < 4
    return df[seen], df[~seen]


_fitted = {}


def fitted(method, data, split):
    if method not in _fitted:
        train = split[0]
        tags = train["hashtags"].tolist() if method in ("tagspace", "wsabie") else [h[0] for h in train["hashtags"]]
        _fitted[method] = Recommender(method, vectors=data[1], seed=3, **small(method)).fit(train["text"].tolist(), tags)
    return _fitted[method]


@pytest.mark.parametrize("method", ["gru_attention", "tagspace", "wsabie", "conse", "eszsl", "dem"])
def test_every_family_recommends_saves_and_loads(method, data, split, tmp_path):
    rec = fitted(method, data, split)
    texts = split[0]["text"].tolist()[:4]
    out = rec.recommend(texts, k=3)
    assert len(out) == 4 and all(len(r) == 3 for r in out)
    for ranked in out:
        scores = [s for _, s in ranked]
        assert scores == sorted(scores, reverse=True) and {t for t, _ in ranked} <= set(rec.hashtags_)
    path = rec.save(tmp_path / method)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    assert not [p for p in path.iterdir() if p.suffix in (".pkl", ".pickle", ".kv")]
    if (path / "model.keras").exists():  # for inference: no word-vector constant in its config, no optimizer
        with zipfile.ZipFile(path / "model.keras") as archive:
            assert "Constant" not in archive.read("config.json").decode()
            with archive.open("model.weights.h5") as fh, h5py.File(fh) as weights:
                assert "optimizer" not in weights
    again = Recommender.load(path)
    assert again.method == method and again.hashtags_ == rec.hashtags_
    for a, b in zip(again.recommend(texts, k=3), out):
        assert [t for t, _ in a] == [t for t, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-4, atol=1e-5)
    assert again.__dict__["_vectors"] is None  # the trained hashtags ranked without reading vectors.npz
    assert again.vectors.index_to_key == rec.vectors.index_to_key  # read when first needed


@pytest.mark.parametrize("method", ["conse", "dem"])
def test_zero_shot_ranks_hashtags_it_never_saw(method, data, split):
    rec = fitted(method, data, split)
    unseen_df = split[1]
    unseen = sorted({h for tags in unseen_df["hashtags"] for h in tags})
    assert not set(unseen) & set(rec.hashtags_)
    out = rec.recommend(unseen_df["text"].tolist()[:40], k=1, candidates=unseen)
    topic_of = {h: t for tags, t in zip(unseen_df["hashtags"], unseen_df["topic"]) for h in tags}
    right = np.mean([topic_of[r[0][0]] == t for r, t in zip(out, unseen_df["topic"][:40])])
    assert right > 0.5  # two unseen topics: chance is 0.5


def test_unusable_texts_are_marked_and_the_rest_ranked(data, split):
    rec = fitted("gru_attention", data, split)
    texts = [split[0]["text"].iloc[0], "😀😀 🎉", "#only #hashtags http://t.co/x", "", split[0]["text"].iloc[1]]
    out = rec.recommend(texts, k=2)
    assert [isinstance(r, Unusable) for r in out] == [False, True, True, True, False]
    assert "no words left after cleaning" in str(out[1]) and "\n" not in str(out[1])
    assert str(out[3]).endswith("is empty") and out[2].text == texts[2]
    assert len(out[0]) == 2 and len(out[4]) == 2
    with pytest.raises(ValueError, match="k must be"):
        rec.recommend("some words here", k=0)


def test_candidates_without_a_vector_are_composed_or_reported(data, split):
    rec = fitted("gru_attention", data, split)
    kv = data[1]
    a, b = [w for w in kv.index_to_key if w.isalpha() and len(w) == 6][:2]
    compound = a + b  # no vector of its own; segmentation can compose one from its two words
    assert compound not in kv.key_to_index
    text = split[0]["text"].iloc[0]
    with pytest.warns(MissingVectorWarning, match="zzqxqzvk"):
        out = rec.recommend([text], k=5, candidates=["#" + rec.hashtags_[0].upper(), "zzqxqzvk", compound])
    assert {t for t, _ in out[0]} <= {rec.hashtags_[0], compound}
    with pytest.raises(ValueError, match="none of the candidate hashtags can be ranked"):
        rec.recommend([text], candidates=["zzqxqzvk"])


def test_tagspace_candidates_must_be_trained_hashtags(data, split):
    rec = fitted("wsabie", data, split)
    with pytest.warns(MissingVectorWarning, match="not among the"):
        out = rec.recommend(split[0]["text"].tolist()[:2], candidates=[rec.hashtags_[0], "nevertrained"])
    assert all([t for t, _ in r] == [rec.hashtags_[0]] for r in out)


def test_a_crafted_pickle_in_a_model_folder_is_never_loaded(data, split, tmp_path):
    rec = fitted("eszsl", data, split)
    path = rec.save(tmp_path / "m")
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (pathlib.Path.touch, (marker,))

    (path / "vectors.kv").write_bytes(pickle.dumps(Evil()))       # the old format's file name
    (path / "model.pkl").write_bytes(pickle.dumps(Evil()))
    Recommender.load(path).recommend(["just some words"], k=1)
    assert not marker.exists()
    np.savez(path / "arrays.npz", W=np.array([Evil()], dtype=object))  # an object array = a pickle
    with pytest.raises(storage.ModelFolderError, match="pickled objects"):
        Recommender.load(path)
    assert not marker.exists()


def test_quick_mode_models_warn(data, split, tmp_path):
    rec = fitted("gru_attention", data, split)
    rec.mode_ = "quick"
    try:
        path = rec.save(tmp_path / "q")
    finally:
        del rec.mode_
    with pytest.warns(QuickModelWarning, match="quick mode"):
        Recommender.load(path).recommend(["some words"], k=1)


def test_unfitted_unknown_and_bad_training_input(data):
    df, kv = data
    with pytest.raises(RuntimeError, match="not fitted"):
        Recommender().recommend("hello world again")
    with pytest.raises(ValueError, match="unknown method 'rnn'"):
        Recommender("rnn").fit(df["text"][:10], ["a"] * 10)
    with pytest.raises(ValueError, match="3 texts but 2 hashtags"):
        Recommender().fit(df["text"][:3], ["a", "b"])
    with pytest.raises(ValueError, match="item 1"):
        Recommender("ann").fit([df["text"][0], "#x and the"], ["a", "b"])
    with pytest.raises(ValueError, match="needs word vectors"):
        Recommender("dem").fit(df["text"][:4], ["a", "b", "a", "b"])
    assert set(METHODS) == {"ann", "cnn", "gru", "gru_attention", "transformer", "tagspace", "wsabie",
                            "conse", "eszsl", "dem"}


def test_sklearn_params_and_clone(data):
    from sklearn.base import clone

    rec = Recommender("cnn", vectors=data[1], epochs=1, units=8)
    copy = clone(rec)
    assert copy.get_params()["units"] == 8 and copy.method == "cnn" and not hasattr(copy, "hashtags_")
    assert rec.set_params(units=4, seed=5).get_params()["units"] == 4 and rec.seed == 5


def hand_made_conse(hubness):
    """A ConSE recommender as a folder saved before the hubness reference loads: seen hashtags x
    and y, a model that returns fixed probabilities, the training tweets' mean ConSE vector
    (``centring_``) and no ``reference_``; a hub candidate (1, 1, 0) near every mix of x and y."""
    from gensim.models import KeyedVectors

    from tagzsl import models

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["x", "y", "hub", "nearx", "neary", "goal", "vote"],
                   np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 0, 0], [0, 1, 0]], "float32"))

    class FixedModel:  # tweet 1 is mostly x, tweet 2 mostly y
        def predict_on_batch(self, ids):
            return np.array([[0.8, 0.2], [0.2, 0.8]], "float32")[: len(ids)]

    rec = Recommender("conse", vectors=kv, hubness=hubness)
    backend = ZeroShot("conse", rec.seed, hubness, {})
    backend.hashtags_, backend.history_ = ["x", "y"], {}
    backend.vectorizer_ = models.text_vectorizer(vocabulary=["goal", "vote"], sequence_length=4)
    backend.model_, backend.arrays_ = FixedModel(), {"seen": kv[["x", "y"]]}
    backend.centring_ = np.array([0.5, 0.5, 0], "float32")
    rec.backend_ = backend
    return rec


def test_a_folder_saved_before_the_reference_keeps_its_conse_centring():
    texts, candidates = ["goal goal", "vote vote"], ["hub", "nearx", "neary"]
    raw = hand_made_conse("none").recommend(texts, k=3, candidates=candidates)
    assert [r[0][0] for r in raw] == ["hub", "hub"]                  # uncorrected ConSE: the hub wins both
    centred = hand_made_conse("centre").recommend(texts, k=3, candidates=candidates)
    assert [[t for t, _ in r] for r in centred] == [["nearx", "hub", "neary"], ["neary", "hub", "nearx"]]
    np.testing.assert_allclose([s for _, s in centred[0]], [np.sqrt(3) / 2, 0, -np.sqrt(3) / 2], atol=1e-6)


@pytest.mark.parametrize("method", ["conse", "gru_attention"])
def test_the_hubness_reference_is_saved_and_loaded(method, data, split, tmp_path):
    rec = fitted(method, data, split)
    assert rec.hubness == "normalise" and rec.centring_ is None
    assert rec.reference_.shape == (len(split[0]), len(rec.hashtags_))  # fewer than 2,000 tweets: all
    path = rec.save(tmp_path / method)
    assert (path / "reference.npz").is_file() and not (path / "centring.npz").exists()
    np.testing.assert_array_equal(Recommender.load(path).reference_, rec.reference_)
    (path / "reference.npz").write_bytes(b"truncated")
    with pytest.raises(storage.ModelFolderError, match="reference.npz is corrupt or truncated"):
        Recommender.load(path)


def test_every_ranker_by_word_vectors_keeps_a_reference_and_tagspace_none(data, split):
    for method in ("eszsl", "dem"):
        assert fitted(method, data, split).reference_ is not None
    assert fitted("wsabie", data, split).reference_ is None
    Recommender("conse", vectors=data[1], hubness="csls")  # every correction of tagzsl.hubness
    with pytest.raises(ValueError, match="hubness must be one of none, centre, csls, normalise"):
        Recommender("conse", vectors=data[1], hubness="zscore")


def test_top_k_is_the_stable_full_sort_cut_at_k_ties_included():
    from tagzsl.ranking import top_k as _top_k

    rng = np.random.default_rng(0)
    for shape, k in [((300, 30), 4), ((50, 7), 3), ((10, 5), 5), ((10, 5), 9), ((200, 40), 1)]:
        scores = rng.integers(0, 4, shape).astype("float32")  # many ties, also across the k-th place
        np.testing.assert_array_equal(_top_k(scores, k), np.argsort(-scores, axis=1, kind="stable")[:, :k])


def test_one_backend_per_family_picked_from_the_method(data, split):
    import tagzsl
    from tagzsl import backends

    for method, family in [("gru_attention", "supervised"), ("wsabie", "tagspace"), ("eszsl", "zero_shot")]:
        rec = fitted(method, data, split)
        assert type(rec.backend_) is backends.BACKENDS[family]
        assert rec.hashtags_ is rec.backend_.hashtags_ and rec.vocabulary_ == rec.backend_.vocabulary_
    assert not hasattr(Recommender("ann"), "backend_") and not hasattr(Recommender("ann"), "vocabulary_")
    assert not hasattr(tagzsl, "HashtagRecommender")


def test_fit_on_already_cleaned_texts_does_not_clean_again(data, split, monkeypatch):
    from tagzsl import preprocess

    train = split[0].iloc[:60]
    cleaned = preprocess.clean_texts(train["text"].tolist())
    tags = [h[0] for h in train["hashtags"]]
    monkeypatch.setattr(preprocess, "clean_texts", lambda texts: pytest.fail("cleaned twice"))
    for given in (cleaned, [t.split() for t in cleaned]):  # strings or lists of tokens
        rec = Recommender("ann", seed=3, epochs=1, units=8, sequence_length=12).fit(given, tags, cleaned=True)
        assert rec.hashtags_ == sorted(set(tags)) and set(cleaned[0].split()) <= set(rec.vocabulary_)
    with pytest.raises(ValueError, match="2 of 3 cleaned texts are empty or not text: items 1, 2"):
        Recommender("ann").fit(["goal match", "  ", []], ["a", "b", "a"], cleaned=True)
