"""Shapes, probabilities, features and padding invariance of every supervised model."""
import keras
import numpy as np
import pytest

from tagzsl import models

VOCAB, CLASSES, LENGTH = 40, 5, 12
SMALL = dict(units=16, units2=8, num_blocks=2, ff_dim=32)
FEATURES = {"ann": 16, "cnn": 8, "gru": 8, "gru_attention": 16, "transformer": 150}


def _ids(rng, n=4, length=LENGTH, real=7):
    x = rng.integers(2, VOCAB, size=(n, length)).astype("int32")
    x[:, real:] = 0
    x[0, 3:] = 0  # one shorter tweet
    x[-1] = rng.integers(2, VOCAB, size=length)  # one that fills the sequence (no padding)
    return x


def _perturbed(model, rng):
    """Random non-zero weights (biases included), so masking bugs cannot hide behind zeros."""
    model.set_weights([w + rng.normal(scale=0.2, size=w.shape).astype(w.dtype) for w in model.get_weights()])
    return model


@pytest.fixture(scope="module")
def emb():
    return np.random.default_rng(0).normal(size=(VOCAB, 150)).astype("float32")


@pytest.mark.parametrize("name", models.available_models())
def test_shapes_probabilities_features_and_padding(name, emb):
    rng = np.random.default_rng(1)
    model = _perturbed(models.build_model(name, vocab_size=VOCAB, num_classes=CLASSES, embedding_matrix=emb,
                                          sequence_length=LENGTH, **SMALL), rng)
    x = _ids(rng)
    probs = model.predict(x, verbose=0)
    assert probs.shape == (4, CLASSES)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    assert (probs >= 0).all()
    feats = models.feature_extractor(model).predict(x, verbose=0)
    assert feats.shape == (4, FEATURES[name])
    # the same tweets with more padding after them give the same output
    longer = models.build_model(name, vocab_size=VOCAB, num_classes=CLASSES, sequence_length=LENGTH + 9, **SMALL)
    longer.set_weights(model.get_weights())
    padded = np.pad(x, ((0, 0), (0, 9)))
    np.testing.assert_allclose(longer.predict(padded, verbose=0), probs, atol=1e-5)
    # pretrained rows are the embedding initialiser; biases start at zero
    fresh = models.build_model(name, vocab_size=VOCAB, num_classes=CLASSES, embedding_matrix=emb,
                               sequence_length=LENGTH, **SMALL)
    np.testing.assert_allclose(fresh.get_layer("embedding").get_weights()[0], emb)
    assert not fresh.get_layer("output").get_weights()[1].any()
    assert model.loss == "sparse_categorical_crossentropy"


def test_training_step_reduces_loss_and_save_load(tmp_path, emb):
    rng = np.random.default_rng(2)
    x, y = _ids(rng, n=16), np.arange(16) % CLASSES
    model = models.build_model("gru", vocab_size=VOCAB, num_classes=CLASSES, embedding_matrix=emb,
                               sequence_length=LENGTH, units=16)
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0).history["loss"]
    assert history[-1] < history[0]
    model.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_attention_weights_are_a_distribution_over_real_words():
    rng = np.random.default_rng(3)
    h = rng.normal(size=(3, 6, 4)).astype("float32")
    mask = np.array([[1, 1, 1, 0, 0, 0], [1] * 6, [1, 0, 0, 0, 0, 0]], bool)
    pooled, weights = models.AttentionPooling(return_weights=True)(h, mask=mask)
    weights = np.asarray(weights)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert (weights >= 0).all() and (weights <= 1).all()
    assert not weights[~mask].any()
    np.testing.assert_allclose(np.asarray(pooled)[2], h[2, 0], atol=1e-6)


def test_text_vectorizer_roundtrip():
    vec = models.text_vectorizer(["good game today", "bad game"], sequence_length=5)
    ids = models.vectorize(vec, ["game good unseenword"])
    vocab = vec.get_vocabulary()
    assert ids.shape == (1, 5) and ids.dtype == np.int32
    assert [vocab[i] for i in ids[0][:3]] == ["game", "good", "[UNK]"] and not ids[0][3:].any()


