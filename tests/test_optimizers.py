"""Row-wise optimizers: the same steps as Keras's dense ones where every row is touched; untouched rows stay."""
from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from tagzsl import optimizers

ROWS, DIM = 6, 3


def _gradient(table, ids, coef):
    """The ``IndexedSlices`` gradient of ``sum(coef * table[ids]**2)`` (a gather, as an embedding)."""
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(coef * tf.gather(table.value, ids) ** 2)
    grad = tape.gradient(loss, table.value)
    assert isinstance(grad, tf.IndexedSlices)
    return grad


def _run(optimizer, steps, dense=False):
    rng = np.random.default_rng(0)
    table = keras.Variable(rng.normal(size=(ROWS, DIM)).astype("float32"), name="table")
    bias = keras.Variable(rng.normal(size=(DIM,)).astype("float32"), name="bias")
    optimizer.build([table, bias])
    for ids in steps:
        grad = _gradient(table, tf.constant(ids), tf.constant(rng.normal(size=(len(ids), DIM)), "float32"))
        if dense:
            grad = tf.convert_to_tensor(grad)
        optimizer.apply_gradients([(grad, table), (tf.ones(DIM), bias)])
    return table.numpy(), bias.numpy(), optimizer


# every row touched at every step, some twice (duplicates are summed, as a dense gradient sums them)
ALL_ROWS = [[0, 1, 2, 3, 4, 5, 2, 2], [5, 4, 3, 2, 1, 0], [1, 0, 3, 2, 5, 4, 0]]


@pytest.mark.parametrize("sparse, dense", [(optimizers.LazyAdam, keras.optimizers.Adam),
                                           (optimizers.RowwiseAdagrad, keras.optimizers.Adagrad)])
def test_rowwise_equals_dense_when_every_row_is_touched(sparse, dense):
    got = _run(sparse(learning_rate=0.05), ALL_ROWS)
    want = _run(dense(learning_rate=0.05), ALL_ROWS, dense=True)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-4, atol=1e-5)
    assert not np.allclose(got[0], _run(sparse(learning_rate=0.05), [])[0])  # it did move


@pytest.mark.parametrize("cls", [optimizers.LazyAdam, optimizers.RowwiseAdagrad, keras.optimizers.SGD])
def test_untouched_rows_and_their_slots_stay_unchanged(cls):
    before, _, _ = _run(cls(learning_rate=0.05), ALL_ROWS)
    after, _, opt = _run(cls(learning_rate=0.05), ALL_ROWS + [[1, 4, 1]])
    untouched = [0, 2, 3, 5]
    np.testing.assert_array_equal(after[untouched], before[untouched])
    assert not np.allclose(after[[1, 4]], before[[1, 4]])
    slots = [v.numpy() for v in opt.variables if v.shape == (ROWS, DIM)]
    _, _, ref = _run(cls(learning_rate=0.05), ALL_ROWS)
    for slot, slot_before in zip(slots, [v.numpy() for v in ref.variables if v.shape == (ROWS, DIM)]):
        np.testing.assert_array_equal(slot[untouched], slot_before[untouched])


def test_dense_adam_moves_untouched_rows_so_the_lazy_one_is_the_sparse_one():
    """Keras's Adam keeps moving a row by its momentum; LazyAdam (sparse) does not: they differ here."""
    steps = ALL_ROWS + [[1, 4]]
    dense = _run(keras.optimizers.Adam(learning_rate=0.05), steps, dense=True)[0]
    lazy = _run(optimizers.LazyAdam(learning_rate=0.05), steps)[0]
    untouched = [0, 2, 3, 5]
    assert not np.allclose(dense[untouched], lazy[untouched], rtol=1e-3)
    np.testing.assert_allclose(dense[[1, 4]], lazy[[1, 4]], rtol=1e-4, atol=1e-5)


def test_make_by_name_and_a_clear_error():
    assert isinstance(optimizers.make("adam", 0.1), optimizers.LazyAdam)
    assert isinstance(optimizers.make("sgd", 0.1), keras.optimizers.SGD)
    with pytest.raises(ValueError, match="optimizer must be one of"):
        optimizers.make("adamw", 0.1)
