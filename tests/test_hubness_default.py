"""The hubness correction is the default for every Recommender ranking by word vectors (decided
once, tagzsl.hubness.DEFAULT), against a seeded sample of training tweets saved with the model;
fastText vectors give any candidate hashtag a vector from its character n-grams."""
import copy
import inspect
import warnings

import numpy as np
import pytest
from conftest import synthetic_with_vectors

from tagzsl import embeddings, hashtag_vectors, hparams, hubness, models, preprocess, ranking, storage, zsl
from tagzsl.recommender import HUBNESS, MissingVectorWarning, Recommender

pytest.importorskip("nltk")

TINY = {"supervised": {"epochs": 1, "units": 4, "sequence_length": 8},
        "zero_shot": {"units": 4, "features": 4, "epochs": 1, "dem_epochs": 1, "sequence_length": 8,
                      "eszsl_grid": (1.0,)}}


def tiny(method):
    """Tiny hyper-parameters of ``method``'s family: each fit takes seconds."""
    return TINY[hparams.family(method)]


@pytest.fixture(scope="module")
def data():
    return synthetic_with_vectors(n_tweets=240, n_topics=4, seed=1, epochs=3)


@pytest.fixture(scope="module")
def split(data):
    """Topics 0-2 are trained on; topic 3's hashtags are the candidates no model saw."""
    df = data[0]
    seen = df["topic"].to_numpy() < 3
    return df[seen], df[~seen]


_fitted = {}


def fitted(method, data, split, seed=3, **kw):
    key = (method, seed, tuple(sorted(kw.items())))
    if key not in _fitted:
        train = split[0]
        _fitted[key] = Recommender(method, vectors=data[1], seed=seed, **tiny(method), **kw).fit(
            train["text"].tolist(), [h[0] for h in train["hashtags"]])
    return _fitted[key]


def unseen_tags(split):
    return sorted({h for tags in split[1]["hashtags"] for h in tags})


def with_hubness(rec, correction):
    """The same fitted model ranking with another correction (no retraining)."""
    other = Recommender(rec.method, vectors=rec.vectors, seed=rec.seed, hubness=correction, **rec.hparams)
    other.backend_ = copy.copy(rec.backend_)
    other.backend_.hubness = correction
    return other


def all_scores(rec, texts, candidates=None):
    """Score matrix (texts x names) from recommend() with every candidate returned."""
    n = len(candidates) if candidates is not None else len(rec.hashtags_)
    out = rec.recommend(texts, k=n, candidates=candidates)
    names = sorted({t for t, _ in out[0]})
    return np.array([[dict(r)[t] for t in names] for r in out]), names


def zscore(scores, reference):
    return (scores - reference.mean(0)) / reference.std(0)


# --------------------------------------------------------------------------- a hand-made hub
def hub_vectors():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(["x", "y", "hub", "nearx", "neary", "goal", "vote"],
                   np.array([[1, 0, 0], [0, 1, 0], [3, 3, 0], [1, 0, 1], [0, 1, 1], [1, 0, 0], [0, 1, 0]], "float32"))
    return kv


class ByFirstWord:
    """A stand-in model whose output depends on a tweet's first word ("goal": row 0, "vote": row 1)."""

    def __init__(self, rows):
        self.rows = np.asarray(rows, "float32")

    def predict_on_batch(self, ids):          # zero-shot: ids of the vocabulary ["goal", "vote"]
        return self.rows[np.asarray(ids)[:, 0] - 2]

    def predict_proba(self, cleaned, batch):  # supervised classifier
        return self.rows[[0 if t.split()[0] == "goal" else 1 for t in cleaned]]


