"""Hubness diagnostics and score-level corrections (tagzsl.hubness) on hand-made hubs."""
import numpy as np
import pytest

from tagzsl import hubness


def hub_case(n_per_class=10, n_candidates=4, offset=1.5, seed=0):
    """Scores where each tweet's true candidate gets +1, and candidate 0 gets +``offset`` on EVERY
    tweet (a hub: it tops every tweet's ranking while offset > 1)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(n_candidates), n_per_class)
    scores = np.eye(n_candidates)[labels] + rng.normal(0, 0.05, (len(labels), n_candidates))
    scores[:, 0] += offset
    return scores, labels


@pytest.mark.parametrize("correction", ["centre", "csls", "normalise"])
def test_each_correction_removes_a_hand_made_hub(correction):
    test, labels = hub_case(seed=1)
    reference, _ = hub_case(seed=2)              # other tweets, same candidates: never the test tweets
    before = hubness.diagnose(test)
    assert before["top hub's top-1 share (%)"] == 100.0          # candidate 0 tops every tweet
    assert hubness.hit1(test, labels) == 25.0                    # only its own tweets are right
    fixed = hubness.correct(test, correction, reference)
    after = hubness.diagnose(fixed)
    assert hubness.hit1(fixed, labels) == 100.0
    assert after["top hub's top-1 share (%)"] == 25.0            # evenly spread over 4 candidates
    assert after["N2 skew"] < before["N2 skew"] or before["N2 skew"] == 0


def test_centre_is_centring_the_tweets_for_a_bilinear_ranker():
    """For ESZSL's x^T W a, subtracting each candidate's mean reference score = centring x on the reference mean."""
    rng = np.random.default_rng(3)
    w, a = rng.normal(size=(6, 5)), rng.normal(size=(4, 5))
    x, ref = rng.normal(size=(7, 6)), rng.normal(size=(20, 6)) + 2.0
    got = hubness.correct(x @ w @ a.T, "centre", ref @ w @ a.T)
    np.testing.assert_allclose(got, (x - ref.mean(0)) @ w @ a.T, rtol=1e-5, atol=1e-5)


def test_none_is_identity_and_choose_keeps_none_without_a_hub():
    scores, labels = hub_case(offset=0.0, seed=4)
    reference, _ = hub_case(offset=0.0, seed=5)
    np.testing.assert_array_equal(hubness.correct(scores, "none"), scores.astype("float32"))
    best, table = hubness.choose(scores, labels, reference)
    assert best == "none" and table["none"] == 100.0             # nothing to gain: the simplest stays


def test_choose_picks_a_correction_on_a_hub():
    scores, labels = hub_case(seed=6)
    reference, _ = hub_case(seed=7)
    best, table = hubness.choose(scores, labels, reference)
    assert best != "none" and table[best] == 100.0 and table["none"] == 25.0


def test_bad_input_says_what_to_pass():
    scores, _ = hub_case()
    with pytest.raises(ValueError, match="correction must be one of"):
        hubness.correct(scores, "whiten", scores)
    with pytest.raises(ValueError, match="needs reference scores"):
        hubness.correct(scores, "centre")
    with pytest.raises(ValueError, match="same candidates|must be"):
        hubness.correct(scores, "csls", scores[:, :2])
