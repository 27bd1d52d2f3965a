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


def test_dash_shows_empty_cells_as_a_dash_and_rounds():
    frame = pd.DataFrame({"paper": [40.71, None], "ours": [36.12, 37.44], "dim": pd.array([64, None], dtype="Int64")})
    shown = display.dash(frame, 1)
    assert shown.loc[1, "paper"] == "–" and shown.loc[1, "dim"] == "–" and shown.loc[0, "paper"] == 40.7
    assert "NaN" not in shown.to_string() and "<NA>" not in shown.to_string()


def test_readable_text_repairs_mojibake_and_drops_what_cannot_be_decoded():
    assert display.readable_text("caf\u00c3\u00a9 \u00f0\u0178\u02dc\u0160") == "café 😊"
    assert display.readable_text("family time! \u00f0\u00f0\u00e2\u00ba") == "family time! "
    assert display.readable_text("Café déjà vu") == "Café déjà vu"      # proper text untouched


def test_shorten_cuts_at_a_word_boundary():
    assert display.shorten("one two three four", 12) == "one two…"
    assert display.shorten("short", 12) == "short"
    table = display.readable(pd.DataFrame({"tweet": ["word " * 30], "n": [1]}), columns=["tweet"], width=40)
    assert len(table.loc[0, "tweet"]) <= 40 and table.loc[0, "tweet"].endswith("word…")
    cut_elsewhere = display.readable(pd.DataFrame({"tweet": ["a tweet cut mid-wo"]}), width=18)
    assert cut_elsewhere.loc[0, "tweet"] == "a tweet cut…"
