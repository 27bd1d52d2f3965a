"""How fast the Recommender answers, per method: one tweet, a batch, and the command line.

    nice python benchmarks/recommend_speed.py --methods ann,conse
    nice python benchmarks/recommend_speed.py --methods ann --quick     # smoke run (quick models)
    nice python benchmarks/recommend_speed.py --methods ann,conse --epochs 1   # full-size models, 1 epoch

For each method: a model is trained with ``tagzsl train --method M`` (the notebooks' full-run
settings; ``--quick`` for quick ones; ``--epochs N`` trains the full-size model for N epochs only,
which is enough for timing: speed depends on the model's size, not on how well it is trained)
into ``--models DIR/M`` unless one is there already.
Then, on real TweetEval tweets (the cleaned corpus's raw texts, repeated to ``--n`` tweets):

* warm latency of one tweet: median of ``--single`` calls of ``recommend([tweet], k=5)`` after
  two warm-up calls, in the loaded Python process;
* throughput: ``recommend(tweets, k=5)`` on ``--n`` tweets at once (cleaning included), tweets/s;
* start-up: wall time of ``tagzsl recommend`` on one tweet (Python, TensorFlow, the model);
* ``tagzsl recommend --file`` on those ``--n`` tweets (one per line), wall time of the whole
  command including Python and TensorFlow start-up and loading the model, output discarded.

The target (issue #12) is 10,000 tweets in under 30 s end to end for every method.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default="ann,conse", help="comma-separated methods (see tagzsl.recommender.METHODS)")
    parser.add_argument("--models", default=str(REPO / "runs" / "bench-models"), help="where models are kept")
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="quick-mode models (a smoke run)")
    parser.add_argument("--epochs", type=int, help="train missing models for this many epochs (timing only)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import warnings

    from tagzsl import cli
    from tagzsl.experiments import supervised as exp
    from tagzsl.recommender import Recommender

    prep = exp.top50(exp.QUICK if args.quick else exp.FULL)[0]
    pool = prep.clean["raw"].tolist()
    tweets = (pool * (args.n // len(pool) + 1))[: args.n]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPU(s); "
          f"load average at start {os.getloadavg()[0]:.1f} (shared machine: timings vary with load)")
    print(f"{'method':14} {'train s':>8} {'1 tweet ms':>11} {f'{args.n} tweets s':>16} {'tweets/s':>9} "
          f"{'CLI start-up s':>15} {'CLI --file s':>13} {'load avg':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        tweet_file = pathlib.Path(tmp) / "tweets.txt"
        tweet_file.write_text("\n".join(t.replace("\n", " ") for t in tweets) + "\n")
        for method in args.methods.split(","):
            folder = pathlib.Path(args.models) / (method + ("-quick" if args.quick else ""))
            train_s = float("nan")
            if not folder.exists():
                start = time.perf_counter()
                code = cli.main(["train", "--method", method, "--out", str(folder)] + (["--quick"] if args.quick else [])
                                + (["--epochs", str(args.epochs)] if args.epochs else []))
                train_s = time.perf_counter() - start
                if code:
                    sys.exit(f"training {method} failed")
            rec = Recommender.load(folder)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for _ in range(2):
                    rec.recommend([tweets[0]], k=5)
                single = []
                for i in range(args.single):
                    start = time.perf_counter()
                    rec.recommend([tweets[i + 1]], k=5)
                    single.append(time.perf_counter() - start)
                start = time.perf_counter()
                rec.recommend(tweets, k=5)
                batch_s = time.perf_counter() - start
            command = [sys.executable, "-m", "tagzsl.cli", "recommend", "--model", str(folder), "-k", "5"]
            cli_s = []
            for extra in ([tweets[0]], ["--file", str(tweet_file)]):
                start = time.perf_counter()
                subprocess.run(command + extra, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
                cli_s.append(time.perf_counter() - start)
            print(f"{method:14} {train_s:>8.0f} {1000 * statistics.median(single):>11.1f} {batch_s:>16.1f} "
                  f"{args.n / batch_s:>9.0f} {cli_s[0]:>15.1f} {cli_s[1]:>13.1f} {os.getloadavg()[0]:>9.1f}",
                  flush=True)


if __name__ == "__main__":
    main()
