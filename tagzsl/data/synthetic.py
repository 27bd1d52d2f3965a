"""A synthetic tweet corpus for smoke runs and unit tests.

Never a paper result: the tweets are made up. They only have the *shape* of the real
corpus (raw text with ``#hashtags``, ``@mentions`` and URLs) and a known structure that
tests can check: ``n_topics`` topics, each with its own vocabulary of made-up words and its
own hashtags. Topic vocabularies and hashtag sets are disjoint, and a topic's hashtags
always appear among that topic's words, so word2vec places same-topic hashtags near each
other and a classifier can learn the hashtags from the words.

Words and hashtags are pronounceable three-syllable strings (consonant + vowel, no ``e``,
``h``, ``s``, ``w`` or ``y``), so none of them is an English stop word.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

_CONSONANTS = "bdgklmnprtvz"
_VOWELS = "aiou"
#: Shared filler: some English stop words (removed by cleaning) and some ordinary words
#: that every topic uses (so topics are not trivially separable by every token).
FILLER = ("the", "and", "is", "so", "just", "really", "today", "now", "again", "this")
_URLS = ("https://t.co/{}", "http://example.com/{}", "www.example.org/{}")


def _names(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    """``count`` distinct made-up three-syllable words not in ``taken`` (which is updated)."""
    out = []
    while len(out) < count:
        word = "".join(rng.choice(list(_CONSONANTS)) + rng.choice(list(_VOWELS)) for _ in range(3))
        if word not in taken:
            taken.add(word)
            out.append(word)
    return out


def synthetic_corpus(n_tweets: int = 1000, n_topics: int = 8, hashtags_per_topic: int = 4,
                     words_per_topic: int = 40, seed: int = 0) -> pd.DataFrame:
    """A deterministic synthetic corpus (for smoke runs and tests, never a paper result).

    Each tweet belongs to one topic (uniformly drawn). Its text has 6-15 words, mostly from
    the topic's vocabulary plus some shared filler words, and 1-2 of the topic's hashtags
    placed in the text (sometimes capitalised); about one tweet in ten also has an
    ``@mention`` and one in ten a URL, so cleaning has work to do.

    Returns a DataFrame with columns ``id`` (str), ``text`` (raw tweet text), ``lang``
    (``"en"``), ``hashtags`` (lower-case, no ``#``, in text order), ``is_retweet`` (False)
    and ``topic`` (int). The same arguments give the same frame.
    """
    if n_tweets < 0 or n_topics < 1 or hashtags_per_topic < 1 or words_per_topic < 1:
        raise ValueError("synthetic_corpus needs n_tweets >= 0 and n_topics, hashtags_per_topic, "
                         "words_per_topic >= 1")
    rng = np.random.default_rng(seed)
    taken: set[str] = set()
    vocab = [_names(rng, words_per_topic, taken) for _ in range(n_topics)]
    tags = [_names(rng, hashtags_per_topic, taken) for _ in range(n_topics)]
    users = _names(rng, 20, taken)

    rows = []
    for i in range(n_tweets):
        topic = int(rng.integers(n_topics))
        n_words = int(rng.integers(6, 16))
        n_filler = int(rng.binomial(n_words, 0.2))
        n_topic_words = max(5, n_words - n_filler)
        words = list(rng.choice(vocab[topic], size=n_topic_words))
        words += list(rng.choice(FILLER, size=n_words - n_topic_words))
        words = [words[j] for j in rng.permutation(len(words))]

        n_tags = int(rng.integers(1, 3)) if hashtags_per_topic > 1 else 1
        chosen = list(rng.choice(tags[topic], size=n_tags, replace=False))
        for tag in chosen:
            shown = tag.capitalize() if rng.random() < 0.3 else tag
            words.insert(int(rng.integers(len(words) + 1)), "#" + shown)
        if rng.random() < 0.1:
            words.insert(0, "@" + str(rng.choice(users)))
        if rng.random() < 0.1:
            url = str(rng.choice(_URLS)).format("".join(rng.choice(list("abcdefgh123"), size=6)))
            words.append(url)
        in_order = [w[1:].lower() for w in words if w.startswith("#")]
        rows.append({
            "id": f"syn-{seed}-{i}",
            "text": " ".join(words),
            "lang": "en",
            "hashtags": list(dict.fromkeys(in_order)),
            "is_retweet": False,
            "topic": topic,
        })
    return pd.DataFrame(rows, columns=["id", "text", "lang", "hashtags", "is_retweet", "topic"])