def hand_made(method, correction=None):
    """A fitted-looking recommender on hub_vectors(): ESZSL (features x W x vector) or a supervised
    model's ConSE (probabilities of x and y); "hub" is near every tweet, so it tops every raw ranking.
    The reference rows stand for the outputs of four training tweets."""
    kw = {} if correction is None else {"hubness": correction}
    rec = Recommender(method, vectors=hub_vectors(), **kw)
    backend = rec._backend()                  # the Recommender's own dispatch, with its hubness
    backend.hashtags_, backend.history_ = ["x", "y"], {}
    if method == "eszsl":
        backend.vectorizer_ = models.text_vectorizer(vocabulary=["goal", "vote"], sequence_length=4)
        backend.model_ = ByFirstWord([[1, 0.1], [0.1, 1]])
        backend.arrays_ = {"seen": rec.vectors[["x", "y"]], "W": np.array([[1.0, 0, 0], [0, 1.0, 0]])}
        backend.reference_ = np.array([[1, 0], [0, 1], [1, 0.2], [0.2, 1]], "float32")
    else:
        backend.classifier_ = ByFirstWord([[0.8, 0.2], [0.2, 0.8]])
        backend.reference_ = np.array([[0.9, 0.1], [0.1, 0.9], [0.7, 0.3], [0.3, 0.7]], "float32")
    rec.backend_ = backend
    return rec


@pytest.mark.parametrize("method", ["eszsl", "ann"])
def test_the_default_takes_a_hub_out_of_every_tweets_first_place(method):
    texts, candidates = ["goal goal", "vote vote"], ["hub", "nearx", "neary"]
    raw = hand_made(method, "none").recommend(texts, k=3, candidates=candidates)
    assert [r[0][0] for r in raw] == ["hub", "hub"]                  # uncorrected: the hub tops both
    rec = hand_made(method)                                           # no hubness= given: the default
    assert rec.hubness == rec.backend_.hubness == hubness.DEFAULT
    fixed = rec.recommend(texts, k=3, candidates=candidates)
    assert [r[0][0] for r in fixed] == ["nearx", "neary"]            # each tweet's own candidate first
    # the scores are z-scores of the raw ones against the reference tweets' raw scores
    kv, ref = hub_vectors(), rec.backend_.reference_
    vectors = kv[candidates]
    reference_raw = (ref @ rec.backend_.arrays_["W"] @ vectors.T if method == "eszsl"
                     else zsl.conse(ref, kv[["x", "y"]], vectors))
    raw_scores = np.array([[dict(r)[c] for c in candidates] for r in raw])
    np.testing.assert_allclose(np.array([[dict(r)[c] for c in candidates] for r in fixed]),
                               zscore(raw_scores, reference_raw), rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- one default, every ranker
def test_the_default_is_decided_once_and_reaches_a_recommender_built_without_it(data, split):
    assert hubness.DEFAULT == "normalise" and HUBNESS == hubness.CORRECTIONS
    assert inspect.signature(Recommender).parameters["hubness"].default == hubness.DEFAULT
    assert Recommender().hubness == hubness.DEFAULT
    rec = fitted("eszsl", data, split)
    assert rec.hubness == rec.backend_.hubness == hubness.DEFAULT
    for correction in hubness.CORRECTIONS:
        assert Recommender("conse", hubness=correction).hubness == correction
    with pytest.raises(ValueError, match="hubness must be one of none, centre, csls, normalise; got 'zscore'"):
        Recommender("conse", hubness="zscore")
    with pytest.raises(ValueError, match="hubness must be one of"):
        Recommender("conse").set_params(hubness="zscore").fit(["goal match"], ["x"])


@pytest.mark.parametrize("method", ["conse", "eszsl", "dem", "ann"])
def test_rankings_are_z_scores_against_the_training_tweets(method, data, split):
    """Every ranker by word vectors (a supervised one with candidates=): the default's scores are
    the uncorrected ones as z-scores of the training tweets' uncorrected scores (all of them:
    fewer than REFERENCE_TWEETS)."""
    rec = fitted(method, data, split)
    train_texts, texts, candidates = split[0]["text"].tolist(), split[1]["text"].tolist()[:12], unseen_tags(split)
    assert len(rec.reference_) == len(train_texts) < hubness.REFERENCE_TWEETS
    raw = with_hubness(rec, "none")
    for cands in ([candidates] if method == "ann" else [candidates, None]):
        got, names = all_scores(rec, texts, cands)
        want = zscore(all_scores(raw, texts, cands)[0], all_scores(raw, train_texts, cands)[0])
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3)
        assert not np.allclose(got, all_scores(raw, texts, cands)[0], atol=1e-3)


