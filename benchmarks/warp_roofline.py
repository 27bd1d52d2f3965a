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

``--breakdown`` (``--out benchmarks/results/warp_roofline_breakdown.txt``) times the parts of one
step instead, on one fixed batch of the same synthetic posts, interleaved (each repeat runs every
part once, in a rotating order) and reports the median of ``--repeats``: the whole step with the
row-wise and with Keras's dense Adam; (a) the CNN post embedding forward + backward; (b) the WARP
violator search (b.1: its gather of the drawn candidates' rows alone); (c) the scoring of the
positives and violators, forward + backward; (d) the optimizer update of the tables, row-wise vs
dense, and of the CNN weights (d.1: the row-wise update's unique/segment-sum; d.2: the row-wise
update of a single row per table, its fixed cost); (e) the gathers of word and hashtag rows
from the variables with their gradients, as the model does (e.1: the same after a dense read
of the tables, as before the fix; (f) one dense read of each table, which copies it once a
row-wise update has scattered into it); and, for the configs in ``--xla``, the step and (a) under XLA
(``jit_compile=True``; a compile failure is reported with its first line). Each part's FLOPs and
bytes (each op's main operands read or written once: a lower bound) give its GFLOP/s and GB/s
next to the float32 matmul peak and the memory bandwidth (a 256 MiB array copy) measured in
the same run; ``roof`` is the part's time at the peak or the bandwidth, whichever is longer,
over the time measured. The verdict lines are computed from these numbers.
"""
from __future__ import annotations

import argparse
import os
import resource
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
    out = f()  # a CPU tf.function returns once its outputs are computed
    if getattr(out, "shape", None) == ():
        out.numpy()
    return time.perf_counter() - start


def step_flops(batch, length, dim, hidden, window, draws, positives):
    conv = 2 * batch * length * window * dim * hidden
    projection = 2 * batch * hidden * dim
    return 3 * (conv + projection) + 2 * batch * draws * dim + 3 * 2 * batch * 2 * positives * dim


def synthetic(np, ts, seed, vocab, tags, n):
    """``n`` synthetic posts: word ids (lengths 3..14), hashtag ids (1-3, ``-1`` padded), lengths, counts."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 15, size=n)
    words = rng.integers(2, vocab, size=(n, ts.SEQ_LEN)).astype("int32")
    words[np.arange(ts.SEQ_LEN)[None, :] >= lengths[:, None]] = 0
    positives = np.full((n, ts.MAX_TAGS), -1, dtype="int32")
    n_pos = rng.integers(1, 4, size=n)
    for i, k in enumerate(n_pos):
        positives[i, :k] = rng.choice(tags, size=k, replace=False)
    return words, positives, lengths, n_pos


def run(args, np, tf, ts, vocab, tags, dim, hidden, batch, optimizer):
    steps = args.steps + 2
    n = batch * steps
    words, positives, lengths, n_pos = synthetic(np, ts, args.seed, vocab, tags, n)
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


def bandwidth(np, mib=256, repeats=5):
    """Memory bandwidth in bytes/s: a copy of ``mib`` MiB of float32 into a preallocated array (read + write)."""
    x = np.random.default_rng(0).standard_normal(mib * 2**18, dtype="float32")
    y = np.empty_like(x)
    best = min(_timed(lambda: np.copyto(y, x)) for _ in range(repeats + 1))
    return 2 * x.nbytes / best


def medians(np, fns, repeats):
    """Median seconds of each function, interleaved: every repeat runs each once, in a rotating order."""
    names, times = list(fns), {name: [] for name in fns}
    for r in range(repeats):
        for name in names[r % len(names):] + names[:r % len(names)]:
            times[name].append(_timed(fns[name]))
    return {name: float(np.median(t)) for name, t in times.items()}


def part_functions(np, tf, opt_lib, model, x, pos, xla):
    """The step and its parts as ``tf.function``s over one batch, each traced once; XLA failures by first line."""
    vectors, mask = model._word_vectors(x, training=True)
    post = model.embed_posts(x, training=True)
    negative, _, found = model.first_violators(post, pos)
    safe = tf.maximum(pos, 0)
    words, tags = model.words.embeddings, model.tag_table.embeddings
    tables = [words, tags]
    cnn_vars = [v for v in model.trainable_variables if all(v is not t for t in tables)]
    cand = tf.random.stateless_uniform((x.shape[0], model.max_draws), seed=[model.seed, 10], maxval=model.n_tags, dtype="int32")
    with tf.GradientTape() as tape:
        loss, _ = model._compute_loss((x, pos), training=True)
    grads = dict(zip([id(v) for v in model.trainable_variables], tape.gradient(loss, model.trainable_variables)))
    rows = [len(np.unique(np.asarray(grads[id(t)].indices))) for t in tables]
    lazy, dense = model.optimizer, opt_lib.make("dense_adam", 0.001)
    for opt in (lazy, dense):
        opt.build(model.trainable_variables)
    one_row = [tf.IndexedSlices(grads[id(t)].values[:1], grads[id(t)].indices[:1], grads[id(t)].dense_shape)
               for t in tables]

    def cnn():
        with tf.GradientTape() as tape:
            tape.watch(vectors)
            out = model.project(tf.tanh(model.pool(model.conv(vectors), mask=mask)))
            total = tf.reduce_sum(out * post)
        return tape.gradient(total, [vectors] + cnn_vars)

    def scoring():
        rows_pos, rows_neg = tf.gather(tags.value, safe), tf.gather(tags.value, negative)
        with tf.GradientTape() as tape:
            tape.watch([post, rows_pos, rows_neg])
            hinge = tf.nn.relu(model.margin - tf.reduce_sum(post[:, None] * rows_pos, -1)
                               + tf.reduce_sum(post[:, None] * rows_neg, -1))
            total = tf.reduce_sum(hinge * tf.cast(found & (pos >= 0), "float32"))
        return tape.gradient(total, [post, rows_pos, rows_neg])

    def gathers(resource):
        def fn():  # ``resource``: tf.gather on the variable (the model's); else a dense read first (before the fix)
            table = (lambda v: v.value) if resource else (lambda v: v)
            with tf.GradientTape() as tape:
                got = [tf.gather(words.value, x) if resource else model.words(x),
                       tf.gather(table(tags), safe), tf.gather(table(tags), negative)]
                total = sum(tf.reduce_sum(g) for g in got)
            return got + [g.values for g in tape.gradient(total, tables)]
        return fn

    def step(opt):
        def fn():
            with tf.GradientTape() as tape:
                loss, _ = model._compute_loss((x, pos), training=True)
            opt.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
            return loss
        return fn

    def update(opt, variables, given=None):
        pairs = list(zip(given or [grads[id(v)] for v in variables], variables))
        return lambda: opt.apply_gradients(pairs)

    fns = {"step, row-wise Adam": step(lazy), "step, dense Adam": step(dense),
           "(a) CNN embedding fwd+bwd": cnn,
           "(b) WARP violator search": lambda: model.first_violators(post, pos),
           "(b.1) of which: candidate rows gather": lambda: tf.gather(tags.value, cand),
           "(c) scoring fwd+bwd": scoring,
           "(d) update tables, row-wise": update(lazy, tables),
           "(d) update tables, dense": update(dense, tables),
           "(d) update CNN weights (dense)": update(lazy, cnn_vars),
           "(d.1) of which: unique+segment-sum": lambda: [opt_lib.unique_rows(grads[id(t)]) for t in tables],
           "(d.2) row-wise update of 1 row/table": update(lazy, tables, one_row),
           "(e) row gathers + their gradients": gathers(True),
           "(e.1) the same after dense reads (before)": gathers(False),
           "(f) one dense read of the word table": lambda: tf.convert_to_tensor(words.value),
           "(f) one dense read of the hashtag table": lambda: tf.convert_to_tensor(tags.value)}
    if xla:
        fns.update({"step, row-wise Adam, XLA": step(lazy), "step, dense Adam, XLA": step(dense),
                    "(a) CNN embedding fwd+bwd, XLA": cnn})
    compiled, failed = {}, {}
    for name, fn in fns.items():
        f = tf.function(fn, jit_compile=True if name.endswith("XLA") else None)
        try:
            f()
            compiled[name] = f
        except Exception as exc:  # noqa: BLE001 (a compile failure is a measured result)
            failed[name] = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
    return compiled, failed, rows


def part_costs(ts, batch, length, dim, hidden, draws, vocab, tags, word_rows, tag_rows):
    """``{part: (FLOPs, bytes)}``; bytes: each op's main operands read or written once (float32)."""
    P, K, f = ts.MAX_TAGS, 5, 4
    bld, blh, kdh, bcd = batch * length * dim, batch * length * hidden, K * dim * hidden, batch * draws * dim
    cnn = (3 * (2 * batch * length * K * dim * hidden + 2 * batch * hidden * dim),
           f * (3 * bld + 4 * blh + 3 * kdh + 3 * hidden * dim + 3 * batch * hidden))
    rows = batch * length + 2 * batch * P
    adam = 12  # FLOPs per element of an Adam update
    n_cnn = kdh + hidden + hidden * dim + dim
    return {"(a) CNN embedding fwd+bwd": cnn,
            "(b) WARP violator search": (2 * bcd + 2 * batch * P * dim + batch * P * draws,
                                         f * (3 * bcd + 2 * batch * draws + batch * P * dim) + 2 * batch * P * draws),
            "(b.1) of which: candidate rows gather": (0, 2 * f * bcd),
            "(c) scoring fwd+bwd": (3 * 2 * batch * 2 * P * dim, f * 3 * (2 * batch * P * dim + batch * dim)),
            "(d) update tables, row-wise": (adam * dim * (word_rows + tag_rows), f * 7 * dim * (word_rows + tag_rows)),
            "(d) update tables, dense": (adam * dim * (vocab + tags), f * 8 * dim * (vocab + tags)),
            "(d) update CNN weights (dense)": (adam * n_cnn, f * 7 * n_cnn),
            "(d.1) of which: unique+segment-sum": (rows * dim, f * 2 * rows * dim),
            "(d.2) row-wise update of 1 row/table": (adam * dim * 2, f * 7 * dim * 2),
            "(e) row gathers + their gradients": (0, f * 4 * rows * dim),
            "(e.1) the same after dense reads (before)": (0, f * 4 * rows * dim),
            "(f) one dense read of the word table": (0, 2 * f * vocab * dim),
            "(f) one dense read of the hashtag table": (0, 2 * f * tags * dim),
            "(a) CNN embedding fwd+bwd, XLA": cnn}


DISJOINT = ("(a) CNN embedding fwd+bwd", "(b) WARP violator search", "(c) scoring fwd+bwd",
            "(d) update tables, row-wise", "(d) update CNN weights (dense)", "(e) row gathers + their gradients")


def breakdown(args, np, tf, ts, say, peak, bw, name, dim, hidden, batch, vocab, tags):
    from tagzsl import optimizers as opt_lib

    words, positives, lengths, n_pos = synthetic(np, ts, args.seed, vocab, tags, batch)
    x, pos = ts.trim_batch(tf.constant(words), tf.constant(positives))
    length = int(x.shape[1])
    model = ts.build_model("tagspace", vocab, tags, dim=dim, hidden=hidden, max_draws=args.max_draws,
                           optimizer="adam", learning_rate=0.001, seed=args.seed)
    fns, failed, (word_rows, tag_rows) = part_functions(np, tf, opt_lib, model, x, pos, name in args.xla.split(","))
    times = medians(np, fns, args.repeats)
    costs = part_costs(ts, batch, length, dim, hidden, args.max_draws, vocab, tags, word_rows, tag_rows)
    flops = step_flops(batch, length, dim, hidden, 5, args.max_draws, float(n_pos.mean()))
    step = times["step, row-wise Adam"]
    say(f"\n{name}: d = {dim}, H = {hidden}, batch {batch} (trimmed to {length} words), {vocab:,} words, "
        f"{tags:,} hashtags, WARP {args.max_draws} draws; rows updated {word_rows} + {tag_rows}; median of {args.repeats}, load average "
        f"{os.getloadavg()[0]:.1f}")
    say(f"  {'part':<40} {'ms':>9} {'% step':>7} {'GFLOP':>8} {'GFLOP/s':>8} {'%peak':>6} {'MB':>8} {'GB/s':>6} "
        f"{'%bw':>5} {'roof':>5}  bound")
    verdicts = {}
    for part, seconds in times.items():
        fl, by = costs.get(part, (flops if part.startswith("step") else 0, 0))
        roof = max(fl / peak, by / bw) / seconds
        kind = "compute" if fl / peak >= by / bw else "memory"
        verdicts[part] = f"{kind}-bound" if roof >= 0.25 else f"latency/overhead-bound (roof: {kind})"
        cells = [f"{fl / 1e9:>8.4f}", f"{fl / seconds / 1e9:>8.2f}", f"{fl / seconds / peak:>6.1%}"] if fl else ["–".rjust(8)] * 2 + ["–".rjust(6)]
        cells += [f"{by / 1e6:>8.2f}", f"{by / seconds / 1e9:>6.2f}", f"{by / seconds / bw:>5.0%}", f"{roof:>5.0%}"] if by else ["–".rjust(8), "–".rjust(6), "–".rjust(5), "–".rjust(5)]
        say(f"  {part:<40} {1e3 * seconds:>9.2f} {seconds / step:>7.1%} " + " ".join(cells) + f"  {verdicts[part]}")
    for part, line in failed.items():
        say(f"  {part:<40} failed to compile: {line}")
    parts = {p: times[p] for p in DISJOINT}
    top = max(parts, key=parts.get)
    say(f"  the step (row-wise Adam) reaches {flops / step / peak:.1%} of the matmul peak "
        f"({'meets' if flops / step >= peak / 3 else 'misses'} 1/3); the parts (a)-(e) sum to "
        f"{sum(parts.values()) / step:.0%} of it; the largest is {top}: {parts[top] / step:.0%} of the step, "
        f"{verdicts[top]}, at {max(costs[top][0] / peak, costs[top][1] / bw) / parts[top]:.0%} of its roof")
    cnn = costs["(a) CNN embedding fwd+bwd"][0] / times["(a) CNN embedding fwd+bwd"]
    say(f"  the CNN alone runs at {cnn / peak:.1%} of the peak; the rest of the step ({1 - parts['(a) CNN embedding fwd+bwd'] / step:.0%} "
        f"of it) does {1 - costs['(a) CNN embedding fwd+bwd'][0] / flops:.1%} of its FLOPs")
    reads = times["(f) one dense read of the word table"] + 2 * times["(f) one dense read of the hashtag table"]
    say(f"  the model gathers table rows from the variables (WarpModel.gather_from_variables); the dense reads it "
        f"made before (the word table once, the hashtag table twice; after the row-wise update's first scatter "
        f"TensorFlow keeps a table in copy-on-read mode, so each read copies it) would take {1e3 * reads:.2f} ms, "
        f"{reads / step:.0%} of this step; the gathers (e) take "
        f"{1e3 * times['(e) row gathers + their gradients']:.2f} ms from the variables, "
        f"{1e3 * times['(e.1) the same after dense reads (before)']:.2f} ms after dense reads")
    lazy, dense = times["(d) update tables, row-wise"], times["(d) update tables, dense"]
    say(f"  table update: row-wise {1e3 * lazy:.2f} ms vs dense {1e3 * dense:.2f} ms ({dense / lazy:.2f}x); "
        f"row-wise with 1 row/table {1e3 * times['(d.2) row-wise update of 1 row/table']:.2f} ms "
        f"({times['(d.2) row-wise update of 1 row/table'] / lazy:.0%} of the row-wise update: its fixed cost); "
        f"step dense/row-wise {times['step, dense Adam'] / step:.2f}x")
    for kind in ("step, row-wise Adam", "step, dense Adam", "(a) CNN embedding fwd+bwd"):
        if f"{kind}, XLA" in times:
            say(f"  XLA: {kind} {times[kind] / times[kind + ', XLA']:.2f}x as fast with jit_compile=True "
                f"({1e3 * times[kind]:.2f} -> {1e3 * times[kind + ', XLA']:.2f} ms)")
    del model, fns


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--sizes", default="10000:2000,100000:10000,1000000:100000",
                        help="words:hashtags, comma-separated")
    parser.add_argument("--optimizers", default="adam,dense_adam")
    parser.add_argument("--configs", default="notebook:64:1000:64,paper:256:1000:64",
                        help="name:d:H:batch, comma-separated")
    parser.add_argument("--max-draws", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--breakdown", action="store_true", help="time the parts of one step (see above)")
    parser.add_argument("--runs", default="notebook@10000:2000,notebook@1000000:100000,paper@1000000:100000",
                        help="--breakdown: config@words:hashtags, comma-separated")
    parser.add_argument("--repeats", type=int, default=5, help="--breakdown: interleaved repeats (median)")
    parser.add_argument("--xla", default="notebook", help="--breakdown: configs also timed with jit_compile=True")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and settings: checks the script runs")
    parser.add_argument("--out", default=None, help="also write the report here")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.configs, args.max_draws, args.steps, args.repeats = "500:100", "tiny:8:16:8", 20, 2, 2
        args.xla, args.runs = "tiny", "tiny@500:100"
    try:
        sizes = [tuple(int(v) for v in s.split(":")) for s in args.sizes.split(",")]
        configs = [(c.split(":")[0], *(int(v) for v in c.split(":")[1:])) for c in args.configs.split(",")]
        by_name = {c[0]: c for c in configs}
        runs = [(by_name[r.split("@")[0]], tuple(int(v) for v in r.split("@")[1].split(":"))) for r in args.runs.split(",")]
        if any(len(s) != 2 for s in sizes + [r[1] for r in runs]) or any(len(c) != 4 for c in configs):
            raise ValueError
    except (ValueError, KeyError, IndexError):
        parser.error("--sizes takes words:hashtags,...; --configs name:d:H:batch,... (integers); "
                     "--runs config@words:hashtags,... with a config named in --configs")

    import numpy as np
    import tensorflow as tf

    from tagzsl import tagspace as ts

    niceness = os.nice(0)
    lines = [("$ " + (f"nice -n {niceness} " if niceness else "") + "python " + " ".join(sys.argv))
             if argv is None else "$ python benchmarks/warp_roofline.py " + " ".join(argv)]

    def say(line):
        print(line, flush=True)
        lines.append(line)

    peak = matmul_peak(tf)
    say(f"WARP roofline on {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} at start "
        f"(shared machine); float32 matmul peak (2048^2, best of 5): {peak / 1e9:.1f} GFLOP/s")
    if args.breakdown:
        bw = bandwidth(np)
        say(f"memory bandwidth (copy of a 256 MiB array, best of 5): {bw / 1e9:.1f} GB/s; "
            f"machine balance {peak / bw:.1f} FLOP/byte")
        for (name, dim, hidden, batch), (vocab, tags) in runs:
            breakdown(args, np, tf, ts, say, peak, bw, name, dim, hidden, batch, vocab, tags)
    else:
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
    say(f"load average at end {os.getloadavg()[0]:.1f}; peak resident memory "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20:.2f} GiB")
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
