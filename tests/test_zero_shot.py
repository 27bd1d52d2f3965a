"""Notebook 03's protocol additions (tagzsl.experiments.zero_shot): the few-shot source-only
baseline, the verdict against the baselines, Table 3 beside the paper, Table 4, what a mode
cuts. Hand-made numbers; no training, no corpus."""
import numpy as np
import pandas as pd
import pytest

from tagzsl import paper
from tagzsl.experiments import dataset
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


def _rows(values):
    return pd.DataFrame([{"setting": st, "split": sp, "method": m, "partition": i, "hit@1": v, "hit@2": v + 5,
                          "hit@5": v + 10} for (st, sp, m), vs in values.items() for i, v in enumerate(vs)])


def test_verdict_says_what_beats_the_source_only_baseline_and_the_margin_over_random():
    few = {"random": 10.0, "source only": 30.0, "word2vec similarity": 20.0, "word2vec similarity (centred)": 25.0,
           "ConSE": 35.0, "ESZSL": 15.0, "DEM": 40.0}
    rows = _rows({("few-shot", "40/10", m): [v] for m, v in few.items()})
    lines = zs.verdict(rows)
    source = next(ln for ln in lines if ln.strip().startswith("vs source only"))
    assert source.strip() == ("vs source only 30.0: word2vec similarity does not beat it, word2vec similarity "
                              "(centred) does not beat it, ConSE beats it, ESZSL does not beat it, DEM beats it")
    w2v = next(ln for ln in lines if ln.strip().startswith("vs word2vec similarity"))
    assert "source only" not in w2v and "word2vec similarity (centred) beats it" in w2v
    margin = next(ln for ln in lines if ln.strip().startswith("margin over random"))
    assert "margin over random 10.0 (points):" in margin and "DEM +30.0" in margin and "ESZSL +5.0" in margin
    zero = zs.verdict(_rows({("zero-shot", "40/10", m): [v] for m, v in few.items() if m != "source only"}))
    assert not any("source only" in ln for ln in zero)


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
    assert table[("ours", "tweet")].tolist() == ["a b", "c d", "", "", ""]


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
