"""Every cleaning step, the pipeline's per-step counts, word2vec sentences and the label set."""
import pandas as pd
import pytest

from tagzsl import preprocess as p


# --------------------------------------------------------------------------- steps
@pytest.mark.parametrize("lang, expected", [
    ("en", True), ("EN", True), ("en-gb", True), (None, True), (float("nan"), True), ("", True),
    ("fr", False), ("und", False), ("es", False),
])
def test_is_english(lang, expected):
    assert p.is_english(lang) is expected


@pytest.mark.parametrize("text, expected", [
    ("Love it #Happy #happy #Joy", ["happy", "joy"]),                # lower-case, once, in order
    ("Climate now #SemST", []),                                      # stance artefact dropped
    ("#semst #Climate", ["climate"]),
    ("it&#39;s #1 fan, no. #42 and Netflix#lit#WeHo", ["lit", "weho"]),  # entities, numbers; glued tags count
    ("see http://a.com/page#anchor &amp; ＃Wide", ["wide"]),          # URL fragments are not tags; full-width sign
    ("#2nd place #tag. end", ["2nd", "tag"]),                        # a letter is enough; punctuation ends it
    ("no tags at all", []),
])
def test_extract_hashtags(text, expected):
    assert p.extract_hashtags(text) == expected


def test_extract_hashtags_custom_drop():
    assert p.extract_hashtags("#SemST #x", drop=()) == ["semst", "x"]


def test_remove_hashtags():
    assert p.remove_hashtags("#Start in the #middle and at the end #Stop") == "in the and at the end"
    assert p.remove_hashtags("it&#39;s #1 fan") == "it&#39;s #1 fan"   # non-tags stay


@pytest.mark.parametrize("text, expected", [
    ("Café CRÈME naïve", "cafe creme naive"),
    ("I ❤ it 😀!", "i  it !"),
    ("PLAIN Ascii", "plain ascii"),
    ("日本語", ""),
])
def test_to_ascii_lower(text, expected):
    assert p.to_ascii_lower(text) == expected


def test_remove_retweet_prefix():
    assert p.remove_retweet_prefix("RT @Bob: great game #NBA") == "great game #NBA"
    assert p.remove_retweet_prefix("rt @bob great") == "great"
    assert p.remove_retweet_prefix("not a RT @bob: here") == "not a RT @bob: here"   # only a leading one
    assert p.normalise("RT @Bob: Hi @Ann see http://x.y") == "hi user see"


def test_replace_mentions():
    assert p.replace_mentions("@Bob hi @alice_1! mail a@b.com") == "user hi user! mail a@b.com"


def test_remove_urls():
    text = "see https://t.co/abc and HTTP://x.y/z?q=1 or www.foo.com/bar end"
    assert p.remove_urls(text) == "see and or end"
    assert p.remove_urls("nothing to remove") == "nothing to remove"


def test_tokenize_keeps_words_drops_punctuation_numbers_emoticons():
    assert p.tokenize("hello!!! :) wooooow 123 it's e-mail <3 ...") == ["hello", "wooow", "it's", "e-mail"]


def test_remove_stopwords():
    assert p.remove_stopwords(["the", "cat", "is", "not", "on", "my", "mat"]) == ["cat", "mat"]
    assert {"the", "not", "and"} <= p.stopwords()


def test_long_enough():
    assert p.long_enough(["a"] * 5) and not p.long_enough(["a"] * 4)
    assert p.long_enough(["a"] * 2, min_words=2) and not p.long_enough([])


def test_clean_text_applies_every_step():
    raw = "@Bob I LOVED the Café's Crème brûlée!!! https://t.co/x #Food #yum :)"
    assert p.clean_text(raw) == ["user", "loved", "cafe's", "creme", "brulee"]
    assert p.clean_text("#only #tags https://t.co/y 😀") == []


# --------------------------------------------------------------------------- pipeline
def hand_built():
    rows = [  # id, text, lang, hashtags (API metadata or None)
        ("a", "@Ann Loving the sunny weather in the park today with friends https://t.co/x #Summer", "en", None),
        ("b", "J'adore le soleil dans le parc aujourd'hui avec les amis #Summer", "fr", None),
        ("c", "A tweet with plenty of words but without any tag at all", None, None),
        ("d", "@Bob loving the SUNNY weather in the park today with friends http://x.y/z #Sun", "en", None),
        ("e", "Great game tonight guys #NBA", "en-gb", None),
        ("f", "#only #tags 😀 !!! https://t.co/y", None, None),
        ("g", "This is what we were all about to do #Stop", "en", None),
        ("h", "Only the stance artefact tag is here in this tweet #SemST", "en", None),
        ("i", "Metadata tagged tweet about football match results tonight", "en", ["meta"]),
    ]
    return pd.DataFrame(rows, columns=["id", "text", "lang", "hashtags"])


