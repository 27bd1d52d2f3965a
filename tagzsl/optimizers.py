"""Row-wise (sparse) optimizer updates for embedding tables.

Keras 3's ``Adam`` and ``Adagrad`` keep dense moments/accumulators and update every row of a
table at every step, even when the batch gathered a few hundred of its rows; TensorFlow hands
the gradient of a gather over as ``tf.IndexedSlices``. The optimizers here update only the rows
an ``IndexedSlices`` gradient names (duplicate rows summed first) and use Keras's own dense
update for every other (dense) gradient:

* :class:`RowwiseAdagrad`: identical to Keras ``Adagrad`` (an untouched row's accumulator and
  value do not move under dense Adagrad either);
* :class:`LazyAdam`: Keras ``Adam`` on the gathered rows; an untouched row's moments are not
  decayed and the row does not move (dense Adam would keep moving it by its momentum), as
  TensorFlow Addons' ``LazyAdam``. Identical to ``Adam`` on a step that touches every row.

Plain ``keras.optimizers.SGD`` (no momentum) already scatters ``IndexedSlices`` row-wise.
"""
from __future__ import annotations

import keras
import tensorflow as tf


def unique_rows(gradient: tf.IndexedSlices):
    """``(rows, values)`` of an ``IndexedSlices`` with each row once (duplicates summed)."""
    rows, position = tf.unique(gradient.indices)
    values = tf.math.unsorted_segment_sum(gradient.values, position, tf.shape(rows)[0])
    return rows, values


def _rows(variable, rows):
    return tf.gather(variable.value if isinstance(variable, keras.Variable) else variable, rows)


def _slices(values, rows, variable=None):
    return tf.IndexedSlices(values, rows)


@keras.saving.register_keras_serializable(package="tagzsl")
class RowwiseAdagrad(keras.optimizers.Adagrad):
    """Keras ``Adagrad`` that updates only the rows of an ``IndexedSlices`` gradient."""

    def update_step(self, gradient, variable, learning_rate):
        if not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        lr = tf.cast(learning_rate, variable.dtype)
        rows, g = unique_rows(gradient)
        g = tf.cast(g, variable.dtype)
        accumulator = self._accumulators[self._get_variable_index(variable)]
        acc = _rows(accumulator, rows) + tf.square(g)
        self.assign(accumulator, _slices(acc, rows, accumulator))
        self.assign_sub(variable, _slices(lr * g / tf.sqrt(acc + self.epsilon), rows, variable))


@keras.saving.register_keras_serializable(package="tagzsl")
class LazyAdam(keras.optimizers.Adam):
    """Keras ``Adam`` whose ``IndexedSlices`` gradients update only their rows and those rows' moments."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.amsgrad:
            raise ValueError("LazyAdam does not implement amsgrad; use keras.optimizers.Adam")

    def update_step(self, gradient, variable, learning_rate):
        if not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        lr = tf.cast(learning_rate, dtype)
        rows, g = unique_rows(gradient)
        g = tf.cast(g, dtype)
        step = tf.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = tf.cast(self.beta_1, dtype), tf.cast(self.beta_2, dtype)
        alpha = lr * tf.sqrt(1 - tf.pow(beta_2, step)) / (1 - tf.pow(beta_1, step))
        index = self._get_variable_index(variable)
        m_var, v_var = self._momentums[index], self._velocities[index]
        m = _rows(m_var, rows)
        v = _rows(v_var, rows)
        m = m + (g - m) * (1 - beta_1)
        v = v + (tf.square(g) - v) * (1 - beta_2)
        self.assign(m_var, _slices(m, rows, m_var))
        self.assign(v_var, _slices(v, rows, v_var))
        self.assign_sub(variable, _slices(m * alpha / (tf.sqrt(v) + self.epsilon), rows, variable))


OPTIMIZERS = {"adam": LazyAdam, "adagrad": RowwiseAdagrad, "sgd": keras.optimizers.SGD,
              "dense_adam": keras.optimizers.Adam, "dense_adagrad": keras.optimizers.Adagrad}


def make(name: str, learning_rate: float):
    """An optimizer by name: ``"adam"`` (:class:`LazyAdam`), ``"adagrad"`` (:class:`RowwiseAdagrad`),
    ``"sgd"`` (plain SGD, the #TagSpace paper's), or ``"dense_adam"`` / ``"dense_adagrad"`` (Keras's
    own, every row every step)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name](learning_rate=learning_rate)
