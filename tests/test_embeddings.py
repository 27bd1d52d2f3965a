"""Skip-gram word2vec on the synthetic corpus, save/load, and the bridge to Keras vocabularies."""
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest

from tagzsl import embeddings as e
from tagzsl import preprocess
from tagzsl.data import synthetic_corpus


@pytest.fixture(scope="module")
def corpus():
    return synthetic_corpus(n_tweets=1000, n_topics=8, hashtags_per_topic=4, seed=0)


@pytest.fixture(scope="module")
def sentences(corpus):
    return preprocess.word2vec_sentences(corpus)


@pytest.fixture(scope="module")
def kv(sentences):
    return e.train_word2vec(sentences, seed=7)


def test_vectors_are_150_d_and_cover_every_hashtag(kv, corpus):
    assert e.DIM == 150 and kv.vector_size == 150 and kv.vectors.dtype == np.float32
    tags = sorted(set(corpus["hashtags"].explode()))
    vectors, missing = e.hashtag_vectors(kv, tags)
    assert missing == [] and vectors.shape == (len(tags), 150)
    assert np.all(np.linalg.norm(vectors, axis=1) > 0)


def test_training_is_deterministic_for_a_seed(kv, sentences):
    again = e.train_word2vec(sentences, seed=7)
    assert again.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(again.vectors, kv.vectors)
    other = e.train_word2vec(sentences, seed=8)
    assert not np.array_equal(other.vectors, kv.vectors)


def test_training_is_deterministic_across_processes(kv, sentences, tmp_path):
    """gensim seeds vectors with a string hash: a different PYTHONHASHSEED must not matter."""
    script = (
        "import sys, pandas as pd, numpy as np\n"
        "from tagzsl import embeddings as e, preprocess\n"
        "from tagzsl.data import synthetic_corpus\n"
        "kv = e.train_word2vec(preprocess.word2vec_sentences(synthetic_corpus(1000, 8, 4, seed=0)), seed=7)\n"
        "np.save(sys.argv[1], kv.vectors)\n"
    )
    out = tmp_path / "v.npy"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, timeout=120)
    np.testing.assert_array_equal(np.load(out), kv.vectors)


def test_same_topic_hashtags_are_closer_than_cross_topic(kv, corpus):
    topic = corpus.explode("hashtags").groupby("hashtags")["topic"].first()
    within, across = [], []
    for a, b in itertools.combinations(topic.index, 2):
        (within if topic[a] == topic[b] else across).append(kv.similarity(a, b))
    assert len(within) == 8 * 6
    assert np.mean(within) > np.mean(across) + 0.2


def test_empty_sentences_are_an_error():
    with pytest.raises(ValueError, match="non-empty sentence"):
        e.train_word2vec([[], []])


def test_save_load_round_trip_is_atomic(kv, tmp_path):
    path = tmp_path / "deep" / "vectors.kv"
    assert e.save_vectors(kv, path) == path
    assert [p.name for p in path.parent.iterdir()] == ["vectors.kv"]  # no temporary file left
    loaded = e.load_vectors(path)
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)


def test_save_large_vectors_is_still_one_file(tmp_path):
    """Arrays over gensim's 10 MB limit could be written beside the file; they must not be."""
    from gensim.models import KeyedVectors

    big = KeyedVectors(150)
    big.add_vectors([f"w{i}" for i in range(20_000)],
                    np.random.default_rng(0).random((20_000, 150), dtype=np.float32))
    path = e.save_vectors(big, tmp_path / "big.kv")
    assert [p.name for p in tmp_path.iterdir()] == ["big.kv"]
    np.testing.assert_array_equal(e.load_vectors(path).vectors, big.vectors)


def test_save_failure_leaves_nothing(kv, tmp_path, monkeypatch):
    def broken(self, fname, *args, **kwargs):
        with open(fname, "wb") as fh:
            fh.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(type(kv), "save", broken)
    with pytest.raises(OSError, match="disk full"):
        e.save_vectors(kv, tmp_path / "v.kv")
    assert list(tmp_path.iterdir()) == []


def test_load_missing_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no word vectors at"):
        e.load_vectors(tmp_path / "nothing.kv")


def test_embedding_matrix_rows_and_oov_rate(kv):
    known = kv.index_to_key[:3]
    vocabulary = ["", "[UNK]", *known, "notaword", "alsonotaword"]
    matrix, oov = e.embedding_matrix(kv, vocabulary)
    assert matrix.shape == (len(vocabulary), 150) and matrix.dtype == np.float32
    assert not matrix[0].any() and not matrix[1].any()       # padding and [UNK]
    assert not matrix[5].any() and not matrix[6].any()       # unknown words
    for i, word in enumerate(known, start=2):
        np.testing.assert_array_equal(matrix[i], kv[word])
    assert oov == pytest.approx(2 / 5)
    assert e.embedding_matrix(kv, ["", "[UNK]"])[1] == 0.0


def test_oov_rate_counts_tokens_with_repetition(kv):
    word = kv.index_to_key[0]
    assert e.oov_rate(kv, [[word, "zzzq"], [word, word]]) == pytest.approx(1 / 4)
    assert e.oov_rate(kv, [["zzzq", "zzzq"]]) == 1.0
    assert e.oov_rate(kv, []) == 0.0


def test_hashtag_vectors_reports_missing(kv, corpus):
    tag = corpus["hashtags"].iloc[0][0]
    vectors, missing = e.hashtag_vectors(kv, [tag, "nosuchtag"])
    assert missing == ["nosuchtag"]
    np.testing.assert_array_equal(vectors[0], kv[tag])
    assert not vectors[1].any() and vectors.dtype == np.float32
    empty, none_missing = e.hashtag_vectors(kv, [])
    assert empty.shape == (0, 150) and none_missing == []


def test_train_fasttext_is_seeded_skipgram_with_subwords():
    """Same sentences and seed give the same vectors; an unseen string still gets one."""
    sentences = [["vote", "for", "trump"], ["bad", "job", "again"]] * 20
    a = e.train_fasttext(sentences, dim=8, min_count=1, epochs=1, bucket=2000)
    b = e.train_fasttext(sentences, dim=8, min_count=1, epochs=1, bucket=2000)
    np.testing.assert_array_equal(a["vote"], b["vote"])
    assert "votetrump" not in a.key_to_index and np.abs(a["votetrump"]).sum() > 0
    with pytest.raises(ValueError, match="at least one non-empty sentence"):
        e.train_fasttext([[], []])
