"""The papers' published tables: equal to the transcribed CSVs, rates in percent; side_by_side."""
import math
import pathlib

import numpy as np
import pandas as pd
import pytest

from tagzsl import paper

SHARED = pathlib.Path(__file__).resolve().parents[2] / "shared" / "papers"
PERCENT_COLUMNS = ["accuracy", "precision", "recall", "F1", "hit@1", "hit@2", "hit@5",
                   "P@1", "R@10", "R@50"]


@pytest.mark.parametrize("name", paper.TABLE_NAMES)
def test_shipped_csv_equals_the_shared_transcription(name):
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} not present (the papers' folder sits beside the repo only in the project workspace)")
    shared = pd.read_csv(SHARED / paper.FILES[name])
    pd.testing.assert_frame_equal(paper.raw(name), shared)


@pytest.mark.parametrize("name", paper.TABLE_NAMES)
def test_table_values_equal_the_csv_in_percent(name):
    csv, frame = paper.raw(name), paper.table(name)
    assert len(frame) == len(csv) * (2 if name == "kumar_table3" else 1)
    if name == "kumar_table2":
        assert np.allclose(frame["accuracy"], csv["accuracy_pct"])
        for ours, theirs in (("precision", "precision"), ("recall", "recall"), ("F1", "f1")):
            assert np.allclose(frame[ours], csv[theirs] * 100)  # fractions -> percent
        assert list(frame["label"]) == list(csv["model"])
    elif name == "kumar_table3":
        for setting, prefix in (("zero-shot", "zsl"), ("few-shot", "fsl")):
            part = frame[frame["setting"] == setting].reset_index(drop=True)
            assert list(part["method"]) == list(csv["method"])
            for k in (1, 2, 5):
                assert np.allclose(part[f"hit@{k}"], csv[f"{prefix}_hit{k}"])
    elif name.startswith("tagspace_table") and name != "tagspace_table1":
        for column in csv.columns:
            if column.endswith("_pct") or column == "mean_rank":
                ours = column.removesuffix("_pct")
                assert np.allclose(frame[ours], csv[column], equal_nan=True), column
        assert list(frame["label"]) == list(csv["method"])
        assert list(frame["dim"].astype("Float64").fillna(-1)) == list(csv["dim"].fillna(-1))
    for column in PERCENT_COLUMNS:
        if column in frame.columns:
            values = frame[column].dropna().astype(float)
            assert ((values >= 0) & (values <= 100)).all(), column
            assert paper.UNITS[column] == "percent"


def test_known_cells_have_their_published_values():
    t2 = paper.table("kumar_table2").set_index("model")
    assert t2.loc["Transformer", "accuracy"] == 57.4
    assert t2.loc["CNN", "F1"] == pytest.approx(44.0)
    t3 = paper.table("kumar_table3").set_index(["setting", "split", "method"])
    assert t3.loc[("zero-shot", "40/10", "DEM"), "hit@1"] == 62
    assert t3.loc[("few-shot", "25/25", "DEM"), "hit@5"] == 82
    t3s = paper.table("tagspace_table3").set_index(["method", "dim"])
    assert t3s.loc[("#TagSpace", 256), "P@1"] == 7.37
    assert t3s.loc[("WSABIE", 512), "R@10"] == 10.74
    assert paper.table("kumar_table1").set_index("criterion").loc["Total collected tweets", "count"] == 805031


def test_table_returns_a_fresh_copy_and_unknown_names_list_valid_ones():
    first = paper.table("tagspace_table5")
    first.loc[0, "P@1"] = -1.0
    assert paper.table("tagspace_table5").loc[0, "P@1"] != -1.0
    with pytest.raises(KeyError) as info:
        paper.table("kumar_table9")
    for name in paper.TABLE_NAMES:
        assert name in str(info.value)


def test_method_names_are_ours_and_kumar_table4_lists_five():
    t3 = paper.table("tagspace_table3")
    assert {"Frequency", "#words", "Word2vec", "WSABIE", "#TagSpace", "production system"} == set(t3["method"])
    assert paper.table("tagspace_table5")["method"].tolist()[-1] == "#TagSpace+BoW"
    assert set(paper.table("kumar_table2")["model"]) == {"ANN", "CNN", "RNN", "RNN+attention", "Transformer"}
    t4 = paper.table("kumar_table4")
    assert all(len(r) == 5 for r in t4["recommended"]) and t4["hashtag"].iloc[0] == "metoo"


def test_side_by_side_matches_by_method_and_shows_both_dims():
    ours = pd.DataFrame({"method": ["Word2vec", "WSABIE", "WSABIE", "#TagSpace", "DEM"],
                         "dim": [150, 64, 128, 64, None],
                         "P@1": [2.8, 15.9, 15.7, 15.6, 1.0], "R@10": [7.5, 28.9, 29.4, 30.2, 2.0]})
    out = paper.side_by_side(paper.table("tagspace_table3"), ours, on="method", metrics=["P@1", "R@10"])
    assert list(out.columns) == ["method", "dim (paper)", "dim (ours)", "P@1 (paper)", "P@1 (ours)",
                                 "R@10 (paper)", "R@10 (ours)"]
    w2v = out[out["method"] == "Word2vec"]
    assert len(w2v) == 2  # paper 256 (paired with our 150) and 512 (alone)
    paired = w2v[w2v["dim (ours)"].notna()].iloc[0]
    assert paired["dim (paper)"] == 256 and paired["dim (ours)"] == 150
    assert paired["P@1 (paper)"] == 1.21 and paired["P@1 (ours)"] == 2.8
    wsabie = out[out["method"] == "WSABIE"].set_index("dim (paper)")
    assert wsabie.loc[64, "P@1 (ours)"] == 15.9 and math.isnan(wsabie.loc[256, "P@1 (ours)"])
    assert wsabie.loc[128, "dim (ours)"] == 128
    assert out["method"].iloc[-1] == "DEM" and math.isnan(out["P@1 (paper)"].iloc[-1])
    assert len(out) == len(paper.table("tagspace_table3")) + 1


def test_side_by_side_percent_conversion_and_index_keys():
    ours = pd.DataFrame({"accuracy": [0.55], "F1": [0.5]}, index=pd.Index(["CNN"], name="model"))
    out = paper.side_by_side(paper.table("kumar_table2"), ours, on="model",
                             metrics=["accuracy", "F1", "recall"], ours_in_fractions=True)
    row = out.set_index("model").loc["CNN"]
    assert row["accuracy (ours)"] == pytest.approx(55.0) and row["accuracy (paper)"] == 43.7
    assert row["F1 (ours)"] == pytest.approx(50.0) and row["F1 (paper)"] == pytest.approx(44.0)
    assert out["recall (ours)"].isna().all()


def test_side_by_side_with_dim_as_key_is_an_exact_join():
    ours5 = pd.DataFrame({"method": ["#TagSpace"], "dim": np.array([256], dtype=np.int64), "P@1": [2.5]})
    out5 = paper.side_by_side(paper.table("tagspace_table5"), ours5, on=["method", "dim"], metrics="P@1")
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


def test_hyperparameters_match_the_papers_text():
    tagspace = paper.HYPERPARAMETERS["tagspace"]
    assert (tagspace["conv_window_K"], tagspace["conv_hidden_H"], tagspace["margin_m"]) == (5, 1000, 0.1)
    assert paper.HYPERPARAMETERS["kumar"]["word2vec"]["dim"] == 150


def test_the_papers_example_posts_are_transcribed_from_their_text():
    """Every word of each example post and every hashtag of the paper's answers occurs in the
    paper's text (shared/papers), so the transcription adds nothing of its own."""
    import re

    def words(text):
        return set(re.findall(r"[a-z0-9]+", text.lower().replace("-\n", "")))

    kumar = words((SHARED / "kumar2019_hashtag_zsl.txt").read_text())
    tweets = paper.examples("kumar_table4_tweets")
    assert len(tweets) == 5 and list(tweets["hashtag"]) == list(paper.table("kumar_table4")["hashtag"])
    for text in tweets["tweet"]:
        assert words(text) <= kumar, words(text) - kumar
    weston = words((SHARED / "weston2014_tagspace.txt").read_text())
    posts = paper.examples("tagspace_table2")
    assert len(posts) == 10 and all(len(p) == 10 for p in posts["predicted"])
    for text, tags in zip(posts["post"], posts["predicted"]):
        assert words(text) <= weston and set(tags) <= weston, (words(text) | set(tags)) - weston
    with pytest.raises(KeyError, match="valid names"):
        paper.examples("table9")
