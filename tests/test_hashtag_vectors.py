"""Segmentation-composed hashtag vectors and hubness measures, on hand-made numbers.

Every test's docstring names the mutation of ``tagzsl.hashtag_vectors`` it catches.
"""
from __future__ import annotations

import numpy as np
import pytest
from gensim.models import KeyedVectors

from tagzsl import hashtag_vectors as hv


@pytest.fixture
def kv():
    """A 3-d vocabulary: two hashtags with their own vectors and a few plain words."""
    words = {"vote": [1, 0, 0], "trump": [0, 1, 0], "votetrump": [0, 0, 1], "maga": [0, 0, 2],
             "bad": [2, 0, 0], "job": [0, 2, 0], "5": [0, 0, 2]}
    vectors = KeyedVectors(vector_size=3)
    vectors.add_vectors(list(words), np.array(list(words.values()), dtype="float32"))
    return vectors


# --------------------------------------------------------------------------- segmentation
def test_segment_splits_the_issues_hashtags_into_words():
    """Catches: the segmenter not applied (hashtag returned whole) or not lower-casing/stripping '#'."""
    assert hv.segment("#VoteTrump") == ["vote", "trump"]
    assert hv.segment("makeamericagreatagain") == ["make", "america", "great", "again"]
    assert hv.segment("rncincle") == ["rnc", "in", "cle"]


def test_segment_cuts_digit_runs_and_separators():
    """Catches: dropping the letter/digit pre-split (wordsegment alone gives 'badjobin5 words')
    or keeping '_' inside a word."""
    assert hv.segment("badjobin5words") == ["bad", "job", "in", "5", "words"]
    assert hv.segment("go_team2019") == ["go", "team", "2019"]
    assert hv.segment("café_paris") == ["café", "paris"]


def test_segment_of_an_empty_hashtag_is_empty():
    """Catches: an empty or '#'-only hashtag producing a word (e.g. '' or '#')."""
    assert hv.segment("") == [] and hv.segment("#") == [] and hv.segment("  # ") == []


# --------------------------------------------------------------------------- vectors
def test_own_vector_wins_in_auto_mode(kv):
    """Catches: composing from the words even though the hashtag has its own vector."""
    np.testing.assert_array_equal(hv.hashtag_vector(kv, "#VoteTrump"), [0, 0, 1])


def test_composed_vector_is_the_plain_mean_of_known_words(kv):
    """Catches: unit-normalising the words before averaging (gives 1/3 each) or losing the digit
    word '5' (gives 1 1 0)."""
    np.testing.assert_allclose(hv.hashtag_vector(kv, "badjobin5words"), [2 / 3, 2 / 3, 2 / 3], atol=1e-6)


def test_words_without_a_vector_are_skipped_not_counted_as_zero(kv):
    """Catches: averaging over all segmented words, unknown ones as zeros ('now' makes it 1/3 1/3 0)."""
    np.testing.assert_allclose(hv.hashtag_vector(kv, "votetrumpnow"), [0.5, 0.5, 0], atol=1e-6)


def test_no_vector_when_no_word_is_known(kv):
    """Catches: returning a zero vector (or raising) instead of None."""
    assert hv.hashtag_vector(kv, "rncincle") is None


def test_modes_own_and_composed(kv):
    """Catches: 'composed' mode returning the hashtag's own vector (directly, or through the
    one-word segmentation 'maga' -> ['maga']), and 'own' mode composing."""
    np.testing.assert_allclose(hv.hashtag_vector(kv, "votetrump", mode="composed"), [0.5, 0.5, 0])
    assert hv.hashtag_vector(kv, "maga", mode="composed") is None
    assert hv.hashtag_vector(kv, "votetrumpnow", mode="own") is None
    np.testing.assert_array_equal(hv.hashtag_vector(kv, "maga", mode="own"), [0, 0, 2])


def test_unknown_mode_is_one_clear_error(kv):
    """Catches: an unknown mode silently treated as 'auto'."""
    with pytest.raises(ValueError, match="mode must be one of auto, own, composed, subword, combined; got 'best'"):
        hv.hashtag_vector(kv, "maga", mode="best")


def test_hashtag_matrix_rows_and_how(kv):
    """Catches: a wrong 'how' label (e.g. 'own' for a composed row) or a non-zero row for a
    missing hashtag, or rows out of order."""
    matrix, how = hv.hashtag_matrix(kv, ["maga", "votetrumpnow", "rncincle"])
    assert how == ["own", "composed", "missing"]
    np.testing.assert_allclose(matrix, [[0, 0, 2], [0.5, 0.5, 0], [0, 0, 0]], atol=1e-6)
    assert matrix.dtype == np.float32
    _, how = hv.hashtag_matrix(kv, ["votetrump"], mode="composed")
    assert how == ["composed"]


