"""corpus.prepare on a subset of the shared sources, and the notebook-01 protocol (experiments.dataset)."""
import pandas as pd
import pytest

from tagzsl import corpus
from tagzsl.experiments import dataset


@pytest.fixture(scope="module")
def small(shared_data, tmp_path_factory):
    """Two small sources (27k posts), quick word2vec, a 5-label rule, in a private cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("TAGZSL_CACHE", str(tmp_path_factory.mktemp("cache")))
    try:
        yield corpus.prepare(sources=("fivethirtyeight", "vaccination"), n_hashtags=5, min_tweets=60,
                             per_hashtag=60, quick=True)
    finally:
        mp.undo()


def test_prepare_keeps_the_source_everywhere(small):
    assert small.sources == ("fivethirtyeight", "vaccination")
    assert set(small.raw["source"]) == set(small.clean["source"]) == set(small.sources)
    assert set(small.top["source"]) <= set(small.sources)
    assert small.label_rule == "paper" and len(small.top) == 5 * 60 and small.top["id"].is_unique
    assert small.top["hashtag"].value_counts().eq(60).all()
    assert set(small.hashtags) <= set(small.vectors.key_to_index)


def test_collection_hashtags_are_never_labels(small):
    excluded = set(zip(small.exclusions["source"], small.exclusions["hashtag"]))
    assert ("vaccination", "pfizerbiontech") in excluded and ("fivethirtyeight", "mayweathervmcgregor") in excluded
    carried = set(zip(small.clean["source"], small.clean["hashtags"].explode()))
    assert not carried & excluded


def test_funnel_and_data_card_add_up(small):
    table = dataset.funnel(small)
    assert (table[list(small.sources)].sum(axis=1) == table["all sources"]).all()
    assert table["all sources"].iloc[-1] == len(small.clean)
    card = dataset.data_card(small)
    assert list(card.index) == ["fivethirtyeight", "vaccination", "all sources"]
    assert card.loc["vaccination", "posts read"] == 8082
    for name in small.sources:
        row = card.loc[name]
        assert row["posts read"] >= row["English posts"] >= row["posts with a hashtag"] >= row["posts kept after cleaning"]
        assert row["URL"].startswith("https://github.com/") and row["stated licence"]
    assert card.loc["fivethirtyeight", "English (%)"] < 95          # the fight tweets are multilingual
    assert card.loc["all sources", "posts kept after cleaning"] == len(small.clean)
    summary = dataset.exclusion_summary(small)
    assert summary.loc["vaccination", "of them in the posts"] == 1


def test_cached_prepare_is_identical(small):
    again = corpus.prepare(sources=("fivethirtyeight", "vaccination"), n_hashtags=5, min_tweets=60,
                           per_hashtag=60, quick=True, cache=False)
    pd.testing.assert_frame_equal(again.top, small.top)
    assert again.steps.equals(small.steps)


def test_label_sources_table_and_figure(small, tmp_path):
    table = dataset.label_sources(small.top)
    assert list(table.index) == small.hashtags
    assert (table[sorted(set(small.top["source"]))].sum(axis=1) == 60).all()
    assert table["top source (%)"].between(50, 100).all()
    dataset.plot_label_sources(small.top, tmp_path / "labels.png")
    assert (tmp_path / "labels.png").read_bytes()[:4] == b"\x89PNG"


def test_statistics(small):
    stats = corpus.statistics(small)["value"]
    assert stats["posts read"] == len(small.raw) and stats["label set: tweets"] == 300
    assert stats["label-set hashtags without a vector"] == 0


# --------------------------------------------------------------------------- source-only baseline
def test_source_only_baseline_predicts_each_sources_most_frequent_training_label():
    train_sources = ["a", "a", "a", "b", "b", "c"]
    train_labels = ["x", "y", "x", "z", "y", "y"]
    predicted = dataset.source_only_baseline(train_sources, train_labels, ["a", "b", "c", "unseen"])
    # b ties z/y: alphabetical first; an unseen source gets the overall most frequent (x 2, y 3)
    assert predicted == ["x", "y", "y", "y"]


def test_source_only_baseline_bad_input():
    with pytest.raises(ValueError, match="one source per training label"):
        dataset.source_only_baseline(["a"], ["x", "y"], ["a"])
    with pytest.raises(ValueError, match="at least one"):
        dataset.source_only_baseline([], [], ["a"])


def test_settings_for_dataset():
    from tagzsl import experiments

    assert experiments.settings_for(dataset, "quick").quick_corpus
    assert not experiments.settings_for(dataset, "full").quick_corpus
    assert dataset.FULL.sources == corpus.ALL


@pytest.mark.parametrize("damage", [b"", b"\x80\x04\x95truncated", b"not a pickle at all"])
def test_a_damaged_cache_file_is_a_cache_miss_removed_and_rebuilt(tmp_path, monkeypatch, caplog, damage):
    """A truncated or garbage file under TAGZSL_CACHE/artefacts/ is rebuilt, not an UnpicklingError."""
    monkeypatch.setenv("TAGZSL_CACHE", str(tmp_path))
    calls = []

    def build():
        calls.append(1)
        return {"value": 42}

    assert corpus._cached("thing", "k1", build) == {"value": 42}
    path = tmp_path / "artefacts" / "thing-k1.pkl"
    assert path.is_file() and calls == [1]
    assert corpus._cached("thing", "k1", build) == {"value": 42} and calls == [1]   # read back, not rebuilt
    path.write_bytes(damage)
    with caplog.at_level("WARNING", logger="tagzsl.corpus"):
        assert corpus._cached("thing", "k1", build) == {"value": 42}
    assert calls == [1, 1]
    assert "could not be read" in caplog.text and "thing-k1.pkl" in caplog.text
    assert corpus._cached("thing", "k1", build) == {"value": 42} and calls == [1, 1]  # the rebuilt file is good
    assert sorted(p.name for p in path.parent.iterdir()) == ["thing-k1.pkl"]          # nothing else left
