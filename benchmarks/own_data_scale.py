"""Own posts at scale: the streamed path from gzip JSON lines to trained WSABIE/#TagSpace.

    nice -n 19 python benchmarks/own_data_scale.py --posts 100000 [--tagspace] [--w2v-epochs 1]

Writes synthetic posts as Twitter API v1.1 JSON lines (gzip) with a planted structure: topics
with their own words and hashtags (topic and hashtag frequencies Zipf-distributed), common
words shared by all topics (Zipf), @mentions (30%), links (30%), retweets (10%, the original in
``retweeted_status``), 1% malformed lines. Then runs the path ``tagzsl train --data`` uses
(:func:`tagzsl.own_data.encode`, :func:`select_labels` with every hashtag of >= 10 posts,
:func:`tagzsl.own_vectors.train` (the supervised and zero-shot methods' vectors), then one epoch
of WSABIE, and with ``--tagspace`` of #TagSpace, by :meth:`Recommender.fit_encoded`: streamed from
the on-disk corpus by ``tf.data``; with ``--tagspace-steps N`` #TagSpace's epoch is the time of
its first N batches scaled to the epoch's batches) and prints per stage the seconds and posts/s, the
process's peak resident memory after it (``ru_maxrss``), disk used, and P@1 on held-out posts
(generated the same way, never in the training file) against their planted hashtags, next to
the frequency baseline (always the most frequent hashtag). Everything is written in a fresh
temporary cache that is removed at the end.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import pathlib
import resource
import shutil
import signal
import string
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tagzsl.config import DEFAULT_SEED  # noqa: E402


class World:
    """The planted structure: topics, their words and hashtags, common words."""

    def __init__(self, seed: int, topics: int = 100, tags_per_topic: int = 5, topic_words: int = 40,
                 common_words: int = 3000):
        rng = np.random.default_rng(seed)
        letters = np.array(list(string.ascii_lowercase))

        def words(n, prefix):
            return [prefix + "".join(rng.choice(letters, size=rng.integers(4, 8))) for _ in range(n)]

        self.topic_words = [words(topic_words, "") for _ in range(topics)]
        self.tags = [words(tags_per_topic, "tg") for _ in range(topics)]
        self.common = words(common_words, "")
        self.topic_p = _zipf(topics)
        self.tag_p = _zipf(tags_per_topic)
        self.common_p = _zipf(common_words)

    def posts(self, n: int, seed: int):
        """``n`` posts: ``(text, planted hashtags)``."""
        rng = np.random.default_rng(seed)
        topic = rng.choice(len(self.topic_words), size=n, p=self.topic_p)
        for k in range(n):
            t = topic[k]
            own = rng.choice(self.topic_words[t], size=6)
            common = [self.common[i] for i in rng.choice(len(self.common), size=4, p=self.common_p)]
            tags = list(dict.fromkeys(self.tags[t][i] for i in rng.choice(len(self.tags[t]), size=rng.integers(1, 3),
                                                                           p=self.tag_p)))
            words = list(own) + common
            rng.shuffle(words)
            text = " ".join(words) + " " + " ".join("#" + x for x in tags)
            if rng.random() < 0.3:
                text = f"@user{rng.integers(10**5)} {text}"
            if rng.random() < 0.3:
                text += f" https://t.co/{rng.integers(10**9):x}"
            yield text, tags


def _zipf(n: int, s: float = 1.0) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1) ** s
    return p / p.sum()


def write_posts(world: World, path: pathlib.Path, n: int, seed: int):
    rng = np.random.default_rng(seed + 1)
    with gzip.open(path, "wt", compresslevel=3) as fh:
        for i, (text, _) in enumerate(world.posts(n, seed)):
            roll = rng.random()
            if roll < 0.01:
                fh.write('{"id_str": "' + str(i) + '", "text": "cut off\n')
                continue
            tweet = {"id_str": str(i), "full_text": text, "lang": "en"}
            if roll < 0.11:
                tweet = {"id_str": f"rt{i}", "text": "RT @someone: " + text[:100], "lang": "en",
                         "retweeted_status": tweet}
            fh.write(json.dumps(tweet) + "\n")


WARM_UP = 30   # batches before the timed ones (trimmed batches come in several lengths, each traced once)


def tagspace_steps(enc, labels, hp, args):
    """#TagSpace on the first ``--tagspace-steps`` batches of the epoch's stream (the model and
    batches :meth:`Recommender.fit_encoded` trains on, after ``WARM_UP`` batches); returns the
    seconds a whole epoch of ``len(labels.rows)`` posts takes at that rate."""
    from tagzsl import own_tagspace, tagspace

    data = own_tagspace.corpus(enc, labels, args.seed)
    encoder = own_tagspace.StreamEncoder().fit_encoded(enc, labels)
    settings = tagspace.TrainingSettings(**hp)
    model = tagspace.build_model("tagspace", len(encoder.vocabulary_), len(encoder.tags_), seed=args.seed,
                                 learning_rate=settings.learning_rate, optimizer=settings.optimizer, dim=settings.dim,
                                 hidden=settings.hidden, max_draws=settings.max_draws)
    batches = encoder.dataset(data.train, settings.batch_size, shuffle=True, seed=args.seed)
    model.fit(batches.take(WARM_UP), epochs=1, verbose=0, shuffle=False)   # traces each trimmed length once
    t0 = time.perf_counter()
    model.fit(batches.skip(WARM_UP).take(args.tagspace_steps), epochs=1, verbose=0, shuffle=False)
    per_step = (time.perf_counter() - t0) / args.tagspace_steps
    epoch = per_step * -(-len(data.train) // settings.batch_size)
    print(f"  (#TagSpace: {per_step:.3f} s per batch of {settings.batch_size} over {args.tagspace_steps} batches, "
          f"times {-(-len(data.train) // settings.batch_size):,} batches = {epoch:.0f} s an epoch)", flush=True)
    return epoch


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def disk_mib(path: pathlib.Path) -> float:
    return sum(p.stat().st_size for p in pathlib.Path(path).rglob("*") if p.is_file()) / 2 ** 20


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--held-out", type=int, default=5000)
    parser.add_argument("--w2v-epochs", type=int, default=1)
    parser.add_argument("--tagspace", action="store_true", help="also one epoch of #TagSpace (slow on CPU)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--posts-dir", type=pathlib.Path,
                        help="keep the synthetic posts file here and reuse it on the next run with the same "
                             "--posts and --seed (writing 10M posts takes minutes; it is not a measured stage)")
    parser.add_argument("--tagspace-steps", type=int, default=0, metavar="N",
                        help="time #TagSpace on the first N batches only and extrapolate the epoch from them "
                             "(0: the whole epoch)")
    parser.add_argument("--write-only", action="store_true", help="write the posts file (with --posts-dir), stop")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, signal.default_int_handler)   # a kill cleans up like Ctrl-C
    work = pathlib.Path(tempfile.mkdtemp(prefix="own_data_scale-"))
    os.environ["TAGZSL_CACHE"] = str(work / "cache")
    from tagzsl import own_data, own_training, own_vectors, recommender

    rows, n = [], args.posts
    try:
        world = World(args.seed)
        data = (args.posts_dir or work) / f"posts-{n}-s{args.seed}.jsonl.gz"
        if data.is_file():
            print(f"# {n:,} synthetic posts reused from {data} ({data.stat().st_size / 2**20:.1f} MiB gzip)",
                  flush=True)
        else:
            data.parent.mkdir(parents=True, exist_ok=True)
            start, part = time.perf_counter(), data.with_name(data.name + ".part")
            write_posts(world, part, n, args.seed)
            part.rename(data)   # never a half-written file under the reused name
            print(f"# {n:,} synthetic posts written in {time.perf_counter() - start:.1f} s "
                  f"({data.stat().st_size / 2**20:.1f} MiB gzip)", flush=True)
        if args.write_only:
            return 0

        def stage(name, fn, count=n, estimated=False):
            t0 = time.perf_counter()
            out = fn()
            sec = out if estimated else time.perf_counter() - t0   # estimated: fn returns the seconds
            rows.append((name, sec, count / sec if sec else float("inf"), sec / n * 1e6, peak_rss_mib()))
            print(f"  {name:<34} {sec:9.1f} s  {count / sec:10,.0f} posts/s  {sec / n * 1e6:8.1f} s per M posts  "
                  f"peak RSS {peak_rss_mib():7.0f} MiB", flush=True)
            return out

        enc = stage("read+clean+encode", lambda: own_data.encode([data], progress=False))
        stage("second run (cache reused)", lambda: own_data.encode([data], progress=False))
        labels = stage("labels (hashtags with >= 10 posts)", lambda: own_training.select_labels(enc, True, min_count=10))
        stage(f"word vectors (skip-gram, {args.w2v_epochs} epoch)",
              lambda: own_vectors.train(enc, epochs=args.w2v_epochs, seed=args.seed))
        held = list(world.posts(args.held_out, args.seed + 7))
        counts = dict(zip(enc.hashtags, enc.tag_counts()))
        most = max(labels.names, key=lambda t: counts[t])
        p_at_1 = {"frequency baseline": np.mean([most in tags for _, tags in held])}

        def held_out_p_at_1(rec):
            top = rec.recommend([text for text, _ in held], k=1)
            return np.mean([got[0][0] in tags for got, (_, tags) in zip(top, held)])

        for kind in ("wsabie",) + (("tagspace",) if args.tagspace else ()):
            hp = {"epochs": 1, "batch_size": args.batch_size}
            if kind == "tagspace" and args.tagspace_steps:  # the same stream and model, the first N batches
                stage(f"one epoch of {kind} (extrapolated)", lambda: tagspace_steps(enc, labels, hp, args),
                      count=len(labels.rows), estimated=True)
                p_at_1[kind] = None   # not trained a whole epoch
                continue
            rec = recommender.Recommender(kind, seed=args.seed, **hp)   # what `tagzsl train --data` runs
            stage(f"one epoch of {kind} (fit_encoded)", lambda: rec.fit_encoded(enc, labels), count=len(labels.rows))
            p_at_1[kind] = held_out_p_at_1(rec)
        print(f"  disk: input {data.stat().st_size / 2**20:.1f} MiB, encoded corpus + vectors "
              f"{disk_mib(enc.directory):.1f} MiB")
        print(f"  kept {len(enc):,} of {n:,} posts; {len(labels.names)} hashtags with >= 10 posts; "
              f"{len(enc.words):,} words; skipped {enc.files[0]['malformed']:,} malformed lines")
        print("  P@1 on %d held-out posts vs their planted hashtags: %s" % (
            len(held), ", ".join(f"{k} {100 * v:.1f}%" if v is not None else f"{k} – (epoch extrapolated, not run)"
                                 for k, v in p_at_1.items())))
        print(f"  peak RSS (whole run) {peak_rss_mib():.0f} MiB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
