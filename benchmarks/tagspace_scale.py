"""TagSpace + WARP at the paper's scale: 100,000 hashtags, a 1,000,000-word vocabulary.

    nice python benchmarks/tagspace_scale.py [--tags 100000] [--vocab 1000000] [--dim 64]
        [--hidden 256] [--batch-size 128] [--max-draws 1000] [--steps 10] [--optimizer adagrad]

Synthetic data (random word ids, 1-3 random hashtags per post, 5-30 words, batches trimmed to their
longest post as training does): this measures
the cost of the model and of the vectorised WARP step, not accuracy. Prints the seconds per
training step (after one warm-up step that traces the graph), the parameter count and the
peak memory: the process's peak resident set (``ru_maxrss``) and, on a GPU, TensorFlow's
peak device memory. The paper used d up to 256 and H = 1000; the defaults here are smaller
so that the run fits a shared 2-core CPU box (pass --dim 256 --hidden 1000 on bigger hardware).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tagzsl.config import DEFAULT_SEED  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tags", type=int, default=100_000)
    parser.add_argument("--vocab", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--seq-len", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--max-draws", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--optimizer", default="adagrad",
                        choices=["adagrad", "adam", "sgd", "dense_adam", "dense_adagrad"])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf

    from tagzsl import tagspace as ts

    rng = np.random.default_rng(args.seed)
    n = args.batch_size * (args.steps + 1)
    words = rng.integers(2, args.vocab, size=(n, args.seq_len)).astype("int32")
    lengths = rng.integers(5, args.seq_len + 1, size=n)
    words[np.arange(args.seq_len)[None, :] >= lengths[:, None]] = 0
    positives = np.full((n, ts.MAX_TAGS), -1, dtype="int32")
    for i, k in enumerate(rng.integers(1, 4, size=n)):
        positives[i, :k] = rng.choice(args.tags, size=k, replace=False)
    ds = tf.data.Dataset.from_tensor_slices((words, positives)).batch(args.batch_size).map(ts.trim_batch)

    gpus = tf.config.list_physical_devices("GPU")
    model = ts.build_model("tagspace", args.vocab, args.tags, dim=args.dim, hidden=args.hidden,
                           max_draws=args.max_draws, optimizer=args.optimizer, learning_rate=0.05,
                           seed=args.seed)
    params = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    model.fit(ds.take(1), epochs=1, verbose=0, shuffle=False)  # trace + first step
    start = time.perf_counter()
    hist = model.fit(ds.skip(1), epochs=1, verbose=0, shuffle=False)
    step = (time.perf_counter() - start) / args.steps
    rss_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux
    device = gpus[0].name if gpus else f"CPU ({os.cpu_count()} cores)"
    print(f"TagSpace scale benchmark on {device}")
    print(f"  hashtags {args.tags:,}, vocabulary {args.vocab:,}, d={args.dim}, H={args.hidden}, K=5, "
          f"seq len {args.seq_len}, batch {args.batch_size}, WARP max draws {args.max_draws}, "
          f"optimizer {args.optimizer}")
    print(f"  trainable parameters {params:,} ({params * 4 / 2**30:.2f} GiB float32)")
    print(f"  seconds per WARP training step: {step:.3f} (mean of {args.steps} steps after warm-up); "
          f"posts/s: {args.batch_size / step:,.0f}")
    print(f"  loss after the steps: {hist.history['loss'][-1]:.4f}")
    print(f"  peak resident memory (ru_maxrss): {rss_gib:.2f} GiB")
    if gpus:
        info = tf.config.experimental.get_memory_info("GPU:0")
        print(f"  peak GPU memory (TensorFlow): {info['peak'] / 2**30:.2f} GiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
