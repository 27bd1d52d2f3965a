"""Leave-one-source-out zero-shot (tagzsl.experiments.zero_shot_ood): partitions never leak, intervals."""
import numpy as np
import pandas as pd
import pytest

from tagzsl.experiments import zero_shot_ood as ood


def small_corpus(seed=0):
    """Three sources: 'a' with 6 hashtags x 12 tweets, 'b' with 3 hashtags x 12, 'c' with 6 x 15; hashtags overlap."""
    rng = np.random.default_rng(seed)
    rows = [("a", f"h{i}") for i in range(6) for _ in range(12)]
    rows += [("b", f"h{i}") for i in (0, 6, 7) for _ in range(12)] + [("b", "h1")] * 2   # h1: 2 tweets in b
    rows += [("c", f"h{i}") for i in range(2, 8) for _ in range(15)]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    return np.array([t for _, t in rows]), np.array([s for s, _ in rows])


def test_partitions_never_leak_the_held_out_source_or_an_unseen_hashtag():
    tags, sources = small_corpus()
    parts, skipped = ood.make_ood_partitions(tags, sources, n_unseen=4, min_hashtags=5)
    assert [p.source for p in parts] == ["a", "c"] and set(skipped) == {"b"}
    assert "3 hashtag(s)" in skipped["b"]
    for p in parts:
        ood.check_ood_no_leak(p, tags, sources)
        assert not (sources[p.train] == p.source).any()                 # no tweet of the held-out source
        assert not np.isin(tags[p.train], p.unseen).any()               # no unseen hashtag, any source
        assert (sources[p.unseen_test] == p.source).all() and np.isin(tags[p.unseen_test], p.unseen).all()
        # every tweet of the held-out source with an unseen hashtag is tested, none is trained on
        expected = np.flatnonzero((sources == p.source) & np.isin(tags, p.unseen))
        np.testing.assert_array_equal(p.unseen_test, expected)
        assert len(p.unseen) == 4 and set(p.unseen) <= set(ood.eligible_hashtags(tags, sources, p.source))
        assert set(p.seen) | set(p.unseen) == set(tags) and not set(p.seen) & set(p.unseen)
        assert p.split == f"without {p.source}"
        _, counts = np.unique(tags[p.train], return_counts=True)
        assert counts.min() >= ood.MIN_TRAIN                            # every trained class can be split


def test_leak_check_catches_a_held_out_tweet_or_an_unseen_hashtag_in_training():
    tags, sources = small_corpus()
    part = ood.make_ood_partitions(tags, sources, n_unseen=4)[0][0]
    inside_seen = np.flatnonzero((sources == part.source) & ~np.isin(tags, part.unseen))
    part.train = np.sort(np.append(part.train, inside_seen[0]))
    with pytest.raises(AssertionError, match="held-out source"):
        ood.check_ood_no_leak(part, tags, sources)
    part = ood.make_ood_partitions(tags, sources, n_unseen=4)[0][0]
    outside_unseen = np.flatnonzero((sources != part.source) & np.isin(tags, part.unseen))
    part.train = np.sort(np.append(part.train, outside_unseen[0]))
    with pytest.raises(AssertionError, match="unseen hashtags"):
        ood.check_ood_no_leak(part, tags, sources)


def test_partitions_are_seeded_and_only_and_bad_input_are_reported():
    tags, sources = small_corpus()
    a = ood.make_ood_partitions(tags, sources, n_unseen=3, seed=5)[0]
    b = ood.make_ood_partitions(tags, sources, n_unseen=3, seed=5)[0]
    assert [p.unseen for p in a] == [p.unseen for p in b]
    assert [p.source for p in ood.make_ood_partitions(tags, sources, only=["c"])[0]] == ["c"]
    with pytest.raises(ValueError, match="no tweets from source"):
        ood.make_ood_partitions(tags, sources, only=["zz"])
    with pytest.raises(ValueError, match="one source per tweet"):
        ood.make_ood_partitions(tags, sources[:-1])


def test_validation_split_uses_only_seen_training_tweets():
    tags, sources = small_corpus()
    part = ood.make_ood_partitions(tags, sources, n_unseen=4)[0][0]
    inner, val, inner_rows, val_rows = ood.validation_split(part, tags)
    assert not set(inner) & set(val) and set(inner) | set(val) <= set(part.seen)
    assert set(inner_rows) | set(val_rows) <= set(part.train)
    assert set(tags[inner_rows]) <= set(inner) and set(tags[val_rows]) <= set(val)


def test_intervals_wilson_and_bootstrap():
    hits = np.array([1] * 30 + [0] * 70)
    mean, low, high = ood.interval(hits)
    assert mean == 30.0 and 21 < low < 22 and 39 < high < 40          # Wilson 95%: 21.9-39.6
    mean_b, low_b, high_b = ood.interval(hits, n_boot=2000, seed=1)
    assert mean_b == 30.0 and abs(low_b - low) < 3 and abs(high_b - high) < 3


def test_methods_run_on_an_ood_partition_of_a_synthetic_corpus():
    """Every ranker x correction row exists, the chosen correction is one of them, and the hubness
    diagnostics are computed; a partition with a synthetic source split."""
    from conftest import synthetic_with_vectors
    from tagzsl import preprocess
    from tagzsl.experiments import zero_shot_ood_methods as methods

    df, kv = synthetic_with_vectors(600, 6, seed=3, epochs=3)
    frame = pd.DataFrame({"hashtag": [h[0] for h in df["hashtags"]],
                          "tokens": [preprocess.clean_text(t) for t in df["text"]]})
    frame["source"] = np.where(np.arange(len(frame)) % 3 == 0, "s1", "s2")
    parts, _ = ood.make_ood_partitions(frame["hashtag"], frame["source"], n_unseen=4, min_hashtags=4,
                                       only=["s1"])
    settings = methods.SETTINGS.__class__(**{**methods.SETTINGS.__dict__, "dem_epochs": 1,
                                             "eszsl_grid": (1.0, 10.0)})
    rows = pd.DataFrame(methods.run_partition(frame, kv, parts[0], settings=settings))
    assert set(rows["method"]) == {"random", "word2vec similarity (centred)", *methods.RANKERS}
    chosen = rows[rows["correction"] == "chosen"]
    assert len(chosen) == len(methods.RANKERS) and set(chosen["choice"]) <= set(methods.hubness.CORRECTIONS)
    assert rows["hit@1"].between(0, 100).all() and rows["top hub's top-1 share (%)"].between(0, 100).all()
    assert (rows["n_test"] == len(parts[0].unseen_test)).all()