def test_clean_corpus_counts_after_each_step():
    result = p.clean_corpus(hand_built())
    assert list(result.steps.columns) == ["step", "tweets"]
    assert list(result.steps["step"]) == [
        "raw tweets", "English only", "with at least one hashtag", "hashtags extracted and removed",
        "non-ASCII removed, lower-cased", "retweet prefix dropped, @mentions to 'user'", "URLs removed",
        "duplicates removed",
        "tokenised (TweetTokenizer)", "stop words removed", "at least 5 words",
    ]
    # b is French; c and h carry no hashtag (#SemST does not count); d duplicates a once
    # cleaned; e keeps 4 words; f cleans to nothing; g is only stop words.
    assert list(result.steps["tweets"]) == [9, 8, 6, 6, 6, 6, 6, 5, 5, 5, 2]
    frame = result.frame.set_index("id")
    assert list(frame.index) == ["a", "i"]
    assert frame.loc["a", "tokens"] == ["user", "loving", "sunny", "weather", "park", "today", "friends"]
    assert frame.loc["a", "text"] == "user loving sunny weather park today friends"
    assert frame.loc["a", "hashtags"] == ["summer"]
    assert frame.loc["i", "hashtags"] == ["meta"]          # metadata hashtags are used
    assert frame.loc["a", "raw"].startswith("@Ann Loving")  # the raw text is kept


def test_clean_corpus_without_lang_or_hashtag_columns_and_min_words():
    raw = hand_built()[["id", "text"]]
    result = p.clean_corpus(raw, min_words=4)
    steps = dict(zip(result.steps["step"], result.steps["tweets"]))
    assert steps["English only"] == 9            # no metadata: nothing filtered
    assert steps["with at least one hashtag"] == 6  # b now counts; i has no tag in its text
    assert steps["at least 4 words"] == 3         # a, b and e (4 words)
    assert set(result.frame["id"]) == {"a", "b", "e"}


def test_clean_corpus_per_source_counts_artefacts_and_cross_source_duplicates():
    raw = pd.DataFrame({
        "id": ["s1", "s2", "s3", "t1", "t2"],
        "source": ["first", "first", "first", "second", "second"],
        "text": ["Loving the sunny weather in the park today with friends #Summer #Collect",
                 "Nothing but the collection tag on this long enough tweet here #Collect",
                 "Another fine day of words for the sunny weather park walk #walk",
                 "RT @Ann: loving the SUNNY weather in the park today with friends https://t.co/x #beach",
                 "The same collection tag is a real label in this other source #Collect"],
    })
    result = p.clean_corpus(raw, artefacts={"first": {"collect"}})
    by = result.by_source
    assert list(by.columns) == ["first", "second"] and list(by.index) == list(result.steps["step"])
    assert by.loc["raw tweets"].tolist() == [3, 2]
    assert by.loc["with at least one hashtag"].tolist() == [2, 2]      # s2 only had the artefact
    assert by.loc["duplicates removed"].tolist() == [2, 1]             # t1 is s1 retweeted: counted once
    assert (by.sum(axis=1).values == result.steps["tweets"].values).all()
    frame = result.frame.set_index("id")
    assert frame.loc["s1", "hashtags"] == ["summer"] and frame.loc["t2", "hashtags"] == ["collect"]
    assert "t1" not in frame.index


def test_clean_corpus_needs_text():
    with pytest.raises(ValueError, match="text"):
        p.clean_corpus(pd.DataFrame({"id": ["1"]}))


def test_word2vec_sentences_keep_hashtags_as_words():
    raw = pd.DataFrame({"text": [
        "I am #not happy with the #Weather today #SemST",
        "I am #not happy with the #weather today",          # same once normalised: dropped
        "the and of",                                        # only stop words: no sentence
        "@Bob no tag here, see https://t.co/x",
    ]})
    sentences = p.word2vec_sentences(raw)
    assert sentences == [["not", "happy", "weather", "today"], ["user", "tag", "see"]]


# --------------------------------------------------------------------------- labels
def labelled_frame():
    tags = [["a"], ["a"], ["a"], ["a"], ["a", "c"], ["b"], ["b"], ["b", "a"], ["b"], ["c"],
            ["c", "d"], ["d"]]
    # counts: a 6, b 4, c 3, d 2
    return pd.DataFrame({
        "id": [f"t{i}" for i in range(1, len(tags) + 1)],
        "text": [f"text {i}" for i in range(1, len(tags) + 1)],
        "tokens": [["text", str(i)] for i in range(1, len(tags) + 1)],
        "hashtags": tags,
    })


def test_hashtag_counts():
    counts = p.hashtag_counts(labelled_frame())
    assert counts.to_dict() == {"a": 6, "b": 4, "c": 3, "d": 2}
    assert list(counts.index) == ["a", "b", "c", "d"]


