"""display: example rows pass the profanity word list; the content note says what the corpus is."""
import pandas as pd
import pytest

from tagzsl import display

FRAME = pd.DataFrame({
    "text": ["what a match tonight", "this is shit", "new data science course today", "f*ck this traffic",
             "great coffee this morning", "go to hell you bastard", "happy valentines day everyone"],
    "hashtags": [["superbowl"], ["rant"], ["datascience"], ["monday"], ["coffee"], ["rant"], ["love"]],
})
PROFANE = {1, 3, 5}


def test_profane_and_clean_examples():
    assert display.is_clean("new data science course today")
    assert not display.is_clean("this is shit")


def test_safe_examples_drop_profane_rows_and_follow_the_seed():
    picked = display.safe_examples(FRAME, "text", n=3, seed=1)
    assert len(picked) == 3 and not set(picked.index) & PROFANE
    assert list(picked.index) == sorted(picked.index)
    assert picked.equals(display.safe_examples(FRAME, "text", n=3, seed=1))
    everything = display.safe_examples(FRAME, ["text", "hashtags"], n=10, seed=2)
    assert set(everything.index) == set(range(7)) - PROFANE  # fewer than n when fewer pass
    seeds = {tuple(display.safe_examples(FRAME, "text", n=2, seed=s).index) for s in range(8)}
    assert len(seeds) > 1


def test_safe_examples_checks_every_named_column():
    frame = pd.DataFrame({"text": ["nice day", "nice day"], "hashtag": ["sunny", "shit"]})
    assert list(display.safe_examples(frame, ["text", "hashtag"], n=2, seed=0).index) == [0]
    with pytest.raises(KeyError, match="not in the frame"):
        display.safe_examples(frame, "tweet", n=1)


def test_content_note_names_the_sources():
    note = display.content_note()
    assert note.startswith("> **Content note.**")
    for words in ("real tweets", "hate speech", "irony", "better-profanity"):
        assert words in note
