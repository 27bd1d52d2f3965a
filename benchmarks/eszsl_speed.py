"""ESZSL fit time: tagzsl's tf.linalg closed form against NumPy/SciPy on the same formula.

    W = (X X^T + gamma I)^-1 X Y A^T (A A^T + lambda I)^-1

Like with like: both sides start from the same float64 features (n x d), int labels and
class vectors, do the whole fit (targets, Gram, two Cholesky solves) and return a float64
NumPy W. NumPy/SciPy builds Y (+1/-1) and uses ``x.T @ x`` (BLAS syrk) and
``scipy.linalg.cho_factor/cho_solve``; tagzsl (:meth:`tagzsl.zsl.ESZSL.closed_form`) uses
TensorFlow's matmul, segment sums and ``tf.linalg.cholesky/cholesky_solve``. TensorFlow is
warmed up (graph traced) once before any timing; each size is then timed best-of-``--repeat``
after one more warm-up call per side, the two sides' calls interleaved (same load for both on a
shared machine), and the two W are checked to agree. Inputs are random:
n tweets x d=1024 features, 150-d hashtag vectors, 50 classes.
Run: ``nice python benchmarks/eszsl_speed.py``.

Measured on the 2 shared CPU cores (load average 7-9, calls interleaved), TF 2.21, OpenBLAS 0.3.31:

    tweets  tf.linalg s  numpy/scipy s  numpy/tf  max |dW|
      1000        0.170          1.633      9.59   1.3e-13
      3000        0.553          1.387      2.51   1.1e-15
     10000        0.327          0.213      0.65   5.1e-16
     30000        2.102          1.086      0.52   2.6e-16
    100000       10.018          4.746      0.47   1.8e-16

Before the blocked Gram (one full ``tf.matmul``) the ratios were 1.90, 0.97, 0.63, 0.43, 0.37
(run without interleaving). The Gram dominates from 10k tweets: OpenBLAS's AVX-512 ``dsyrk``
does half the flops at about twice Eigen's float64 speed per flop (TensorFlow has no BLAS or
oneDNN path for float64 on CPU); the upper-block Gram recovers most of the flops, not the
kernel speed. On a GPU the TensorFlow path runs unchanged.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import scipy.linalg  # noqa: E402

from tagzsl.config import DEFAULT_SEED  # noqa: E402
from tagzsl.zsl import ESZSL  # noqa: E402


def eszsl_scipy(x, labels, s, gamma, lam):
    """The same closed form with NumPy products and SciPy Cholesky solves."""
    d, a = x.shape[1], s.shape[1]
    y = -np.ones((len(labels), len(s)))
    y[np.arange(len(labels)), labels] = 1.0
    xya = (x.T @ y) @ s
    left = scipy.linalg.cho_solve(scipy.linalg.cho_factor(x.T @ x + gamma * np.eye(d)), xya)
    return scipy.linalg.cho_solve(scipy.linalg.cho_factor(s.T @ s + lam * np.eye(a)), left.T).T


def eszsl_tf(x, labels, s, gamma, lam):
    """tagzsl's closed form, as a NumPy array."""
    return ESZSL.closed_form(x, labels, s, gamma, lam).numpy()


def best_times(fns, repeat):
    """Best wall time and last output of each fn, the calls interleaved (a, b, a, b, ...) so
    that both sides see the same load on a shared machine; one warm-up call each first."""
    outs = [fn() for fn in fns]
    times = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            outs[i] = fn()
            times[i].append(time.perf_counter() - start)
    return [(min(t), out) for t, out in zip(times, outs)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,3000,10000,30000,100000")
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--attributes", type=int, default=150)
    parser.add_argument("--classes", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    import tensorflow as tf

    rng = np.random.default_rng(args.seed)
    s = rng.normal(size=(args.classes, args.attributes))
    warm = rng.normal(size=(64, args.dim))
    eszsl_tf(warm, rng.integers(0, args.classes, size=64), s, 1.0, 1.0)  # trace the graph once
    print(f"ESZSL fit, d={args.dim}, a={args.attributes}, z={args.classes}, float64, best of "
          f"{args.repeat}; TensorFlow {tf.__version__} on {tf.config.list_logical_devices()[-1].device_type}, "
          f"NumPy {np.__version__}, SciPy {scipy.__version__}, {os.cpu_count()} CPUs")
    print(f"{'tweets':>8} {'tf.linalg s':>12} {'numpy/scipy s':>14} {'numpy/tf':>9} {'max |dW|':>10}")
    for n in [int(v) for v in args.sizes.split(",")]:
        x = rng.normal(size=(n, args.dim))
        labels = rng.integers(0, args.classes, size=n)
        (t_tf, w_tf), (t_np, w_np) = best_times([lambda: eszsl_tf(x, labels, s, 1.0, 1.0),
                                                  lambda: eszsl_scipy(x, labels, s, 1.0, 1.0)], args.repeat)
        print(f"{n:>8} {t_tf:>12.3f} {t_np:>14.3f} {t_np / t_tf:>9.2f} {np.abs(w_tf - w_np).max():>10.1e}")


if __name__ == "__main__":
    main()
