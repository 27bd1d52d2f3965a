"""TagSpace against fastText supervised on the identical exported split, in one run.

    nice python benchmarks/tagspace_vs_fasttext.py [--seed 2019] [--out DIR] [--mode full] [--sources all]

Builds the #TagSpace corpus (tagzsl.experiments.tagspace.build_corpus), exports train/valid/test in
fastText format, reads the files back, and trains on exactly those files:

* fastText supervised (``fasttext`` from PyPI, fasttext-wheel): softmax loss, word bigrams,
  dim 100, learning rate and epochs picked on the validation file from a small grid;
* TagSpace (this project): WSABIE pre-training then TagSpace with notebook 04's settings
  (``tagzsl.experiments.tagspace.FULL``: learning rates and token dropout picked on the
  validation split), best validation epoch kept; the settings are printed.

Every label of the test file is ranked by both (fastText: ``predict(text, k=-1)``), and P@1,
R@10, mean rank and the training wall time (final fit only; tuning excluded for both) are
printed side by side with ratios. Training times are for this machine (``nproc`` cores).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tagzsl.config import DEFAULT_SEED  # noqa: E402


def fasttext_scores(model, frame, tags) -> np.ndarray:
    """``(n_posts, n_tags)`` fastText probabilities of every label (labels it never saw get -1).

    fasttext-wheel 0.9.2 with numpy 2: ``predict(list)`` returns every label of a post with
    the same (top) probability and ``predict(str)`` calls ``np.array(copy=False)``, which
    numpy 2 rejects; the binding ``model.f.predict(line, k, threshold, errors)`` is correct.
    """
    index = {t: i for i, t in enumerate(tags)}
    scores = np.full((len(frame), len(tags)), -1.0)
    for row, tokens in enumerate(frame["tokens"]):
        for p, lab in model.f.predict(" ".join(tokens) + "\n", -1, 0.0, "strict"):
            j = index.get(lab[len("__label__"):])
            if j is not None:
                scores[row, j] = p
    return scores


def train_fasttext(path, lr, epoch, threads, dim=100, seed=0):
    import fasttext

    return fasttext.train_supervised(input=str(path), lr=lr, epoch=epoch, dim=dim, wordNgrams=2,
                                     loss="softmax", minCount=1, thread=threads, seed=seed, verbose=0)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", help="where the exported split goes (default: a temporary directory)")
    parser.add_argument("--mode", choices=("full", "lesson", "quick"), default="full",
                        help="TagSpace/WSABIE settings: notebook 04's (tagzsl.experiments.tagspace), "
                             "picked on validation (default full)")
    parser.add_argument("--sources", default="all",
                        help="corpus sources: all (default), tweeteval, or a comma list")
    args = parser.parse_args(argv)

    from tagzsl import experiments, tagspace as ts
    from tagzsl.corpus import prepare
    from tagzsl.data import ALL, TWEETEVAL_ONLY
    from tagzsl.experiments import tagspace as xt

    S = experiments.settings_for(xt, args.mode)
    sources = {"all": ALL, "tweeteval": TWEETEVAL_ONLY}.get(args.sources, tuple(args.sources.split(",")))
    threads = os.cpu_count() or 1
    corpus = xt.build_corpus(prepare(sources=sources).clean, min_count=S.min_count, seed=args.seed)
    out = pathlib.Path(args.out) if args.out else pathlib.Path(tempfile.mkdtemp(prefix="tagspace_ft_"))
    paths = xt.export_splits(corpus, out)
    train, val, test = (xt.read_fasttext(paths[n]) for n in ("train", "valid", "test"))
    data = xt.corpus_from_frames(train, val, test)
    print(f"exported split (sources {args.sources}, seed {args.seed}) under {out.name}: train {len(train)}, "
          f"valid {len(val)}, test {len(test)} posts, {len(data.tags)} hashtags; {threads} CPU threads")

    # ---- fastText: lr x epochs on validation
    best = None
    for lr in (0.1, 0.5, 1.0):
        for epoch in (5, 15):
            model = train_fasttext(paths["train"], lr, epoch, threads, seed=args.seed)
            m = ts.ranking(fasttext_scores(model, val, data.tags), data.positives("val"))
            if best is None or m["P@1"] + m["R@10"] > best[0]:
                best = (m["P@1"] + m["R@10"], lr, epoch)
    _, ft_lr, ft_epoch = best
    start = time.perf_counter()
    ft = train_fasttext(paths["train"], ft_lr, ft_epoch, threads, seed=args.seed)
    ft_seconds = time.perf_counter() - start
    ft_test = ts.ranking(fasttext_scores(ft, test, data.tags), data.positives("test"))

    # ---- TagSpace on the same files, notebook 04's settings (picked on validation; WSABIE
    # pre-training counted in its time)
    enc = ts.Encoder().fit(train["tokens"], data.tags)
    dim = S.dims[0]
    init = ts.train("wsabie", data, S.training("wsabie", dim), encoder=enc, seed=args.seed)
    trained = ts.train("tagspace", data, S.training("tagspace", dim), encoder=enc, seed=args.seed, init_from=init)
    ts_seconds = init.seconds + trained.seconds
    ts_test = ts.ranking(ts.predict_scores(trained.model, enc.words(test["tokens"])), data.positives("test"))

    print(f"fastText: supervised, loss=softmax, dim=100, wordNgrams=2, minCount=1, thread={threads}, "
          f"lr={ft_lr}, epoch={ft_epoch} (picked on valid from lr 0.1/0.5/1.0 x epoch 5/15)")
    print(f"TagSpace ({args.mode} settings of notebook 04): d={dim}, H={S.hidden}, K={S.window}, "
          f"{S.optimizer} {S.picked('tagspace')}, dropout={S.dropout}, epochs={S.tagspace_epochs} "
          f"(best validation epoch kept), batch={S.tagspace_batch_size}, WARP m={S.margin}, "
          f"max draws={S.max_draws}; tables from WSABIE ({S.wsabie_epochs} epochs, {S.picked('wsabie')}), "
          f"its time included")
    print()
    print(f"{'':18s}{'fastText':>12s}{'TagSpace':>12s}{'TagSpace/fastText':>20s}")
    for key, fmt in (("P@1", "{:.2f}"), ("R@10", "{:.2f}"), ("mean_rank", "{:.1f}")):
        a, b = ft_test[key], ts_test[key]
        print(f"{key:18s}{fmt.format(a):>12s}{fmt.format(b):>12s}{b / a:>20.2f}")
    print(f"{'train seconds':18s}{ft_seconds:>12.1f}{ts_seconds:>12.1f}{ts_seconds / ft_seconds:>20.2f}")
    print("(test split; mean rank: lower is better; train seconds: final fit only (TagSpace: fit calls incl. "
          "WSABIE, excl. per-epoch validation scoring), this machine)")
    print()
    for line in compute_floor(enc, train, S, dim, len(trained.history), trained.seconds, ft_seconds, args.seed):
        print(line)
    return 0


def compute_floor(enc, train, S, dim, epochs, ts_seconds, ft_seconds, seed, goal=3.0) -> list[str]:
    """Lines on the least time TagSpace's epochs can take on this CPU: their FLOPs (convolution,
    projection and WARP scoring of each trimmed batch, :func:`warp_roofline.step_flops`) over the
    float32 matmul peak measured now (:func:`warp_roofline.matmul_peak`), next to ``goal`` x fastText."""
    import tensorflow as tf

    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    from warp_roofline import matmul_peak, step_flops

    words = enc.words(train["tokens"])
    lengths = np.maximum((words != 0).sum(axis=1), 1)
    positives = float(np.mean([min(len(t), 8) for t in train["hashtags"]]))
    b = S.tagspace_batch_size
    order = np.random.default_rng(seed).permutation(len(lengths))   # one shuffled epoch's batches
    epoch_flops = sum(step_flops(len(chunk), int(lengths[chunk].max()), dim, S.hidden, S.window, S.max_draws,
                                 positives) for chunk in (order[i:i + b] for i in range(0, len(order), b)))
    total, peak = epochs * epoch_flops, matmul_peak(tf)
    floor = total / peak
    verdict = (f"the floor leaves room for the {goal:g}x goal ({goal * ft_seconds:.0f} s): what is missing is achieved FLOP/s"
               if floor <= goal * ft_seconds else
               f"the {goal:g}x goal ({goal * ft_seconds:.0f} s) cannot be met at these settings on this CPU: "
               f"at 100% of the peak TagSpace alone would take {floor / ft_seconds:.2f}x fastText's time")
    return [f"compute floor: TagSpace's {epochs} epochs are {total / 1e12:.2f} TFLOP (convolution H={S.hidden}, "
            f"K={S.window}, d={dim}, forward + backward, projection, WARP scoring of {S.max_draws} draws; batches "
            f"of {b} trimmed to their longest post, mean {lengths.mean():.1f} words a post)",
            f"  float32 matmul peak measured in this run: {peak / 1e9:.1f} GFLOP/s; at that peak the epochs take "
            f"at least {floor:.0f} s; they took {ts_seconds:.0f} s ({total / ts_seconds / peak:.0%} of peak)",
            f"  {verdict}"]


if __name__ == "__main__":
    sys.exit(main())
