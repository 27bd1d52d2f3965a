"""The raw Twitter API JSON reader: v1.1 REST and streaming, retweets, v2, malformed lines, gzip."""
import gzip
import json
import logging

import pytest

from tagzsl.data import read_tweet_json
from tagzsl.preprocess import clean_corpus

REST_EXTENDED = {
    "created_at": "Mon Apr 01 10:00:00 +0000 2019", "id": 1001, "id_str": "1001",
    "full_text": "Long REST tweet about cats &amp; dogs, well past one hundred and forty "
                 "characters once you count everything #Pets #CatLife",
    "truncated": False, "lang": "en",
    "entities": {"hashtags": [{"text": "Pets", "indices": [0, 5]},
                              {"text": "CatLife", "indices": [6, 14]}]},
}
REST_SHORT = {"id": 1002, "id_str": "1002", "text": "short classic tweet #Hello", "lang": "en",
              "entities": {"hashtags": [{"text": "Hello"}]}}
STREAM_TRUNCATED = {
    "id": 2001, "id_str": "2001", "lang": "en", "truncated": True,
    "text": "A streamed tweet cut at 140 characters … https://t.co/abc",
    "entities": {"hashtags": []},
    "extended_tweet": {
        "full_text": "A streamed tweet cut at 140 characters but whose full text is here #Streaming #Full",
        "entities": {"hashtags": [{"text": "Streaming"}, {"text": "Full"}]},
    },
}
RETWEET = {
    "id": 3002, "id_str": "3002", "lang": "en", "truncated": False,
    "text": "RT @orig: The original tweet, cut in the retweet …",
    "entities": {"hashtags": []},
    "retweeted_status": {
        "id": 3001, "id_str": "3001", "lang": "en", "truncated": True,
        "text": "The original tweet, cut in the retweet …",
        "extended_tweet": {"full_text": "The original tweet, cut in the retweet, in full #Original",
                           "entities": {"hashtags": [{"text": "Original"}]}},
    },
}
V2_BARE = {"id": "4001", "text": "A v2 tweet about #Climate and #COP26", "lang": "en",
           "entities": {"hashtags": [{"start": 17, "end": 25, "tag": "Climate"},
                                     {"start": 30, "end": 36, "tag": "COP26"}]}}
V2_WRAPPED = {"data": {"id": "4002", "text": "A wrapped v2 tweet #Wrapped", "lang": "en",
                       "entities": {"hashtags": [{"tag": "Wrapped"}]}},
              "includes": {"users": [{"id": "9", "username": "someone"}]}}
V2_LONG = {"id": "4003", "text": "A v2 long tweet truncated…", "lang": "en",
           "note_tweet": {"text": "A v2 long tweet truncated in text but complete in the note #NoteTweet",
                          "entities": {"hashtags": [{"tag": "NoteTweet"}]}}}
V2_RETWEET = {"data": {"id": "4005", "text": "RT @a: cut…", "lang": "en",
                       "referenced_tweets": [{"type": "retweeted", "id": "4004"}]},
              "includes": {"tweets": [{"id": "4004", "text": "The v2 original #Source", "lang": "en"}]}}


def write_lines(path, lines, compress=False):
    data = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def by_id(df):
    return {row.id: row for row in df.itertuples(index=False)}


def test_columns_and_types(tmp_path):
    df = read_tweet_json(write_lines(tmp_path / "t.jsonl", [REST_SHORT, V2_BARE]))
    assert {"id", "text", "lang", "hashtags", "is_retweet"} <= set(df.columns)
    assert all(isinstance(i, str) for i in df["id"])
    assert all(isinstance(h, list) for h in df["hashtags"])
    assert df.attrs["malformed"] == 0


def test_rest_extended_full_text_and_classic_text(tmp_path):
    rows = by_id(read_tweet_json(write_lines(tmp_path / "t.jsonl", [REST_EXTENDED, REST_SHORT])))
    assert rows["1001"].text.startswith("Long REST tweet about cats & dogs")  # &amp; undone
    assert rows["1001"].hashtags == ["pets", "catlife"]
    assert rows["1001"].lang == "en" and not rows["1001"].is_retweet
    assert rows["1002"].text == "short classic tweet #Hello"
    assert rows["1002"].hashtags == ["hello"]


def test_streaming_truncated_uses_extended_tweet(tmp_path):
    rows = by_id(read_tweet_json(write_lines(tmp_path / "t.jsonl", [STREAM_TRUNCATED])))
    assert rows["2001"].text.endswith("whose full text is here #Streaming #Full")
    assert rows["2001"].hashtags == ["streaming", "full"]  # from extended_tweet.entities


def test_retweet_yields_original_with_its_extended_text(tmp_path):
    df = read_tweet_json(write_lines(tmp_path / "t.jsonl", [RETWEET]))
    assert list(df["id"]) == ["3001"]
    row = df.iloc[0]
    assert row.text == "The original tweet, cut in the retweet, in full #Original"
    assert row.hashtags == ["original"] and bool(row.is_retweet) is True


