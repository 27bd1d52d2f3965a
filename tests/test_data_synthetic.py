"""The synthetic corpus: deterministic, well-formed, and with the topic structure it promises."""
import pandas as pd
import pytest

from tagzsl.data import synthetic_corpus
from tagzsl.preprocess import extract_hashtags, stopwords


def test_same_seed_same_corpus_and_different_seeds_differ():
    a = synthetic_corpus(n_tweets=200, seed=3)
    b = synthetic_corpus(n_tweets=200, seed=3)
    c = synthetic_corpus(n_tweets=200, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert list(a["text"]) != list(c["text"])


def test_schema():
    df = synthetic_corpus(n_tweets=300, n_topics=5, hashtags_per_topic=3, seed=1)
    assert list(df.columns) == ["id", "text", "lang", "hashtags", "is_retweet", "topic"]
    assert len(df) == 300 and df["id"].is_unique
    assert all(isinstance(i, str) for i in df["id"])
    assert (df["lang"] == "en").all() and not df["is_retweet"].any()
    assert set(df["topic"]) <= set(range(5))
    assert all(isinstance(h, list) and 1 <= len(h) <= 2 for h in df["hashtags"])
    assert all(h == h.lower() and h.isalpha() for tags in df["hashtags"] for h in tags)


def test_hashtags_appear_in_the_text():
    df = synthetic_corpus(n_tweets=300, seed=2)
    for text, tags in zip(df["text"], df["hashtags"]):
        assert extract_hashtags(text) == tags
        n_words = len([w for w in text.split() if not w.startswith(("#", "@", "http", "www."))])
        assert 6 <= n_words <= 15


def test_topics_own_disjoint_hashtags_and_words():
    df = synthetic_corpus(n_tweets=800, n_topics=6, hashtags_per_topic=4, seed=5)
    tags_by_topic = df.explode("hashtags").groupby("topic")["hashtags"].agg(set)
    assert all(len(t) <= 4 for t in tags_by_topic)
    for i in tags_by_topic.index:
        for j in tags_by_topic.index:
            if i < j:
                assert not tags_by_topic[i] & tags_by_topic[j]
    words_by_topic = df.assign(w=df["text"].str.split()).explode("w").groupby("topic")["w"].agg(set)
    from tagzsl.data.synthetic import FILLER
    plain = {t: {w for w in ws if w.isalpha() and w not in FILLER} for t, ws in words_by_topic.items()}
    assert not plain[0] & plain[1]
    assert len(df["hashtags"].explode().unique()) == 6 * 4


def test_made_up_words_are_not_stop_words_and_there_is_noise():
    df = synthetic_corpus(n_tweets=500, seed=0)
    stop = stopwords()
    tags = set(df["hashtags"].explode())
    words = {w for t in df["text"] for w in t.split() if w.isalpha()}
    from tagzsl.data.synthetic import FILLER
    assert not tags & stop and not (words - set(FILLER)) & stop
    assert df["text"].str.contains("@").any()
    assert df["text"].str.contains(r"https?://|www\.").any()


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="n_topics"):
        synthetic_corpus(n_topics=0)
