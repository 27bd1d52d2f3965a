"""Notebook 03's protocol additions (tagzsl.experiments.zero_shot): the few-shot source-only
baseline, the verdict against the baselines, Table 3 beside the paper, Table 4, what a mode
cuts. Hand-made numbers; no training, no corpus."""
import numpy as np
import pandas as pd
import pytest

from tagzsl import paper
from tagzsl.experiments import dataset
from tagzsl.experiments import verdicts
from tagzsl.experiments import zero_shot as zs


def test_source_only_ranks_candidates_by_the_sources_few_shot_counts():
    # few-shot tweets: source a carries candidate 2 twice and 0 once; b carries 1; c is unseen in training
    sources, labels = ["a", "a", "a", "b"], [2, 0, 2, 1]
    scores = zs.source_only_scores(sources, labels, ["a", "b", "c"], n_candidates=4)
    order = np.argsort(-scores, axis=1, kind="stable")
    assert order[0].tolist() == [2, 0, 1, 3]       # counts 2, 1, then the tie 0 / 0 goes to the lower index
    assert order[1].tolist() == [1, 0, 2, 3]       # b: only candidate 1 counted
    assert order[2].tolist() == [2, 0, 1, 3]       # unknown source: the counts over all few-shot tweets (2, 1, 1, 0)
    assert zs.hits(scores, np.array([0, 1, 3])) == {"hit@1": pytest.approx(100 / 3), "hit@2": pytest.approx(200 / 3),
                                                    "hit@5": 100.0}


def test_source_only_top_1_is_the_datasets_source_only_baseline():
    rng = np.random.default_rng(0)
    tags = ["alpha", "beta", "gamma", "delta", "eps"]
    cand = sorted(tags)
    train_src, test_src = rng.choice(list("abcd"), 40), rng.choice(list("abcde"), 30)
    train_lab = rng.choice(tags, 40)
    scores = zs.source_only_scores(train_src, [cand.index(t) for t in train_lab], test_src, len(cand))
    ours = [cand[j] for j in scores.argmax(axis=1)]
    assert ours == dataset.source_only_baseline(train_src, train_lab, test_src)


def _rows(values, n_test=1000):
    return pd.DataFrame([{"setting": st, "split": sp, "method": m, "partition": i, "n_test": n_test, "hit@1": v,
                          "hit@2": v + 5, "hit@5": v + 10} for (st, sp, m), vs in values.items() for i, v in enumerate(vs)])


def test_verdict_on_one_partition_uses_the_binomial_interval_and_says_tied_inside_it():
    few = {"random": 10.0, "source only": 30.0, "word2vec similarity": 20.0, "word2vec similarity (centred)": 25.0,
           "ConSE": 35.0, "ESZSL": 15.0, "DEM": 31.0}
    rows = _rows({("few-shot", "40/10", m): [v] for m, v in few.items()})
    lines = zs.verdict(rows)
    assert lines[0].startswith("few-shot 40/10 (hit@1, %; binomial 95% intervals on 1,000 test tweets): ConSE 35.0 >")
    source = next(ln for ln in lines if ln.strip().startswith("beats source only"))
    # DEM 31 vs 30 on 1,000 tweets: +1.0 ± 4.0, tied; ConSE 35 vs 30: +5.0 ± 4.1, holds
    assert "DEM tied (difference +1.0 ± 4.0)" in source and "ConSE holds (difference +5.0 ± 4.1)" in source
    assert "ESZSL does not hold (difference -15.0 ± 3.6)" in source
    w2v = next(ln for ln in lines if ln.strip().startswith("beats word2vec similarity"))
    assert "source only" not in w2v and "word2vec similarity (centred) holds" in w2v
    order = next(ln for ln in lines if ln.strip().startswith("paper order"))
    assert "DEM > ESZSL holds" in order and "ESZSL > ConSE does not hold" in order and "DEM > ConSE tied" in order
    margin = next(ln for ln in lines if ln.strip().startswith("margin over random"))
    assert "margin over random 10.0 (points):" in margin and "DEM +21.0" in margin and "ESZSL +5.0" in margin
    assert verdicts.verdict_problems("\n".join(lines)) == []
    zero = zs.verdict(_rows({("zero-shot", "40/10", m): [v] for m, v in few.items() if m != "source only"}))
    assert not any("source only" in ln for ln in zero)


