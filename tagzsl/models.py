"""The paper's supervised hashtag classifiers (Kumar et al. 2019, section 5), in Keras 3.

Every model is a functional ``keras.Model`` built by name from one registry
(:data:`MODELS`, :func:`build_model`):

* ``"ann"``: masked mean of the word embeddings -> Dense(units, tanh) -> softmax.
* ``"cnn"``: 32 filters each of windows 3, 5 and 7 in parallel, max over time,
  concatenated -> Dense(units, relu) -> Dropout -> Dense(units2, relu) -> Dropout -> softmax.
* ``"gru"``: GRU(units, return_sequences) -> GRU(units) (its last state) -> softmax.
* ``"gru_attention"``: GRU(units, return_sequences) -> :class:`AttentionPooling` -> softmax.
* ``"transformer"``: sinusoidal positional encoding + ``num_blocks`` (6) encoder blocks of
  multi-head self-attention and a feed-forward network -> masked mean over time -> softmax.
  The base Transformer (d_model 512, 8 heads of 64, FFN 2048) is adapted to the 150-d word
  vectors by keeping d_model = 150 (no projection), 6 heads of 25 dimensions and an FFN of
  600 units (4 x d_model, the base model's ratio).

Conventions shared by all models:

* **Input**: integer token ids, shape ``(batch, sequence_length)``, 0 = padding, 1 = out of
  vocabulary, as produced by :func:`text_vectorizer` (a ``TextVectorization`` layer that lives
  *outside* the model; it is adapted on the cleaned training texts). Feed it the cleaned text
  (``" ".join(preprocess.clean_text(raw))``, i.e. the ``text`` column of ``prepare().top``).
  Padding is masked everywhere (``mask_zero=True``), so the output does not depend on how
  much padding follows a tweet.
* **Embedding**: initialised with the pretrained 150-d skip-gram matrix when
  ``embedding_matrix`` is given (``tagzsl.embeddings.embedding_matrix``), fine-tuned during
  training (``trainable_embeddings=False`` freezes it).
* **Initialisation**: Xavier-uniform (``glorot_uniform``) kernels and zero biases, as the paper
  states. GRU recurrent kernels keep Keras' orthogonal default.
* **Output**: a softmax over ``num_classes``; the layer before it is named ``"features"``
  (:func:`feature_extractor` returns the model from the same input to it; for ``"gru"`` this is
  the last state of the second GRU, the tweet encoding the zero-shot methods use).
* **Training**: compiled with Adam (learning rate 1e-3) and *sparse* categorical cross-entropy,
  i.e. the labels are integer class ids (the same loss as categorical cross-entropy on one-hot
  labels), with an ``accuracy`` metric.
"""
from __future__ import annotations

import math

import keras
import numpy as np
from keras import layers

from tagzsl.layers import (AttentionPooling, EncoderBlock, MaskedConv1D, MaskedMean, MaxOverTime,  # noqa: F401
                           PositionalEncoding, ZeroPadding)

DEFAULT_UNITS = 1024
INIT = "glorot_uniform"


# --------------------------------------------------------------------------- builders
def _embed(vocab_size, sequence_length, embedding_matrix, embedding_dim, trainable_embeddings):
    inputs = keras.Input(shape=(sequence_length,), dtype="int32", name="token_ids")
    if embedding_matrix is not None:
        embedding_matrix = np.asarray(embedding_matrix, dtype="float32")
        if embedding_matrix.shape[0] != vocab_size:
            raise ValueError(f"embedding_matrix has {embedding_matrix.shape[0]} rows but "
                             f"vocab_size is {vocab_size}")
        embedding_dim = embedding_matrix.shape[1]
        init = keras.initializers.Constant(embedding_matrix)
    else:
        init = "uniform"
    x = layers.Embedding(vocab_size, embedding_dim, embeddings_initializer=init, mask_zero=True,
                         trainable=trainable_embeddings, name="embedding")(inputs)
    return inputs, x


def _output(x, num_classes):
    return layers.Dense(num_classes, activation="softmax", kernel_initializer=INIT, name="output")(x)


def _ann(inputs, x, num_classes, units=DEFAULT_UNITS, **_):
    # MaskedMean, not keras' GlobalAveragePooling1D: the same on any tweet with a word, but
    # GlobalAveragePooling1D gives NaN for an all-padding row (tests/test_models.py)
    x = MaskedMean(name="mean_embedding")(x)
    x = layers.Dense(units, activation="tanh", kernel_initializer=INIT, name="features")(x)
    return _output(x, num_classes)


def _cnn(inputs, x, num_classes, units=DEFAULT_UNITS, units2=256, filters=32, windows=(3, 5, 7),
         dropout=0.5, **_):
    x = ZeroPadding(name="zero_padding")(x)
    pooled = []
    for w in windows:
        c = MaskedConv1D(filters, int(w), activation="relu", kernel_initializer=INIT,
                          name=f"conv{w}")(x)
        pooled.append(MaxOverTime(name=f"max{w}")(c))
    x = layers.Concatenate(name="concat")(pooled) if len(pooled) > 1 else pooled[0]
    x = layers.Dense(units, activation="relu", kernel_initializer=INIT, name="dense1")(x)
    x = layers.Dropout(dropout, name="dropout1")(x)
    x = layers.Dense(units2, activation="relu", kernel_initializer=INIT, name="features")(x)
    x = layers.Dropout(dropout, name="dropout2")(x)
    return _output(x, num_classes)