# --------------------------------------------------------------------------- hubness
SCORES = np.array([[3, 2, 1], [3, 1, 2], [1, 3, 2], [3, 2, 1]], dtype="float32")


def test_k_occurrence_counts_top_k_per_candidate():
    """Catches: ranking ascending (k=1 would give 0 0 ... ) or an off-by-one top k+1."""
    np.testing.assert_array_equal(hv.k_occurrence(SCORES, 1), [3, 1, 0])
    np.testing.assert_array_equal(hv.k_occurrence(SCORES, 2), [3, 3, 2])


def test_k_occurrence_breaks_ties_by_column_and_checks_k():
    """Catches: top k taken from an ascending sort reversed (a tie then picks the later column);
    k beyond the candidates accepted."""
    np.testing.assert_array_equal(hv.k_occurrence([[1.0, 1.0, 0.0]], 1), [1, 0, 0])
    with pytest.raises(ValueError, match="k must be between 1 and the 3 candidates"):
        hv.k_occurrence(SCORES, 4)


def test_hubness_skew_hand_worked():
    """Counts 3 0 0: mean 1, m2 = 2, m3 = 2, skew = 2 / 2**1.5 = 0.7071. Catches: the bias-corrected
    skew (1.732) or skewness of the scores instead of the counts; a fair spread must give 0."""
    one_hub = np.array([[1, 0, 0], [1, 0, 0], [1, 0, 0]], dtype="float32")
    assert hv.hubness_skew(one_hub, 1) == pytest.approx(2 / 2 ** 1.5)
    assert hv.hubness_skew(np.eye(3), 1) == 0.0


def test_hub_share():
    """Catches: dividing by the number of candidates, or by n_tweets * k (4 tweets, hub in 3 top-2s)."""
    assert hv.hub_share(SCORES, 2) == pytest.approx(0.75)
    assert hv.hub_share(SCORES, 1) == pytest.approx(0.75)


def test_csls_hand_worked_demotes_the_hub():
    """k=2. r_tweet = row means .85 .55 .675; r_candidate = mean of each column's top 2 = .85 .725.
    Tweet 3 preferred the hub (column 0) and prefers column 1 after CSLS. Catches: a missing
    factor 2, r over the wrong axis, or the bottom k instead of the top k."""
    scores = np.array([[0.9, 0.8], [0.8, 0.3], [0.7, 0.65]])
    expected = np.array([[0.10, 0.025], [0.20, -0.675], [-0.125, -0.10]])
    out = hv.csls(scores, k=2)
    np.testing.assert_allclose(out, expected, atol=1e-6)
    assert scores[2].argmax() == 0 and out[2].argmax() == 1


def test_csls_candidate_penalty_comes_from_the_reference():
    """k=1: r_candidate from the reference = .2 .9, r_tweet = .6, so csls = 1.0-.6-.2, 1.2-.6-.9.
    Catches: ignoring ``reference`` (would give -0.1 0.0)."""
    out = hv.csls([[0.5, 0.6]], k=1, reference=[[0.2, 0.9], [0.1, 0.8]])
    np.testing.assert_allclose(out, [[0.2, -0.3]], atol=1e-6)
    with pytest.raises(ValueError, match="same candidates"):
        hv.csls([[0.5, 0.6]], k=1, reference=[[0.2, 0.9, 0.1]])


def test_centre_subtracts_the_mean_then_renormalises():
    """Mean of (1,0) (3,0) (2,2) is (2, 2/3). Catches: no centring, or no renormalising."""
    out = hv.centre([[1, 0], [3, 0], [2, 2]])
    a = 1 / np.sqrt(1 + 4 / 9)
    np.testing.assert_allclose(out, [[-a, -2 / 3 * a], [a, -2 / 3 * a], [0, 1]], atol=1e-6)
    np.testing.assert_allclose(hv.centre([[3, 4]], mean=[0, 0]), [[0.6, 0.8]], atol=1e-6)


# hand-made hub: two seen hashtags along x and y; tweets mix them; the hub (1, 1, 0) is near every mix
SEEN = np.array([[1, 0, 0], [0, 1, 0]], "float32")
PROBS = np.array([[0.8, 0.2], [0.2, 0.8]], "float32")
HUB_CANDIDATES = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1]], "float32")  # hub, near-x, near-y


