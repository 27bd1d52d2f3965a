"""Achieved FLOP/s of a #TagSpace WARP training step against this machine's float32 matmul peak,
and the step time as the tables grow (10k words / 2k hashtags to 1M / 100k).

    nice -n 19 python benchmarks/warp_roofline.py [--steps 8] [--sizes 10000:2000,100000:10000,1000000:100000]
        [--optimizers adam,dense_adam] [--out benchmarks/results/warp_roofline.txt]

Synthetic posts (random word ids, lengths drawn from 3..14, mean 8.5: cleaned posts have 8.3
tokens on average, 95th percentile 14; 1-3 hashtags), batches trimmed to their longest post as
``tagspace.train`` does. In the same process: (1) the float32 matmul peak (a 2048 x 2048 matmul,
best of 5); (2) for the notebook's TagSpace settings (d = 64, H = 1000, batch 64, WARP 1,000
draws) and the paper's (d = 256, H = 1000), the mean seconds per training step (after two warm-up
steps) at each table size, with each optimizer. FLOPs per step, counted: convolution
``2 B L K d H`` and projection ``2 B H d``, each x3 for forward + backward; WARP scoring of the
drawn candidates ``2 B C d`` (forward only: sampled under ``stop_gradient``) plus the positive and
negative scores ``2 B P d`` x3. ``L`` is the batch's trimmed length. The machine is shared
(load average printed): compare ratios within one run, not across runs.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tagzsl.config import DEFAULT_SEED  # noqa: E402


def matmul_peak(tf, n=2048, repeats=5):
    a = tf.random.stateless_normal((n, n), seed=[1, 2])
    b = tf.random.stateless_normal((n, n), seed=[3, 4])
    f = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    f()
    best = min(_timed(f) for _ in range(repeats))
    return 2 * n ** 3 / best


def _timed(f):
    start = time.perf_counter()
    f().numpy()
    return time.perf_counter() - start


def step_flops(batch, length, dim, hidden, window, draws, positives):
    conv = 2 * batch * length * window * dim * hidden
    projection = 2 * batch * hidden * dim
    return 3 * (conv + projection) + 2 * batch * draws * dim + 3 * 2 * batch * 2 * positives * dim


def run(args, np, tf, ts, vocab, tags, dim, hidden, batch, optimizer):
    rng = np.random.default_rng(args.seed)
    steps = args.steps + 2
    n = batch * steps
    lengths = rng.integers(3, 15, size=n)
    words = rng.integers(2, vocab, size=(n, ts.SEQ_LEN)).astype("int32")
    words[np.arange(ts.SEQ_LEN)[None, :] >= lengths[:, None]] = 0
    positives = np.full((n, ts.MAX_TAGS), -1, dtype="int32")
    n_pos = rng.integers(1, 4, size=n)
    for i, k in enumerate(n_pos):
        positives[i, :k] = rng.choice(tags, size=k, replace=False)
    ds = tf.data.Dataset.from_tensor_slices((words, positives)).batch(batch).map(ts.trim_batch)
    model = ts.build_model("tagspace", vocab, tags, dim=dim, hidden=hidden, max_draws=args.max_draws,
                           optimizer=optimizer, learning_rate=0.001, seed=args.seed)
    model.fit(ds.take(2), epochs=1, verbose=0, shuffle=False)  # trace + first steps (slots built)
    start = time.perf_counter()
    model.fit(ds.skip(2), epochs=1, verbose=0, shuffle=False)
    seconds = (time.perf_counter() - start) / args.steps
    trimmed = [int(lengths[i:i + batch].max()) for i in range(2 * batch, n, batch)]
    flops = np.mean([step_flops(batch, t, dim, hidden, 5, args.max_draws, float(n_pos.mean())) for t in trimmed])
    return seconds, flops


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--sizes", default="10000:2000,100000:10000,1000000:100000")
    parser.add_argument("--optimizers", default="adam,dense_adam")
    parser.add_argument("--configs", default="notebook:64:1000:64,paper:256:1000:64",
                        help="name:d:H:batch, comma-separated")
    parser.add_argument("--max-draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default=None, help="also write the report here")
    args = parser.parse_args(argv)

    import numpy as np
    import tensorflow as tf

    from tagzsl import tagspace as ts

    sizes = [tuple(int(v) for v in s.split(":")) for s in args.sizes.split(",")]
    configs = [(c.split(":")[0], *(int(v) for v in c.split(":")[1:])) for c in args.configs.split(",")]
    lines = []

    def say(line):
        print(line, flush=True)
        lines.append(line)

    peak = matmul_peak(tf)
    say(f"WARP roofline on {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at start "
        f"(shared machine); float32 matmul peak (2048^2, best of 5): {peak / 1e9:.1f} GFLOP/s")
    say(f"{'config':<9} {'optimizer':<11} {'words':>9} {'hashtags':>9} {'s/step':>8} {'GFLOP/step':>10} "
        f"{'GFLOP/s':>8} {'of peak':>7} {'x smallest':>10}")
    for name, dim, hidden, batch in configs:
        for optimizer in args.optimizers.split(","):
            base = None
            for vocab, tags in sizes:
                seconds, flops = run(args, np, tf, ts, vocab, tags, dim, hidden, batch, optimizer)
                base = base or seconds
                say(f"{name:<9} {optimizer:<11} {vocab:>9,} {tags:>9,} {seconds:>8.4f} {flops / 1e9:>10.3f} "
                    f"{flops / seconds / 1e9:>8.1f} {flops / seconds / peak:>6.1%} {seconds / base:>9.2f}x")
    say(f"load average at end {os.getloadavg()[0]:.1f}")
    if args.out:
        with open(args.out, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
