"""The papers' published tables load with the documented shapes and plausible values."""

import math

import numpy as np
import pandas as pd
import pytest

from tagzsl import paper

EXPECTED_COLUMNS = {
    "kumar_table1": ["step", "count"],
    "kumar_table2": ["accuracy", "precision", "recall", "F1"],
    "kumar_table3": ["setting", "split", "method", "hit@1", "hit@2", "hit@5"],
    "kumar_table4": ["tweet", "hashtag", "recommended"],
    "tagspace_table1": ["dataset", "statistic", "value", "source"],
    "tagspace_table3": ["method", "dim", "P@1", "R@10", "mean_rank", "source"],
    "tagspace_table4": ["method", "dim", "P@1", "R@10", "mean_rank", "source"],
    "tagspace_table5": ["method", "dim", "P@1", "R@10", "R@50"],
}
PERCENT_COLUMNS = ["accuracy", "precision", "recall", "F1", "hit@1", "hit@2", "hit@5",
                   "P@1", "R@10", "R@50"]


def test_table_names_are_the_documented_ones():
    assert set(paper.TABLE_NAMES) == set(EXPECTED_COLUMNS)


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_table_loads_with_documented_columns(name):
    frame = paper.table(name)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == EXPECTED_COLUMNS[name]
    assert name in paper.SOURCES and paper.SOURCES[name]
    assert name in paper.NOTES and paper.NOTES[name]


@pytest.mark.parametrize("name", sorted(EXPECTED_COLUMNS))
def test_rates_are_percentages_and_ranks_at_least_one(name):
    frame = paper.table(name)
    for column in PERCENT_COLUMNS:
        if column in frame.columns:
            values = frame[column].dropna().astype(float)
            assert ((values >= 0) & (values <= 100)).all(), column
            assert paper.UNITS[column] == "percent"
    if "mean_rank" in frame.columns:
        assert (frame["mean_rank"].dropna() >= 1).all()
    if "count" in frame.columns:
        assert (frame["count"].dropna() >= 0).all()


def test_table_returns_a_fresh_copy():
    first = paper.table("tagspace_table5")
    first.loc[0, "P@1"] = -1.0
    first.drop(index=first.index[1:], inplace=True)
    second = paper.table("tagspace_table5")
    assert second.loc[0, "P@1"] != -1.0
    assert len(second) > 1


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(KeyError) as info:
        paper.table("kumar_table9")
    message = str(info.value)
    for name in paper.TABLE_NAMES:
        assert name in message


def test_kumar_table3_layout_covers_every_setting_split_and_method():
    frame = paper.table("kumar_table3")
    assert set(frame["setting"]) == {"zero-shot", "few-shot"}
    assert set(frame["split"]) == {"40/10", "30/20", "25/25"}
    assert set(frame["method"]) == {"ConSE", "ESZSL", "DEM"}
    assert not frame.duplicated(["setting", "split", "method"]).any()
    # seen + unseen = the 50 hashtags in every split
    for split in frame["split"].unique():
        seen, unseen = (int(x) for x in split.split("/"))
        assert seen + unseen == 50
    # where values are known, hit@k cannot decrease with k
    known = frame.dropna(subset=["hit@1", "hit@2", "hit@5"])
    assert (known["hit@1"] <= known["hit@2"]).all()
    assert (known["hit@2"] <= known["hit@5"]).all()


def test_kumar_table2_is_indexed_by_model():
    frame = paper.table("kumar_table2")
    assert frame.index.name == "model"
    assert {"CNN", "RNN", "Transformer"} <= set(frame.index)


def test_tagspace_table5_recall_grows_with_cutoff_and_tagspace_beats_wsabie():
    frame = paper.table("tagspace_table5")
    assert len(frame) == 12
    assert not frame[["P@1", "R@10", "R@50"]].isna().any().any()
    assert (frame["R@10"] <= frame["R@50"]).all()
    by_key = frame.set_index(["method", "dim"])
    for dim in (64, 128, 256):  # the paper's claim, which the transcription must keep
        assert by_key.loc[("#TagSpace", dim), "P@1"] > by_key.loc[("WSABIE", dim), "P@1"]