def test_select_top_hashtags_labels_with_the_least_frequent_kept_hashtag():
    top = p.select_top_hashtags(labelled_frame(), n=3, per_hashtag=10, seed=0)
    assert list(top.columns) == ["id", "text", "tokens", "hashtag", "hashtags"]
    label = dict(zip(top["id"], top["hashtag"]))
    assert label["t5"] == "c"    # [a, c]: c is rarer
    assert label["t8"] == "b"    # [b, a]: b is rarer
    assert label["t11"] == "c"   # [c, d]: d is not in the top 3
    assert "t12" not in label    # only d: no label
    assert top["id"].is_unique
    assert top["hashtag"].value_counts().to_dict() == {"a": 4, "b": 4, "c": 3}


def test_select_top_hashtags_tie_goes_to_the_first_in_the_text():
    frame = pd.DataFrame({"id": ["1", "2", "3", "4"], "text": ["x"] * 4, "tokens": [["x"]] * 4,
                          "hashtags": [["x", "y"], ["y", "x"], ["x"], ["y"]]})
    top = p.select_top_hashtags(frame, n=2, per_hashtag=None)
    assert dict(zip(top["id"], top["hashtag"])) == {"1": "x", "2": "y", "3": "x", "4": "y"}


def test_select_top_hashtags_per_hashtag_cap_and_full_balance():
    capped = p.select_top_hashtags(labelled_frame(), n=3, per_hashtag=2, seed=0)
    assert capped["hashtag"].value_counts().to_dict() == {"a": 2, "b": 2, "c": 2}
    balanced = p.select_top_hashtags(labelled_frame(), n=3, per_hashtag=None, seed=0)
    assert balanced["hashtag"].value_counts().to_dict() == {"a": 3, "b": 3, "c": 3}
    assert list(dict.fromkeys(balanced["hashtag"])) == ["a", "b", "c"]  # most frequent first


def test_select_top_hashtags_is_seeded():
    frame = pd.DataFrame({"id": [str(i) for i in range(60)], "text": ["x"] * 60,
                          "tokens": [["x"]] * 60,
                          "hashtags": [["a"]] * 40 + [["b"]] * 20})
    one = p.select_top_hashtags(frame, n=2, per_hashtag=10, seed=1)
    again = p.select_top_hashtags(frame, n=2, per_hashtag=10, seed=1)
    other = p.select_top_hashtags(frame, n=2, per_hashtag=10, seed=2)
    pd.testing.assert_frame_equal(one, again)
    assert list(one["id"]) != list(other["id"])
    assert one["hashtag"].value_counts().to_dict() == {"a": 10, "b": 10}


def rule_frame(extra=False):
    """a: 6 tweets, b: 5, c: 4 (two shared with d), d: 3, e: 1; with ``extra``, f: 3."""
    tags = [["a"]] * 6 + [["b"]] * 5 + [["c"]] * 2 + [["c", "d"]] * 2 + [["d"]] + [["e"]]
    tags += [["f"]] * 3 if extra else []
    n = len(tags)
    return pd.DataFrame({"id": [f"t{i}" for i in range(n)], "text": ["x"] * n, "tokens": [["x"]] * n,
                         "hashtags": tags, "source": ["s"] * n})


def test_select_label_set_paper_rule_checks_the_threshold_after_labelling():
    # c is carried by 4 tweets but keeps only 2 once d (rarer) takes the shared ones: c is
    # dropped and the next most used (f) takes its place; d then keeps 3
    labels = p.select_label_set(rule_frame(extra=True), n=4, min_tweets=3, per_hashtag=3, seed=0)
    assert labels.rule == "paper" and labels.qualifying == 4
    assert labels.frame["hashtag"].value_counts().to_dict() == {"a": 3, "b": 3, "d": 3, "f": 3}
    assert "source" in labels.frame.columns and labels.note.startswith("paper rule")
    assert labels.frame["id"].is_unique


def test_select_label_set_falls_back_explicitly():
    labels = p.select_label_set(rule_frame(), n=4, min_tweets=3, per_hashtag=10, seed=0)
    assert labels.rule == "fallback" and labels.qualifying == 3
    # the highest threshold at which four hashtags qualify is 2 (a, b, c 2 once labelled, d 3)
    assert labels.frame["hashtag"].value_counts().to_dict() == {"a": 2, "b": 2, "c": 2, "d": 2}
    assert "only 3 hashtags" in labels.note and "lowered to 2" in labels.note
    with pytest.raises(ValueError, match="fewer than 6 hashtags"):
        p.select_label_set(rule_frame(), n=6, min_tweets=3)


def test_select_top_hashtags_too_few_hashtags_is_an_error():
    with pytest.raises(ValueError, match="only 4 distinct hashtags"):
        p.select_top_hashtags(labelled_frame(), n=5)
