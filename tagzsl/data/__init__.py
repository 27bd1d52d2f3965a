"""Corpora: seven public tweet sources (GitHub files and TweetEval, local or downloaded), raw
Twitter API JSON, and a synthetic generator."""
from tagzsl.data.github import load_sources
from tagzsl.data.sources import ALL, SOURCES, TWEETEVAL_ONLY
from tagzsl.data.synthetic import synthetic_corpus
from tagzsl.data.twitter_json import read_tweet_json
from tagzsl.data.tweeteval import (
    TASKS, ChecksumError, CorpusUnavailableError, TweetEval, load_tweeteval,
)

__all__ = ["ALL", "SOURCES", "TWEETEVAL_ONLY", "load_sources", "TASKS", "ChecksumError", "CorpusUnavailableError", "TweetEval", "load_tweeteval",
           "read_tweet_json", "synthetic_corpus"]
