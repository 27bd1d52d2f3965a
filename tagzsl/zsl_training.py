"""Training the zero-shot methods' parts: the GRU tweet encoder, the softmax head, DEM.

The GRU tweet encoder trained on the seen hashtags (its ``"features"`` layer feeds ConSE, ESZSL
and DEM), the softmax head that gives few-shot ConSE its classifier, and DEM's training loop,
each seeded (``config.DEFAULT_SEED`` by default) and with early stopping on a stratified slice
of the training tweets. :class:`TrainingSettings` holds their hyper-parameters; notebook 03's
protocol (:mod:`tagzsl.experiments.zero_shot`) extends it with its splits and partitions, and
:class:`tagzsl.recommender.Recommender` uses it for ``conse``, ``eszsl`` and ``dem``.
"""
from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from tagzsl import config, embeddings, models
from tagzsl.zsl import DEM, ESZSL_GRID, dem_dataset


@dataclass(frozen=True)
class TrainingSettings:
    """Hyper-parameters of the zero-shot methods' training (defaults: notebook 03's full run).

    The paper's tweet features are a 1024-d layer; ours are the last state of the second of
    two stacked GRUs (``units`` then ``features``) on the 2-core CPU, see notebook 03.
    """

    units: int = 128               # first GRU
    features: int = 128            # second GRU = the "features" layer
    sequence_length: int = 14
    epochs: int = 5                # GRU classifier, early stopping on a seen validation slice
    patience: int = 2
    batch_size: int = 64
    dem_epochs: int = 3
    dem_learning_rate: float = 1e-4
    dem_l2: float = 1e-3
    dem_activation: str = "tanh"
    few_shot_epochs: int = 1
    eszsl_grid: tuple = ESZSL_GRID


def build_encoder_inputs(texts, kv, sequence_length: int):
    """A ``TextVectorization`` over all cleaned ``texts`` (unlabelled text only) and its word2vec matrix."""
    vectorizer = models.text_vectorizer(texts, sequence_length)
    matrix, _ = embeddings.embedding_matrix(kv, vectorizer.get_vocabulary())
    return vectorizer, matrix


def validation_slice(rows, labels, fraction=0.1, seed: int = config.DEFAULT_SEED):
    """Split training rows into (fit rows, early-stopping rows), stratified by label."""
    from sklearn.model_selection import train_test_split

    return train_test_split(rows, test_size=fraction, random_state=seed, stratify=labels)


def train_gru(token_ids, labels, n_classes, embedding_matrix, settings: TrainingSettings = TrainingSettings(), seed: int = config.DEFAULT_SEED):
    """The GRU classifier of ``tagzsl.models`` trained on (seen) ``labels``; early stopping.

    ``settings``: a :class:`TrainingSettings` (``units``, ``features``, ``sequence_length``,
    ``epochs``, ``patience``, ``batch_size``); notebook 03's ``Settings`` extends it.
    """
    keras.utils.set_random_seed(seed)
    fit_rows, val_rows = validation_slice(np.arange(len(labels)), labels, seed=seed)
    model = models.build_model("gru", vocab_size=len(embedding_matrix), num_classes=n_classes,
                               embedding_matrix=embedding_matrix,
                               sequence_length=settings.sequence_length,
                               units=settings.units, units2=settings.features)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience,
                                         restore_best_weights=True)
    model.fit(token_ids[fit_rows], labels[fit_rows], epochs=settings.epochs,
              batch_size=settings.batch_size, validation_data=(token_ids[val_rows], labels[val_rows]),
              callbacks=[stop], verbose=0)
    return model


def softmax_head(features, labels, n_classes, epochs=15, seed: int = config.DEFAULT_SEED):
    """A softmax layer over ``n_classes`` trained on frozen ``features`` (few-shot ConSE's classifier)."""
    keras.utils.set_random_seed(seed)
    head = keras.Sequential([keras.Input((features.shape[1],)),
                             keras.layers.Dense(n_classes, activation="softmax")])
    head.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    head.fit(features, labels, epochs=epochs, batch_size=128, verbose=0)
    return head


def train_dem(encoder, token_ids, hashtag_vectors, settings: TrainingSettings = TrainingSettings(), epochs=None, dem=None,
              seed: int = config.DEFAULT_SEED, labels=None, **dem_kw):
    """Train (or continue training) a :class:`tagzsl.zsl.DEM` on ``(token_ids, hashtag vector)`` pairs.

    Early stopping on a 10% slice of the given (training) tweets, stratified by ``labels``.
    ``settings``: a :class:`TrainingSettings` (``dem_l2``, ``dem_learning_rate``, ``dem_epochs``,
    ``patience``, ``batch_size``); notebook 03's ``Settings`` extends it.
    """
    keras.utils.set_random_seed(seed)
    if dem is None:
        dem = DEM(encoder, l2=settings.dem_l2, **dem_kw)
        dem.compile(optimizer=keras.optimizers.Adam(settings.dem_learning_rate))
    fit_rows, val_rows = validation_slice(np.arange(len(token_ids)), labels, seed=seed)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=settings.patience,
                                         restore_best_weights=True)
    dem.fit(dem_dataset(token_ids[fit_rows], hashtag_vectors[fit_rows], settings.batch_size, seed=seed),
            validation_data=dem_dataset(token_ids[val_rows], hashtag_vectors[val_rows],
                                        settings.batch_size, shuffle=False),
            epochs=epochs or settings.dem_epochs, callbacks=[stop], verbose=0,
            shuffle=False)  # the dataset shuffles itself
    return dem