def test_verdict_over_partitions_is_paired_and_few_shot_is_checked_for_trained_methods_only():
    values = {("zero-shot", "40/10", "word2vec similarity"): [40.0, 39.0, 41.0],
              ("few-shot", "40/10", "word2vec similarity"): [40.0, 39.0, 41.0],
              ("zero-shot", "40/10", "ConSE"): [30.0, 31.0, 29.0], ("few-shot", "40/10", "ConSE"): [34.0, 35.5, 32.0],
              ("zero-shot", "40/10", "DEM"): [20.0, 25.0, 21.0], ("few-shot", "40/10", "DEM"): [21.0, 24.0, 22.0]}
    lines = zs.verdict(_rows(values))
    assert "95% intervals over 3 partitions" in lines[0]
    few = next(ln for ln in lines if ln.startswith("few-shot > zero-shot on 40/10"))
    assert "word2vec similarity" not in few                        # training-free: no such row
    assert "ConSE holds (difference +3.8 ±" in few and "DEM tied (difference +0.3 ±" in few
    assert verdicts.verdict_problems("\n".join(lines)) == []


def test_table3_in_the_papers_layout():
    rows = _rows({("zero-shot", "40/10", "DEM"): [10.0, 20.0], ("few-shot", "40/10", "DEM"): [12.0, 14.0],
                  ("few-shot", "40/10", "source only"): [7.0, 9.0]})
    table = zs.table3_layout(rows)
    assert list(table.index) == [("40/10", "source only"), ("40/10", "DEM")]
    assert table.loc[("40/10", "DEM"), ("zero-shot", "hit@1")] == "15.0 ± 7.1 (62)"      # ours ± sd (paper's)
    assert table.loc[("40/10", "DEM"), ("few-shot", "hit@5")] == "23.0 ± 1.4 (97)"
    assert table.loc[("40/10", "source only"), ("zero-shot", "hit@1")] == "–"     # no zero-shot source-only row
    assert table.loc[("40/10", "source only"), ("few-shot", "hit@1")] == "8.0 ± 1.4"     # the paper has no such row
    one = zs.table3_layout(_rows({("zero-shot", "25/25", "ConSE"): [10.0]}))
    assert one.loc[("25/25", "ConSE"), ("zero-shot", "hit@2")] == "15.0 (30)"             # one partition: no sd


def test_the_papers_tweets_beside_our_methods():
    from tagzsl.experiments import zero_shot_report as report

    cands = ["metoo", "datascience", "superbowl", "justice", "fakenews", "ai"]
    scores = {"ConSE": np.eye(5, 6)}          # each tweet's expected hashtag first
    tweets, ours = report.paper_tweets(scores, cands)
    assert list(tweets["expected"]) == ["#metoo", "#datascience", "#superbowl", "#justice", "#fakenews"]
    assert "b*" not in tweets.loc[3, "tweet"] and "****" in tweets.loc[3, "tweet"]   # the profane word masked
    assert list(ours["rank of expected"]) == [1, 1, 1, 1, 1]
    assert report.paper_tweet_summary(ours, len(cands)).endswith("among 6 candidates: ConSE 5/5")


def test_table3_beside_the_paper_matches_setting_split_and_method():
    rows = _rows({("zero-shot", "40/10", "DEM"): [10.0, 20.0], ("zero-shot", "40/10", "random"): [5.0, 5.0],
                  ("few-shot", "25/25", "ConSE"): [7.0, 9.0]})
    table = zs.beside_paper(rows)
    published = paper.table("kumar_table3")
    assert len(table) == len(published) + 1                          # + our random row
    dem = table[(table["setting"] == "zero-shot") & (table["split"] == "40/10") & (table["method"] == "DEM")].iloc[0]
    assert dem["hit@1 (paper)"] == 62.0 and dem["hit@1 (ours)"] == 15.0 and dem["hit@5 (ours)"] == 25.0
    conse = table[(table["setting"] == "few-shot") & (table["split"] == "25/25") & (table["method"] == "ConSE")]
    assert conse["hit@2 (paper)"].item() == 47.0 and conse["hit@2 (ours)"].item() == 13.0
    assert table.iloc[-1]["method"] == "random" and np.isnan(table.iloc[-1]["hit@1 (paper)"])


def test_table4_puts_the_papers_examples_beside_ours():
    ours = pd.DataFrame({"tweet": ["a b", "c d"], "true hashtag": ["#x", "#y"], "top 5": ["#x #z", "#z #w"],
                         "in top 5": [True, False]})
    table = zs.table4(ours)
    assert list(table.columns.get_level_values(0).unique()) == ["paper", "ours"]
    assert table[("paper", "true hashtag")].tolist()[:2] == ["#metoo", "#datascience"]
    assert table[("paper", "top 5")].iloc[0] == "#metoo #justice #netflix #privacy #fakenews"
    assert table[("paper", "in top 5")].tolist() == [True] * 5
    assert table[("ours", "tweet")].tolist() == ["a b", "c d", "–", "–", "–"]
    assert table[("paper", "tweet")].iloc[0].startswith("high time girls women troubled")   # the paper prints them


def test_examples_show_only_tweets_that_pass_the_profanity_list():
    frame = pd.DataFrame({"text": ["nice day at the beach", "what the fuck is this", "lovely sunset tonight"],
                          "hashtag": ["summer", "summer", "travel"]})
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9]])
    table = zs.examples(frame, np.arange(3), ["summer", "travel"], scores, n=3)
    assert table["tweet"].tolist() == ["nice day at the beach", "lovely sunset tonight"]
    assert table["top 5"].tolist() == ["#summer #travel", "#travel #summer"] and table["in top 5"].all()