def test_unknown_model_and_bad_sizes():
    with pytest.raises(ValueError, match="unknown model 'lstm'.*gru"):
        models.build_model("lstm", vocab_size=VOCAB, num_classes=CLASSES, sequence_length=LENGTH)
    with pytest.raises(ValueError, match="rows"):
        models.build_model("ann", vocab_size=VOCAB, num_classes=CLASSES, sequence_length=LENGTH,
                           embedding_matrix=np.zeros((3, 150)))
    with pytest.raises(ValueError, match="features"):
        models.feature_extractor(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]))


def test_cnn_max_pooling_ignores_padding():
    """Conv outputs at padded positions would win the max here (kernels negative, inputs
    positive, biases large): the output must still not depend on the padding."""
    rng = np.random.default_rng(4)
    emb = np.abs(rng.normal(size=(VOCAB, 150))).astype("float32")
    short = models.build_model("cnn", vocab_size=VOCAB, num_classes=CLASSES, embedding_matrix=emb,
                               sequence_length=LENGTH, **SMALL)
    for w in (3, 5, 7):
        conv = short.get_layer(f"conv{w}")
        kernel, bias = conv.get_weights()
        conv.set_weights([-np.abs(kernel), np.full_like(bias, 10.0)])
    longer = models.build_model("cnn", vocab_size=VOCAB, num_classes=CLASSES, sequence_length=LENGTH + 5, **SMALL)
    longer.set_weights(short.get_weights())
    x = rng.integers(2, VOCAB, size=(2, LENGTH)).astype("int32")  # full-length tweets, no padding
    np.testing.assert_allclose(longer.predict(np.pad(x, ((0, 0), (0, 5))), verbose=0),
                               short.predict(x, verbose=0), atol=1e-5)


def test_masked_mean_is_global_average_pooling_except_on_an_empty_row():
    """Why the ANN and the Transformer keep MaskedMean rather than keras' GlobalAveragePooling1D:
    both honour the mask and agree on every tweet with a word, but an all-padding row gives
    NaN with GlobalAveragePooling1D and zeros with MaskedMean."""
    rng = np.random.default_rng(6)
    ids = rng.integers(2, VOCAB, size=(3, LENGTH)).astype("int32")
    ids[0, 4:] = 0
    ids[2] = 0                                                # an empty tweet
    inputs = keras.Input((LENGTH,), dtype="int32")
    x = keras.layers.Embedding(VOCAB, 6, mask_zero=True)(inputs)
    both = keras.Model(inputs, [models.MaskedMean()(x), keras.layers.GlobalAveragePooling1D()(x)])
    ours, keras_gap = (np.asarray(o) for o in both(ids))
    np.testing.assert_allclose(ours[:2], keras_gap[:2], atol=1e-6)
    assert not ours[2].any() and np.isnan(keras_gap[2]).all()


def test_regularisation_options_are_gone():
    """Options no notebook used (embedding/output dropout, L2) were removed (issue #10)."""
    import inspect

    assert "embedding_dropout" not in inspect.signature(models.build_model).parameters
    plain = models.build_model("ann", vocab_size=VOCAB, num_classes=CLASSES, sequence_length=LENGTH, **SMALL)
    assert not {"embedding_dropout", "output_dropout"} & {layer.name for layer in plain.layers}
    assert not plain.losses


def test_max_over_time_masks_padding_and_gives_zeros_for_an_empty_row():
    import numpy as np

    from tagzsl.layers import MaxOverTime

    x = np.array([[[1.0, -2.0], [3.0, -1.0], [9.0, 9.0]],
                  [[5.0, 5.0], [7.0, 7.0], [8.0, 8.0]]], "float32")
    mask = np.array([[True, True, False], [False, False, False]])
    out = np.asarray(MaxOverTime()(x, mask=mask))
    assert np.allclose(out, [[3.0, -1.0], [0.0, 0.0]])   # padded 9s ignored; empty row -> zeros