@pytest.mark.parametrize("obj, tweet_id, text_end, tags", [
    (V2_BARE, "4001", "#COP26", ["climate", "cop26"]),
    (V2_WRAPPED, "4002", "#Wrapped", ["wrapped"]),
    (V2_LONG, "4003", "complete in the note #NoteTweet", ["notetweet"]),
])
def test_v2_objects(tmp_path, obj, tweet_id, text_end, tags):
    df = read_tweet_json(write_lines(tmp_path / "t.jsonl", [obj]))
    assert list(df["id"]) == [tweet_id]
    assert df.iloc[0].text.endswith(text_end)
    assert df.iloc[0].hashtags == tags and df.iloc[0].lang == "en"
    assert not df.iloc[0].is_retweet


def test_v2_retweet_recovered_from_includes(tmp_path):
    df = read_tweet_json(write_lines(tmp_path / "t.jsonl", [V2_RETWEET]))
    assert list(df["id"]) == ["4004"] and df.iloc[0].text == "The v2 original #Source"
    assert df.iloc[0].hashtags == ["source"] and bool(df.iloc[0].is_retweet)


def test_hashtags_from_entities_win_over_text_and_text_fills_the_gap(tmp_path):
    # entities say "Official" although the text shows #Other: metadata wins
    meta = {"id_str": "5001", "text": "text tag #Other", "lang": "en",
            "entities": {"hashtags": [{"text": "Official"}]}}
    # no entities at all: extracted from the text (lower-case, once, '&#39;' and '#1' are no tags)
    bare = {"id_str": "5002", "text": "no entities #FromText #fromtext it&#39;s #1 #Two", "lang": "en"}
    rows = by_id(read_tweet_json(write_lines(tmp_path / "t.jsonl", [meta, bare])))
    assert rows["5001"].hashtags == ["official"]
    assert rows["5002"].hashtags == ["fromtext", "two"]


def test_malformed_lines_are_counted_reported_and_skipped(tmp_path, caplog):
    lines = [REST_SHORT, "{not json", "", "   ", "[1, 2, 3]", '"a string"',
             {"id_str": "6001", "lang": "en"},           # an object without text
             {"id_str": "6002", "text": "   "},          # blank text
             {"delete": {"status": {"id": 1}}},          # a streaming notice, not malformed
             V2_BARE]
    with caplog.at_level(logging.WARNING, logger="tagzsl.data.twitter_json"):
        df = read_tweet_json(write_lines(tmp_path / "t.jsonl", lines))
    assert list(df["id"]) == ["1002", "4001"]
    assert df.attrs["malformed"] == 5
    assert df.attrs["malformed_lines"] == [2, 5, 6, 7, 8]
    assert df.attrs["notices"] == 1
    message = " ".join(r.getMessage() for r in caplog.records)
    assert "5 malformed" in message and "2, 5, 6, 7, 8" in message


def test_invalid_utf8_line_is_malformed_not_fatal(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(json.dumps(REST_SHORT).encode() + b"\n" + b'{"text": "\xff\xfe bad"}\n')
    df = read_tweet_json(path)
    assert list(df["id"]) == ["1002"] and df.attrs["malformed_lines"] == [2]


@pytest.mark.parametrize("name", ["tweets.jsonl.gz", "tweets.jsonl"])  # detected by magic bytes
def test_gzip_detected_by_content(tmp_path, name):
    path = write_lines(tmp_path / name, [REST_EXTENDED, STREAM_TRUNCATED, RETWEET], compress=True)
    df = read_tweet_json(path)
    assert list(df["id"]) == ["1001", "2001", "3001"]
    assert df.attrs["malformed"] == 0 and not df.attrs["truncated"]


def test_cut_off_gzip_keeps_what_was_read(tmp_path, caplog):
    path = write_lines(tmp_path / "t.jsonl.gz", [REST_SHORT] * 200, compress=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    with caplog.at_level(logging.WARNING, logger="tagzsl.data.twitter_json"):
        df = read_tweet_json(path)
    assert df.attrs["truncated"] is True
    assert "damaged" in caplog.text


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tweet JSON file at .*nothing.jsonl"):
        read_tweet_json(tmp_path / "nothing.jsonl")


def test_empty_file_gives_empty_frame(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    df = read_tweet_json(path)
    assert len(df) == 0 and "hashtags" in df.columns and df.attrs["malformed"] == 0


def test_output_feeds_clean_corpus_and_non_english_is_filtered(tmp_path):
    tweets = [
        {"id_str": "7001", "lang": "en", "full_text":
         "@friend Loving the sunny weather in the park today with friends https://t.co/x #Summer",
         "entities": {"hashtags": [{"text": "Summer"}]}},
        {"id_str": "7002", "lang": "fr", "full_text":
         "J'adore le soleil dans le parc aujourd'hui avec les copains #Summer",
         "entities": {"hashtags": [{"text": "Summer"}]}},
        {"id_str": "7003", "lang": "en", "text": "Just a tweet without any tag in it at all today"},
        RETWEET,
    ]
    raw = read_tweet_json(write_lines(tmp_path / "t.jsonl", tweets))
    result = clean_corpus(raw)
    steps = dict(zip(result.steps["step"], result.steps["tweets"]))
    assert steps["raw tweets"] == 4
    assert steps["English only"] == 3                  # the French tweet is dropped
    assert steps["with at least one hashtag"] == 2     # the untagged one is dropped
    frame = result.frame.set_index("id")
    assert "7002" not in frame.index
    assert frame.loc["7001", "hashtags"] == ["summer"]
    assert frame.loc["7001", "tokens"] == ["user", "loving", "sunny", "weather", "park", "today", "friends"]
    assert frame.loc["3001", "hashtags"] == ["original"]