@pytest.mark.parametrize("method", ["conse", "eszsl", "dem", "ann"])
def test_none_gives_the_uncorrected_scores(method, data, split):
    """``hubness="none"``: the formulas the Recommender ranked by before the correction."""
    rec = with_hubness(fitted(method, data, split), "none")
    texts, kv, b = split[1]["text"].tolist()[:12], data[1], rec.backend_
    cleaned = preprocess.clean_texts(texts)
    for cands in ([unseen_tags(split)] if method == "ann" else [unseen_tags(split), None]):
        got, names = all_scores(rec, texts, cands)
        vectors = kv[names]
        if method == "ann":
            want = zsl.conse(b.classifier_.predict_proba(cleaned, 512), kv[rec.hashtags_], vectors)
        else:
            out = ranking.run(b.model_, models.vectorize(b.vectorizer_, cleaned)).astype("float64")
            if method == "conse":
                want = zsl.conse(out, b.arrays_["seen"], vectors)
            elif method == "eszsl":
                want = out @ b.arrays_["W"] @ vectors.T
            else:
                want = -((out[:, None, :] - embeddings.unit_rows(vectors)[None]) ** 2).sum(-1)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


def test_a_supervised_model_without_candidates_ranks_by_its_own_probabilities(data, split):
    rec = fitted("ann", data, split)
    assert rec.hubness == hubness.DEFAULT and rec.reference_ is not None
    texts = split[0]["text"].tolist()[:8]
    got, names = all_scores(rec, texts)
    probs = rec.classifier_.predict_proba(preprocess.clean_texts(texts), 512)
    np.testing.assert_array_equal(got, probs[:, [rec.hashtags_.index(n) for n in names]])


@pytest.mark.parametrize("method", ["conse", "eszsl", "dem", "ann"])
def test_save_and_load_keep_the_reference_and_the_corrected_rankings(method, data, split, tmp_path):
    rec = fitted(method, data, split)
    path = rec.save(tmp_path / method)
    assert (path / "reference.npz").is_file() and not (path / "centring.npz").exists()
    again = Recommender.load(path)
    assert again.hubness == hubness.DEFAULT
    np.testing.assert_array_equal(again.reference_, rec.reference_)
    texts = split[1]["text"].tolist()[:10]
    for cands in (None, unseen_tags(split)):
        for a, b in zip(again.recommend(texts, k=3, candidates=cands), rec.recommend(texts, k=3, candidates=cands)):
            assert [t for t, _ in a] == [t for t, _ in b]
            np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5, atol=1e-5)


def test_the_reference_is_a_seeded_sample_of_the_training_tweets(split, monkeypatch):
    monkeypatch.setattr(hubness, "REFERENCE_TWEETS", 50)
    texts, tags = split[0]["text"].tolist(), [h[0] for h in split[0]["hashtags"]]
    cleaned = preprocess.clean_texts(texts)
    a, b = (Recommender("ann", seed=3, **tiny("ann")).fit(texts, tags) for _ in range(2))
    assert a.reference_.shape == (50, len(a.hashtags_))
    np.testing.assert_array_equal(a.reference_, b.reference_)     # same seed, same sample, same outputs
    rows = hubness.reference_rows(len(texts), 3)
    assert len(rows) == 50 and not np.array_equal(rows, hubness.reference_rows(len(texts), 4))
    np.testing.assert_allclose(a.reference_, a.classifier_.predict_proba([cleaned[i] for i in rows], 512),
                               rtol=1e-6)


@pytest.mark.parametrize("method", ["ann", "eszsl"])
def test_a_damaged_reference_file_is_one_line_naming_it(method, data, split, tmp_path):
    rec = fitted(method, data, split)
    path = rec.save(tmp_path / method)
    ref, width = path / "reference.npz", rec.reference_.shape[1]
    damage = [(lambda: ref.write_bytes(b"truncated"), "reference.npz is corrupt or truncated"),
              (lambda: np.savez(ref, outputs=np.zeros((4, width + 1))),
               f"reference.npz holds {width + 1} outputs per tweet but the model gives {width}"),
              (lambda: np.savez(ref, outputs=np.full((4, width), np.nan)), "reference.npz has no usable 'outputs'"),
              (lambda: np.savez(ref, outputs=np.zeros(width)), "reference.npz has no usable 'outputs'"),
              (lambda: ref.unlink(), "reference.npz is missing")]
    for spoil, match in damage:
        spoil()
        with pytest.raises(storage.ModelFolderError, match=match) as err:
            Recommender.load(path)
        assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- subword vectors
