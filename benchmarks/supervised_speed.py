"""Training time per epoch and inference throughput of the supervised models on this machine.

    nice python benchmarks/supervised_speed.py            # paper sizes and full-run sizes
    nice python benchmarks/supervised_speed.py --sizes lesson
    python benchmarks/supervised_speed.py --quick         # tiny smoke run

Input: random token ids shaped like the TweetEval top-50 set (vocabulary 10,424 words,
sequence length 25 (``experiments.supervised.FULL``), 5-25 real tokens per tweet, 50 hashtags). Speed does not depend on the
words, so the corpus is not needed. One epoch is timed on ``--n-train`` tweets after a
warm-up batch (graph tracing excluded) and scaled to the 3,535 tweets a fold trains on.
Inference: tweets/s predicting 2,048 tweets in batches of 256, and one tweet at a time
(a direct model call per tweet, ``--single`` calls).
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

FOLD_TRAIN = 3535  # 4,910 tweets x 0.8 (training fold) x 0.9 (minus the validation slice)


def fake_ids(rng, n, vocab, length):
    ids = np.zeros((n, length), "int32")
    for i, k in enumerate(rng.integers(5, 26, size=n)):
        ids[i, :k] = rng.integers(2, vocab, size=k)
    return ids


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n-train", type=int, default=256)
    parser.add_argument("--single", type=int, default=50)
    parser.add_argument("--sizes", default="paper,full")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    from tagzsl import models
    from tagzsl.experiments import supervised as exp

    vocab, length, classes, batch = 10424, exp.FULL.sequence_length, 50, 32
    sizes = {name: {spec["model"]: {k: v for k, v in spec.items() if k != "model"} for spec in table.values()}
             for name, table in (("paper", exp.PAPER_MODELS), ("full", exp.FULL.models),
                                 ("lesson", exp.LESSON.models), ("quick", exp.QUICK.models))}
    wanted = ["quick"] if args.quick else args.sizes.split(",")
    n_train, n_single = (64, 5) if args.quick else (args.n_train, args.single)
    rng = np.random.default_rng(2019)
    x_train, y_train = fake_ids(rng, n_train, vocab, length), rng.integers(0, classes, n_train)
    x_pred = fake_ids(rng, 256 if args.quick else 2048, vocab, length)
    emb = rng.normal(scale=0.1, size=(vocab, 150)).astype("float32")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU(s), "
          f"TensorFlow {tf.__version__}, Keras {keras.__version__}, GPU: {bool(tf.config.list_physical_devices('GPU'))}")
    print(f"load average at start: {os.getloadavg()[0]:.1f}  (shared machine: timings vary with load)")
    print(f"{'sizes':6} {'model':14} {'params':>10} {'s/epoch':>9} {'tweets/s train':>15} "
          f"{'tweets/s batch':>15} {'tweets/s single':>16}  hyper-parameters")
    for size in wanted:
        for name, hp in sizes[size].items():
            hp = {k: v for k, v in hp.items() if k not in ("epochs", "batch_size", "sequence_length", "patience")}
            keras.utils.set_random_seed(0)
            model = models.build_model(name, vocab_size=vocab, num_classes=classes, embedding_matrix=emb,
                                       sequence_length=length, **hp)
            model.fit(x_train[:batch], y_train[:batch], batch_size=batch, epochs=1, verbose=0)  # trace
            start = time.perf_counter()
            model.fit(x_train, y_train, batch_size=batch, epochs=1, verbose=0)
            train_rate = n_train / (time.perf_counter() - start)
            model.predict(x_pred[:256], batch_size=256, verbose=0)
            start = time.perf_counter()
            model.predict(x_pred, batch_size=256, verbose=0)
            batch_rate = len(x_pred) / (time.perf_counter() - start)
            model(x_pred[:1], training=False)
            start = time.perf_counter()
            for i in range(n_single):
                model(x_pred[i:i + 1], training=False)
            single_rate = n_single / (time.perf_counter() - start)
            print(f"{size:6} {name:14} {models.count_params(model):>10,} {FOLD_TRAIN / train_rate:>9.1f} "
                  f"{train_rate:>15.0f} {batch_rate:>15.0f} {single_rate:>16.1f}  {hp}", flush=True)
            keras.backend.clear_session()


if __name__ == "__main__":
    main()