def test_tagspace_prediction_tables_list_the_compared_methods():
    for name in ("tagspace_table3", "tagspace_table4"):
        frame = paper.table(name)
        methods = set(frame["method"])
        assert {"Frequency", "#words", "Word2vec", "WSABIE", "#TagSpace"} <= methods
        for method in ("WSABIE", "#TagSpace"):
            dims = set(frame.loc[frame["method"] == method, "dim"].astype(int))
            assert dims == {64, 128, 256}
        production = frame[frame["method"] == "production system"]
        assert len(production) == 1
        assert production["P@1"].notna().all() and production["mean_rank"].isna().all()


def test_hyperparameters_have_both_papers_and_stated_values():
    assert {"kumar", "tagspace"} <= set(paper.HYPERPARAMETERS)
    tagspace = paper.HYPERPARAMETERS["tagspace"]
    assert tagspace["conv_window_K"] == 5
    assert tagspace["conv_hidden_H"] == 1000
    kumar = paper.HYPERPARAMETERS["kumar"]
    assert kumar["word2vec"]["dim"] == 150
    assert kumar["min_unique_tweets_per_hashtag"] == 200
    assert "_provenance" in kumar and "_provenance" in tagspace


def test_side_by_side_aligns_on_keys_with_outer_join():
    paper_df = pd.DataFrame({"method": ["A", "B", "C"], "dim": [64, 64, 128],
                             "P@1": [1.0, 2.0, 3.0], "R@10": [10.0, 20.0, 30.0]})
    ours_df = pd.DataFrame({"method": ["C", "A", "D"], "dim": [128, 64, 32],
                            "P@1": [30.0, 10.0, 40.0], "R@10": [300.0, 100.0, 400.0]})
    out = paper.side_by_side(paper_df, ours_df, on=["method", "dim"], metrics=["P@1", "R@10"])
    assert list(out.columns) == ["method", "dim", "P@1 (paper)", "P@1 (ours)",
                                 "R@10 (paper)", "R@10 (ours)"]
    # paper rows first in paper order, then rows only we have
    assert list(out["method"]) == ["A", "B", "C", "D"]
    row = out.set_index("method")
    assert row.loc["A", "P@1 (paper)"] == 1.0 and row.loc["A", "P@1 (ours)"] == 10.0
    assert row.loc["C", "R@10 (paper)"] == 30.0 and row.loc["C", "R@10 (ours)"] == 300.0
    assert math.isnan(row.loc["B", "P@1 (ours)"])
    assert math.isnan(row.loc["D", "P@1 (paper)"]) and row.loc["D", "P@1 (ours)"] == 40.0


def test_side_by_side_with_index_key_missing_metric_and_mixed_int_dtypes():
    paper_df = paper.table("kumar_table2")
    ours_df = pd.DataFrame({"accuracy": [55.0], "F1": [50.0]},
                           index=pd.Index(["CNN"], name="model"))
    out = paper.side_by_side(paper_df, ours_df, on="model", metrics=["accuracy", "recall"])
    assert list(out["model"]) == list(paper_df.index)
    assert out.set_index("model").loc["CNN", "accuracy (ours)"] == 55.0
    assert out["recall (ours)"].isna().all()

    ours5 = pd.DataFrame({"method": ["#TagSpace"], "dim": np.array([256], dtype=np.int64),
                          "P@1": [2.5]})
    out5 = paper.side_by_side(paper.table("tagspace_table5"), ours5,
                              on=["method", "dim"], metrics="P@1")
    matched = out5[(out5["method"] == "#TagSpace") & (out5["dim"] == 256)]
    assert len(matched) == 1
    assert matched["P@1 (paper)"].iloc[0] == 1.66 and matched["P@1 (ours)"].iloc[0] == 2.5
    assert len(out5) == len(paper.table("tagspace_table5"))


def test_side_by_side_rejects_bad_input():
    a = pd.DataFrame({"k": [1, 2], "m": [0.1, 0.2]})
    with pytest.raises(KeyError, match="not in the ours table"):
        paper.side_by_side(a, pd.DataFrame({"x": [1], "m": [1.0]}), on="k", metrics="m")
    with pytest.raises(KeyError, match="in neither table"):
        paper.side_by_side(a, a, on="k", metrics="nope")
    with pytest.raises(ValueError, match="repeated keys"):
        paper.side_by_side(a, pd.DataFrame({"k": [1, 1], "m": [0.0, 1.0]}), on="k", metrics="m")