@pytest.fixture(scope="module")
def fasttext(data, split):
    """fastText vectors of the corpus with topic 3's hashtags left out (they have no own vector)."""
    held = set(unseen_tags(split))
    sentences = [preprocess.clean_text(t) + [h for h in tags if h not in held]
                 for t, tags in zip(data[0]["text"], data[0]["hashtags"])]
    return embeddings.train_fasttext(sentences, dim=16, min_count=1, epochs=2, bucket=5000)


def test_fasttext_vectors_rank_a_candidate_that_has_no_vector_of_its_own(fasttext, data, split, tmp_path):
    from gensim.models import KeyedVectors

    new = unseen_tags(split)
    assert not set(new) & set(fasttext.key_to_index)
    plain = KeyedVectors(vector_size=fasttext.vector_size)   # the same words, no n-grams (word2vec-like)
    plain.add_vectors(list(fasttext.index_to_key), fasttext.vectors)
    assert ranking.vectors_for(plain, new)[1] == new         # word2vec: none of them can be ranked
    train = split[0]
    rec = Recommender("conse", vectors=fasttext, seed=3, **tiny("conse")).fit(
        train["text"].tolist(), [h[0] for h in train["hashtags"]])
    texts = split[1]["text"].tolist()[:6]
    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingVectorWarning)
        out = rec.recommend(texts, k=len(new), candidates=new)
    assert all(sorted(t for t, _ in r) == new for r in out)
    vectors, missing = ranking.vectors_for(fasttext, new)
    assert not missing
    np.testing.assert_array_equal(vectors[0], hashtag_vectors.subword_vector(fasttext, new[0]))
    again = Recommender.load(rec.save(tmp_path / "ft"))       # the n-grams are saved with the model
    assert type(again.vectors).__name__ == "FastTextKeyedVectors"
    for a, b in zip(again.recommend(texts, k=len(new), candidates=new), out):
        assert [t for t, _ in a] == [t for t, _ in b]
        np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5, atol=1e-5)


def test_subwords_replace_composition_only_for_fasttext_vectors(fasttext):
    from gensim.models import KeyedVectors

    a, b = [w for w in fasttext.index_to_key if w.isalpha() and len(w) == 6][:2]
    compound = a + b                                          # no own vector; composable from a and b
    plain = KeyedVectors(vector_size=fasttext.vector_size)
    plain.add_vectors(list(fasttext.index_to_key), fasttext.vectors)
    composed = hashtag_vectors.hashtag_vector(plain, compound)
    assert composed is not None
    np.testing.assert_array_equal(ranking.vectors_for(plain, [compound])[0][0], composed)   # word2vec: as before
    np.testing.assert_array_equal(ranking.vectors_for(fasttext, [compound])[0][0],
                                  hashtag_vectors.subword_vector(fasttext, compound))
    assert not np.allclose(ranking.vectors_for(fasttext, [compound])[0][0], composed)


def test_fasttext_vectors_survive_the_model_folder(fasttext, tmp_path):
    storage.write_vectors(tmp_path / "v.npz", fasttext)
    back = storage.read_vectors(tmp_path / "v.npz")
    assert (back.min_n, back.max_n, back.bucket) == (fasttext.min_n, fasttext.max_n, fasttext.bucket)
    for word in (fasttext.index_to_key[0], "neverseenhashtag"):
        np.testing.assert_allclose(back[word], fasttext[word], rtol=1e-6)
    with np.load(tmp_path / "v.npz") as data:
        arrays = {k: data[k] for k in data.files}
    np.savez(tmp_path / "bad.npz", **{**arrays, "ngrams": arrays["ngrams"][:, :3]})
    with pytest.raises(storage.ModelFolderError, match="bad.npz is corrupt .its subword vectors"):
        storage.read_vectors(tmp_path / "bad.npz")
