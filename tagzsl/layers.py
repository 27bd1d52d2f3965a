"""Reusable Keras layers shared by the supervised models, #TagSpace and DEM.

* :class:`MaskedMean`: mean over the unmasked time steps.
* :class:`MaxOverTime`: max over the unmasked time steps (zeros for an all-padding row).
* :class:`ZeroPadding`, :class:`MaskedConv1D`: a convolution that ignores padded positions.
* :class:`AttentionPooling`: additive attention over time (Kumar et al.'s RNN+attention).
* :class:`PositionalEncoding`, :class:`EncoderBlock`: the Transformer's pieces.

Every layer is registered for Keras serialisation under the package name ``tagzsl`` (the
registered names are unchanged from when they lived in ``tagzsl.models``, so saved models load).
"""
from __future__ import annotations

import math

import keras
from keras import layers, ops

INIT = "glorot_uniform"  # Xavier-uniform kernels, as the papers


class _PoolOverTime(layers.Layer):
    """A pooling over time that reads the padding mask and consumes it (no mask downstream)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return None


@keras.saving.register_keras_serializable(package="tagzsl")
class MaskedMean(_PoolOverTime):
    """Mean over time of the non-padded positions."""

    def call(self, x, mask=None):
        if mask is None:
            return ops.mean(x, axis=1)
        m = ops.expand_dims(ops.cast(mask, x.dtype), -1)
        return ops.sum(x * m, axis=1) / ops.maximum(ops.sum(m, axis=1), 1.0)


@keras.saving.register_keras_serializable(package="tagzsl")
class MaxOverTime(_PoolOverTime):
    """Max over time of the non-padded positions (CNN pooling); an all-padding row gives zeros."""

    def call(self, x, mask=None):
        if mask is None:
            return ops.max(x, axis=1)
        m = ops.expand_dims(ops.cast(mask, "bool"), -1)
        pooled = ops.max(ops.where(m, x, ops.full_like(x, -1e9)), axis=1)
        return ops.where(ops.any(m, axis=1), pooled, ops.zeros_like(pooled))


@keras.saving.register_keras_serializable(package="tagzsl")
class ZeroPadding(layers.Layer):
    """Set padded positions to zero (so a convolution sees the same zeros as its own padding)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, x, mask=None):
        if mask is None:
            return x
        return x * ops.expand_dims(ops.cast(mask, x.dtype), -1)


@keras.saving.register_keras_serializable(package="tagzsl")
class MaskedConv1D(layers.Conv1D):
    """``Conv1D`` with ``padding="same"`` that passes the padding mask on (for :class:`MaxOverTime`)."""

    def __init__(self, *args, **kwargs):
        kwargs["padding"] = "same"
        super().__init__(*args, **kwargs)
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return mask


@keras.saving.register_keras_serializable(package="tagzsl")
class AttentionPooling(layers.Layer):
    """Weighted sum of hidden states; weights a_t = softmax_t(v . tanh(W h_t + b)), in 0..1.

    Padded positions get weight 0. ``return_weights=True`` makes the layer return
    ``(pooled, weights)`` instead (for inspecting which words the model attends to).
    """

    def __init__(self, attention_units: int | None = None, return_weights: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.attention_units = attention_units
        self.return_weights = return_weights
        self.supports_masking = True

    def build(self, input_shape):
        dim = int(input_shape[-1])
        hidden = self.attention_units or dim
        self.w = self.add_weight(name="w", shape=(dim, hidden), initializer=INIT)
        self.b = self.add_weight(name="b", shape=(hidden,), initializer="zeros")
        self.v = self.add_weight(name="v", shape=(hidden,), initializer=INIT)

    def call(self, h, mask=None):
        scores = ops.tensordot(ops.tanh(ops.tensordot(h, self.w, axes=1) + self.b), self.v, axes=1)
        if mask is not None:
            scores = ops.where(ops.cast(mask, "bool"), scores, ops.full_like(scores, -1e9))
        weights = ops.softmax(scores, axis=-1)
        pooled = ops.sum(h * ops.expand_dims(weights, -1), axis=1)
        return (pooled, weights) if self.return_weights else pooled

    def compute_mask(self, inputs, mask=None):
        return (None, None) if self.return_weights else None

    def compute_output_shape(self, input_shape):
        pooled = (input_shape[0], input_shape[-1])
        return (pooled, (input_shape[0], input_shape[1])) if self.return_weights else pooled

    def get_config(self):
        return {**super().get_config(), "attention_units": self.attention_units,
                "return_weights": self.return_weights}


@keras.saving.register_keras_serializable(package="tagzsl")
class PositionalEncoding(layers.Layer):
    """Add the fixed sinusoidal position signal of Vaswani et al. (2017)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, x):
        length, dim = ops.shape(x)[1], x.shape[-1]
        pos = ops.expand_dims(ops.cast(ops.arange(length), "float32"), 1)
        i = ops.expand_dims(ops.cast(ops.arange(dim), "float32"), 0)
        angle = pos / ops.power(10000.0, (2.0 * ops.floor(i / 2.0)) / float(dim))
        even = ops.cast(ops.equal(ops.mod(ops.arange(dim), 2), 0), "float32")
        pe = even * ops.sin(angle) + (1.0 - even) * ops.cos(angle)
        return x + ops.cast(ops.expand_dims(pe, 0), x.dtype)


@keras.saving.register_keras_serializable(package="tagzsl")
class EncoderBlock(layers.Layer):
    """Post-norm Transformer encoder block: x + MHA(x) -> LayerNorm -> x + FFN(x) -> LayerNorm."""

    def __init__(self, num_heads: int = 6, key_dim: int = 25, ff_dim: int = 600,
                 dropout: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.key_dim, self.ff_dim, self.dropout = num_heads, key_dim, ff_dim, dropout
        self.supports_masking = True

    def build(self, input_shape):
        dim = int(input_shape[-1])
        self.attention = layers.MultiHeadAttention(self.num_heads, self.key_dim, dropout=self.dropout,
                                                   kernel_initializer=INIT)
        self.attention.build(input_shape, input_shape)
        self.ffn_in = layers.Dense(self.ff_dim, activation="relu", kernel_initializer=INIT)
        self.ffn_in.build(input_shape)
        self.ffn_out = layers.Dense(dim, kernel_initializer=INIT)
        self.ffn_out.build(tuple(input_shape[:-1]) + (self.ff_dim,))
        self.norm1 = layers.LayerNormalization(epsilon=1e-6)
        self.norm1.build(input_shape)
        self.norm2 = layers.LayerNormalization(epsilon=1e-6)
        self.norm2.build(input_shape)
        self.drop1 = layers.Dropout(self.dropout)
        self.drop2 = layers.Dropout(self.dropout)

    def call(self, x, mask=None, training=None):
        attention_mask = None
        if mask is not None:
            attention_mask = ops.expand_dims(ops.cast(mask, "bool"), 1)  # (batch, 1, keys)
        a = self.attention(x, x, attention_mask=attention_mask, training=training)
        x = self.norm1(x + self.drop1(a, training=training))
        f = self.ffn_out(self.ffn_in(x))
        return self.norm2(x + self.drop2(f, training=training))

    def get_config(self):
        return {**super().get_config(), "num_heads": self.num_heads, "key_dim": self.key_dim,
                "ff_dim": self.ff_dim, "dropout": self.dropout}