def _gru(inputs, x, num_classes, units=DEFAULT_UNITS, units2=None, dropout=0.0, **_):
    x = layers.GRU(units, return_sequences=True, kernel_initializer=INIT, dropout=dropout, name="gru1")(x)
    x = layers.GRU(units2 or units, kernel_initializer=INIT, dropout=dropout, name="features")(x)
    return _output(x, num_classes)


def _gru_attention(inputs, x, num_classes, units=DEFAULT_UNITS, attention_units=None, dropout=0.0, **_):
    x = layers.GRU(units, return_sequences=True, kernel_initializer=INIT, dropout=dropout, name="gru")(x)
    x = AttentionPooling(attention_units, name="features")(x)
    return _output(x, num_classes)


def _transformer(inputs, x, num_classes, num_blocks=6, num_heads=6, key_dim=None, ff_dim=600,
                 dropout=0.1, **_):
    dim = x.shape[-1]
    key_dim = key_dim or max(1, dim // num_heads)
    x = PositionalEncoding(name="positional_encoding")(x)
    x = layers.Dropout(dropout, name="input_dropout")(x)
    for i in range(num_blocks):
        x = EncoderBlock(num_heads, key_dim, ff_dim, dropout, name=f"encoder{i + 1}")(x)
    x = MaskedMean(name="features")(x)
    return _output(x, num_classes)


#: name -> builder(inputs, embedded, num_classes, **hparams) returning the softmax output
MODELS = {
    "ann": _ann,
    "cnn": _cnn,
    "gru": _gru,
    "gru_attention": _gru_attention,
    "transformer": _transformer,
}


def available_models() -> list[str]:
    """The names :func:`build_model` accepts."""
    return list(MODELS)


def build_model(name: str, *, vocab_size: int, num_classes: int, embedding_matrix=None,
                sequence_length: int, embedding_dim: int = 150, trainable_embeddings: bool = True,
                learning_rate: float = 1e-3, compile: bool = True, **hparams) -> keras.Model:
    """Build (and compile) the model ``name`` for integer token-id input.

    Hyper-parameters by model (defaults are the paper's sizes):
    ``ann``: units=1024; ``cnn``: units=1024, units2=256, filters=32, windows=(3, 5, 7),
    dropout=0.5; ``gru``: units=1024 (both GRUs; units2 overrides the second), dropout=0.0;
    ``gru_attention``: units=1024, attention_units=None (= units); ``transformer``:
    num_blocks=6, num_heads=6, key_dim=None (= 150 // heads = 25), ff_dim=600, dropout=0.1.
    Unknown hyper-parameters for a model are ignored (so one grid can span models).
    ``trainable_embeddings=False`` freezes the skip-gram vectors.
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {available_models()}")
    if int(vocab_size) < 2 or int(num_classes) < 2 or int(sequence_length) < 1:
        raise ValueError(f"need vocab_size >= 2, num_classes >= 2, sequence_length >= 1; got "
                         f"{vocab_size}, {num_classes}, {sequence_length}")
    inputs, x = _embed(int(vocab_size), int(sequence_length), embedding_matrix, embedding_dim,
                       trainable_embeddings)
    outputs = MODELS[name](inputs, x, int(num_classes), **hparams)
    model = keras.Model(inputs, outputs, name=name)
    if compile:
        model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def feature_extractor(model: keras.Model) -> keras.Model:
    """The model from the same token-id input to its ``"features"`` layer (shared weights)."""
    try:
        features = model.get_layer("features")
    except ValueError as err:
        raise ValueError(f"model {model.name!r} has no layer named 'features'") from err
    return keras.Model(model.inputs, features.output, name=f"{model.name}_features")


def text_vectorizer(texts=None, sequence_length: int = 30, max_tokens: int | None = None, vocabulary=None):
    """The project's one way to build a ``TextVectorization`` for cleaned, space-joined texts.

    Either adapted on ``texts`` or built from a fixed ``vocabulary`` (a saved model's, or one
    computed elsewhere; index 0 = padding ``""``, 1 = ``[UNK]`` as Keras returns it, which are
    dropped before passing it on). No further standardisation (the texts are already
    cleaned); split on whitespace; outputs ``int32`` of shape ``(n, sequence_length)``.
    """
    if (texts is None) == (vocabulary is None):
        raise ValueError("text_vectorizer needs exactly one of texts or vocabulary")
    if vocabulary is not None:
        vocabulary = [w for w in vocabulary if w not in ("", "[UNK]")]
    vectorizer = layers.TextVectorization(max_tokens=max_tokens, standardize=None, split="whitespace",
                                          output_mode="int", output_sequence_length=int(sequence_length),
                                          vocabulary=vocabulary)
    if texts is not None:
        vectorizer.adapt(np.asarray(list(texts), dtype=object))
    return vectorizer


def vectorize(vectorizer, texts) -> np.ndarray:
    """Token ids (``int32`` array) of cleaned ``texts`` through ``vectorizer``."""
    return np.asarray(vectorizer(np.asarray(list(texts), dtype=object)), dtype="int32")


def paper_hparams(name: str) -> dict:
    """The paper-size hyper-parameters of ``name`` (the :func:`build_model` defaults), explicit."""
    return {"ann": {"units": 1024}, "cnn": {"units": 1024, "units2": 256},
            "gru": {"units": 1024}, "gru_attention": {"units": 1024},
            "transformer": {"num_blocks": 6, "num_heads": 6, "ff_dim": 600}}[name]


def count_params(model: keras.Model) -> int:
    """Number of weights in ``model``."""
    return int(sum(math.prod(w.shape) for w in model.weights))
