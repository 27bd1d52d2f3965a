"""Corpora: TweetEval (local or downloaded), raw Twitter API JSON, and a synthetic generator."""
from tagzsl.data.synthetic import synthetic_corpus
from tagzsl.data.twitter_json import read_tweet_json
from tagzsl.data.tweeteval import (
    TASKS, ChecksumError, CorpusUnavailableError, TweetEval, load_tweeteval,
)

__all__ = ["TASKS", "ChecksumError", "CorpusUnavailableError", "TweetEval", "load_tweeteval",
           "read_tweet_json", "synthetic_corpus"]