def test_cuts_say_what_a_mode_changes_from_full():
    assert zs.cuts(zs.FULL) == []
    cut = "\n".join(zs.cuts(zs.LESSON))
    assert "n_partitions: 1 (full: 5)" in cut and "units: 64 (full: 128)" in cut
    assert "splits" not in cut                                   # the lesson keeps the three splits


# --------------------------------------------------------------------------- a label set other than 50
@pytest.mark.parametrize("n_labels, expected", [
    (50, zs.SPLITS),                                    # the built-in corpus: exactly the paper's splits
    (12, ((10, 2), (7, 5), (6, 6))),                    # seen fraction 0.8, 0.6, 0.5, rounded half up
    (20, ((16, 4), (12, 8), (10, 10))),
    (4, ((3, 1), (2, 2))),                              # 30/20 and 25/25 both give 2/2: kept once
    (3, ((2, 1),)),
])
def test_splits_scale_to_the_label_count_and_stay_the_papers_on_50(n_labels, expected):
    splits = zs.scaled_splits(zs.SPLITS, n_labels)
    assert splits == expected
    for n_seen, n_unseen in splits:
        assert n_seen + n_unseen == n_labels and n_seen >= 2 and n_unseen >= 1
    tags = np.repeat([f"t{i:02d}" for i in range(n_labels)], 12)
    for n_seen, n_unseen in splits:                     # every scaled split makes valid partitions
        [part] = zs.make_partitions(tags, n_seen, 1, seed=7)
        assert (len(part.seen), len(part.unseen)) == (n_seen, n_unseen) and part.split == f"{n_seen}/{n_unseen}"
        zs.check_no_leak(part, tags)


def test_too_few_labels_for_zero_shot_is_one_clear_error():
    with pytest.raises(ValueError, match="zero-shot needs at least 3 label hashtags .* this corpus has 2"):
        zs.scaled_splits(zs.SPLITS, 2)


def test_scale_notes_say_what_changed_on_own_posts_and_nothing_on_the_built_in_shape():
    builtin = pd.DataFrame({"hashtag": [f"t{i}" for i in range(50)], "source": ["a", "b"] * 25})
    assert zs.scale_notes(builtin, zs.QUICK, zs.scaled_splits(zs.QUICK.splits, 50), seed=5) == []
    assert zs.partition_seeds(zs.QUICK, 5, n_labels=50) == zs.partition_seeds(zs.QUICK, 5) == {
        "40/10": [40005], "30/20": [30005], "25/25": [25005]}
    own = pd.DataFrame({"hashtag": [f"t{i}" for i in range(12)], "source": "own"})
    splits = zs.scaled_splits(zs.QUICK.splits, 12)
    scaled, source = zs.scale_notes(own, zs.QUICK, splits, seed=5)
    assert scaled.startswith("12 label hashtags, not the paper's 50: its splits 40/10, 30/20, 25/25 scaled to "
                             "10/2, 7/5, 6/6") and "{'10/2': [10005], '7/5': [7005], '6/6': [6005]}" in scaled
    assert zs.partition_seeds(zs.QUICK, 5, n_labels=12) == {"10/2": [10005], "7/5": [7005], "6/6": [6005]}
    assert source.startswith("one source (own): no source-only baseline")


def test_table3_on_a_split_the_paper_did_not_run_shows_a_dash_for_the_papers_side():
    rows = _rows({("zero-shot", "10/2", "DEM"): [50.0], ("zero-shot", "10/2", "random"): [40.0],
                  ("few-shot", "10/2", "ESZSL"): [60.0]})
    table = zs.table3_layout(rows)
    assert table.loc[("10/2", "DEM"), ("zero-shot", "hit@1")] == "50.0 (–)"
    assert table.loc[("10/2", "ESZSL"), ("few-shot", "hit@5")] == "70.0 (–)"
    assert table.loc[("10/2", "random"), ("zero-shot", "hit@1")] == "40.0"          # a baseline: the paper never had it
    assert table.loc[("10/2", "DEM"), ("few-shot", "hit@1")] == "–"
    assert "(62)" not in table.to_string() and "nan" not in table.to_string().lower()


def test_the_papers_tweets_with_no_candidate_are_one_line_and_an_empty_table():
    from tagzsl.experiments import zero_shot_report as report

    tweets, ours = report.paper_tweets({}, [])
    assert len(tweets) == 5 and ours.empty and list(ours.columns) == ["our top 5", "rank of expected"]
    line = report.paper_tweet_summary(ours, 0)
    assert line.startswith("the paper's tweets are not ranked: 0 of its Table 4 hashtags have a word vector")
