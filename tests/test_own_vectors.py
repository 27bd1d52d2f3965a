"""``--vectors FILE``: every format gensim reads, detected from the content; unreadable files."""
from __future__ import annotations

import numpy as np
import pytest

from tagzsl import own_vectors
from tagzsl.own_data import DataError

WORDS = {"goal": [0.5, -0.25, 1.0], "recipe": [-1.0, 0.75, 0.125], "python": [0.0, 2.0, -0.5]}


def keyed():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(vector_size=3)
    kv.add_vectors(list(WORDS), np.array(list(WORDS.values()), dtype="float32"))
    return kv


@pytest.mark.parametrize("fmt", ["word2vec-binary", "word2vec-text", "glove"])
def test_word2vec_and_glove_files(tmp_path, fmt):
    path = tmp_path / "vectors.any"
    if fmt == "glove":
        path.write_text("".join(f"{w} {' '.join(map(str, v))}\n" for w, v in WORDS.items()))
    else:
        keyed().save_word2vec_format(str(path), binary=fmt == "word2vec-binary")
    assert own_vectors.detect(path) == fmt
    kv = own_vectors.load(path)
    assert sorted(kv.key_to_index) == sorted(WORDS)
    np.testing.assert_allclose(kv["recipe"], WORDS["recipe"], rtol=1e-6)


def test_fasttext_bin_with_subwords(tmp_path):
    from gensim.models import FastText
    from gensim.models.fasttext import save_facebook_model

    sentences = [["goal", "striker", "match"], ["recipe", "oven", "garlic"]] * 20
    model = FastText(sentences=sentences, vector_size=8, min_count=1, epochs=2, seed=1, workers=1, min_n=3, max_n=4)
    path = tmp_path / "model.bin"
    save_facebook_model(model, str(path))
    assert own_vectors.detect(path) == "fasttext"
    kv = own_vectors.load(path)
    assert kv.vector_size == 8 and "goal" in kv.key_to_index
    assert "goals" not in kv.key_to_index and np.abs(kv["goals"]).sum() > 0  # composed from subwords


@pytest.mark.parametrize("content, message", [
    (None, "no word-vector file"),
    (b"just some words here\nand more\n", "not a word-vector file"),
    (b"3 3\ngoal 0.1 0.2\n", "cannot read it as word2vec-text"),
])
def test_unreadable_vectors_are_one_line(tmp_path, content, message):
    path = tmp_path / "bad.vec"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message) as err:
        own_vectors.load(path)
    assert "\n" not in str(err.value)