def test_conse_embedding_is_the_probability_weighted_mean_of_seen_vectors():
    np.testing.assert_allclose(hv.conse_embedding(PROBS * 2, SEEN), [[0.8, 0.2, 0], [0.2, 0.8, 0]], atol=1e-6)
    with pytest.raises(ValueError, match="2 class probabilities but 3 seen vectors"):
        hv.conse_embedding(PROBS, HUB_CANDIDATES)


def test_centred_cosine_hand_worked_moves_the_hub_out_of_first_place():
    tweets = hv.conse_embedding(PROBS, SEEN)
    raw = hv.unit_rows(tweets) @ hv.unit_rows(HUB_CANDIDATES).T
    assert list(raw.argmax(axis=1)) == [0, 0]                       # the hub is first for both tweets
    scores = hv.centred_cosine(tweets, HUB_CANDIDATES, tweet_mean=[0.5, 0.5, 0])
    # centred tweets (±1, ∓1, 0)/√2; candidates minus (2/3, 2/3, 2/3), renormalised
    r = 1 / np.sqrt(2) / np.sqrt(6 / 9) * (1 / 3 + 2 / 3)
    np.testing.assert_allclose(scores, [[0, r, -r], [0, -r, r]], atol=1e-6)
    assert list(scores.argmax(axis=1)) == [1, 2] and hv.k_occurrence(scores, 1)[0] == 0


def test_centred_cosine_with_one_candidate_only_normalises_it():
    scores = hv.centred_cosine(PROBS, np.array([[3, 4]], "float32"), tweet_mean=[0, 0])
    np.testing.assert_allclose(scores[:, 0], hv.unit_rows(PROBS) @ [0.6, 0.8], atol=1e-6)


# --------------------------------------------------------------------------- subword (fastText) vectors
@pytest.fixture(scope="module")
def fasttext_kv():
    """Tiny fastText vectors (8-d) on a few hand-made sentences; the hashtag 'votetrump' is never a token."""
    from tagzsl import embeddings

    sentences = [["vote", "for", "trump", "today"], ["bad", "job", "again"], ["vote", "early"],
                 ["trump", "rally", "tonight"]] * 20
    return embeddings.train_fasttext(sentences, dim=8, min_count=1, epochs=2, bucket=5000)


@pytest.mark.parametrize("tag", ["#votetrump", "x", "zzqqxx", "café2019", "#BadJobIn5Words", "😀😀"])
def test_subword_vectors_exist_for_any_string(fasttext_kv, tag):
    """Catches: subword mode falling back to None for strings the model never saw, or zero vectors."""
    vec = hv.hashtag_vector(fasttext_kv, tag, mode="subword")
    assert vec is not None and vec.shape == (8,) and np.isfinite(vec).all() and np.abs(vec).sum() > 0
    combined = hv.hashtag_vector(fasttext_kv, tag, mode="combined")
    assert combined is not None and combined.shape == (8,)


def test_subword_is_the_ngram_mean_and_combined_mixes_the_composed_vector(fasttext_kv):
    """Catches: 'subword' returning gensim's own vector for a known word (it must be n-grams only),
    or 'combined' ignoring the composed vector."""
    from gensim.models.fasttext import ft_ngram_hashes

    own = fasttext_kv["trump"]                             # known word: gensim mixes in its own vector
    sub = hv.hashtag_vector(fasttext_kv, "trump", mode="subword")
    hashes = ft_ngram_hashes("trump", fasttext_kv.min_n, fasttext_kv.max_n, fasttext_kv.bucket)
    np.testing.assert_allclose(sub, fasttext_kv.vectors_ngrams[hashes].mean(0), rtol=1e-6)
    assert not np.allclose(sub, own)
    composed = hv.hashtag_vector(fasttext_kv, "votetrump", mode="composed")
    sub_vt = hv.hashtag_vector(fasttext_kv, "votetrump", mode="subword")
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    np.testing.assert_allclose(hv.hashtag_vector(fasttext_kv, "votetrump", mode="combined"),
                               (unit(sub_vt) + unit(composed)) / 2, rtol=1e-5, atol=1e-6)
    matrix, how = hv.hashtag_matrix(fasttext_kv, ["votetrump", ""], mode="subword")
    assert how == ["subword", "missing"] and not matrix[1].any()   # an empty hashtag has no n-gram


def test_subword_needs_fasttext_vectors(kv):
    """Catches: plain word2vec vectors silently giving None or crashing inside gensim."""
    with pytest.raises(TypeError, match="need fastText vectors"):
        hv.hashtag_vector(kv, "votetrump", mode="subword")
