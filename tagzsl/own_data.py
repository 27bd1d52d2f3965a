"""A person's own posts, streamed: cleaned in chunks, encoded once on disk, read by ``tf.data``.

:func:`encode` reads the files (:mod:`tagzsl.data.user_files`) and runs the built-in corpus's
cleaning funnel (:mod:`tagzsl.preprocess`, the same step functions in the same order; an
optional language filter by metadata or py3langid as :mod:`tagzsl.data.language`) over chunks
of :data:`CHUNK` posts, so memory is bounded by the vocabulary, not by the number of posts.
Each kept post's word ids and hashtag ids are appended to flat ``int32`` arrays with ``int64``
offsets (``.npy``, memory-mapped when read); duplicates (the same normalised text, first one
kept) are found after the pass from one 64-bit hash per post. The folder is built under
``<cache>/own/.tmp-*`` and renamed into place, so an interrupt leaves nothing half-written, and
it is keyed by the files' (path, size, mtime) and the settings, so a second run reuses it.

Word and hashtag counts (posts carrying each) come from ``numpy.bincount`` over the encoded
arrays, exact after de-duplication. Labels and the ``tf.data`` input: :mod:`tagzsl.own_training`.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import sys
import time
from dataclasses import dataclass

import numpy as np

from tagzsl import config, preprocess
from tagzsl.data import language, user_files
from tagzsl.data.user_files import DataError

VERSION = 1
CHUNK = 5000
_ARRAYS = ("tokens", "token_offsets", "tags", "tag_offsets", "kept")
STEPS = ("raw tweets", "language filter", "with at least one hashtag", "hashtags extracted and removed",
         "non-ASCII removed, lower-cased", "retweet prefix dropped, @mentions to 'user'", "URLs removed",
         "duplicates removed", "tokenised (TweetTokenizer)", "stop words removed")
__all__ = ["DataError", "Encoded", "encode", "funnel_summary"]


@dataclass
class Encoded:
    """The cleaned, encoded corpus in ``directory``: ``words``/``hashtags`` (id -> string),
    memory-mapped arrays, the funnel (``steps``: step, posts) and per-file ``files`` stats."""

    directory: pathlib.Path
    words: list
    hashtags: list
    steps: list
    files: list
    settings: dict

    def array(self, name: str) -> np.ndarray:
        return np.load(self.directory / f"{name}.npy", mmap_mode="r")

    @property
    def kept(self) -> np.ndarray:
        """Row numbers of the kept (distinct) posts, in reading order."""
        return self.array("kept")

    def __len__(self) -> int:
        return len(self.kept)

    def rows(self, rows):
        """``(word id lists, hashtag id lists)`` of the given rows."""
        tok, toff, tag, tagoff = (self.array(n) for n in _ARRAYS[:4])
        return ([tok[toff[r]:toff[r + 1]] for r in rows], [tag[tagoff[r]:tagoff[r + 1]] for r in rows])

    def tag_counts(self) -> np.ndarray:
        """Number of kept posts carrying each hashtag id."""
        return _counts(self.array("tags"), self.array("tag_offsets"), self.kept, len(self.hashtags))

    def word_counts(self) -> np.ndarray:
        """Occurrences of each word id in the kept posts."""
        return _counts(self.array("tokens"), self.array("token_offsets"), self.kept, len(self.words))

    def sentences(self, with_hashtags: bool = True):
        """A re-iterable stream of word lists (hashtags appended as words), for word2vec."""
        return _Sentences(self, with_hashtags)


class _Sentences:
    def __init__(self, encoded: Encoded, with_hashtags: bool):
        self.encoded, self.with_hashtags = encoded, with_hashtags

    def __iter__(self):
        words, tags, kept = self.encoded.words, self.encoded.hashtags, self.encoded.kept
        for start in range(0, len(kept), CHUNK):
            token_ids, tag_ids = self.encoded.rows(kept[start:start + CHUNK])
            for w, t in zip(token_ids, tag_ids):
                yield [words[i] for i in w] + ([tags[i] for i in t] if self.with_hashtags else [])


def flat_index(offsets, rows) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a flat array of every item of ``rows`` (by ``offsets``), and each row's length."""
    rows = np.asarray(rows)
    lengths = offsets[rows + 1] - offsets[rows]
    starts = np.cumsum(lengths) - lengths
    return np.repeat(offsets[rows], lengths) + (np.arange(lengths.sum()) - np.repeat(starts, lengths)), lengths


def _counts(values, offsets, kept, size, block: int = 1_000_000) -> np.ndarray:
    """``bincount`` of ``values`` over the rows in ``kept`` (in blocks of rows: bounded memory)."""
    out = np.zeros(size, dtype=np.int64)
    for start in range(0, len(kept), block):
        index, _ = flat_index(offsets, kept[start:start + block])
        out += np.bincount(np.asarray(values[index], dtype=np.int64), minlength=size)
    return out


# --------------------------------------------------------------------------- cache key
def cache_key(paths, settings: dict) -> str:
    """Key of the files (absolute path, size, mtime) and the cleaning settings."""
    stamp = []
    for p in paths:
        st = pathlib.Path(p).stat()
        stamp.append((str(pathlib.Path(p).resolve()), st.st_size, st.st_mtime_ns))
    blob = repr((VERSION, preprocess.MIN_WORDS, sorted(stamp), sorted(settings.items())))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)


# --------------------------------------------------------------------------- cleaning
class _Writer:
    """Appends each chunk's ids to raw files in the build folder, counts the funnel."""

    def __init__(self, folder: pathlib.Path, lang: str | None):
        self.folder, self.lang = folder, lang
        self.words: dict = {}
        self.tags: dict = {}
        self.counts = dict.fromkeys(STEPS, 0)
        self.fh = {n: open(folder / f"{n}.bin", "wb") for n in ("tokens", "token_len", "tags", "tag_len",
                                                                  "hash", "row")}
        self.n_rows = 0
        self.n_words = 0

    def close(self):
        for fh in self.fh.values():
            fh.close()

    def chunk(self, posts: list):
        """Clean one chunk of ``(text, lang, hashtags)``; append the kept posts."""
        c = self.counts
        c["raw tweets"] += len(posts)
        if self.lang:
            missing = [i for i, p in enumerate(posts) if not p[1]]
            found = dict(zip(missing, language.identify_languages([posts[i][0] for i in missing])))
            posts = [p for i, p in enumerate(posts)
                     if str(p[1] or found.get(i, "")).lower().startswith(self.lang.lower())]
        c["language filter"] += len(posts)
        tagged = []
        for text, _lang, given in posts:
            given = [t for t in (given or []) if t not in preprocess.ARTEFACT_HASHTAGS]
            tags = given or preprocess.extract_hashtags(text)
            if tags:
                tagged.append((text, tags))
        for step in STEPS[2:7]:
            c[step] += len(tagged)
        hashes, rows, tok, tok_len, tag, tag_len = [], [], [], [], [], []
        stop = preprocess.stopwords()
        for text, tags in tagged:
            text = preprocess.remove_urls(preprocess.replace_mentions(preprocess.remove_retweet_prefix(
                preprocess.to_ascii_lower(preprocess.remove_hashtags(text)))))
            hashes.append(_hash(text))
            tokens = [t for t in preprocess.tokenize(text) if t not in stop]
            if not preprocess.long_enough(tokens):
                rows.append(-1)
                continue
            rows.append(self.n_rows)
            self.n_rows += 1
            tok += [self.words.setdefault(t, len(self.words)) for t in tokens]
            tok_len.append(len(tokens))
            tag += [self.tags.setdefault(t, len(self.tags)) for t in tags]
            tag_len.append(len(tags))
        self.n_words += len(tok)
        for name, values, dtype in (("tokens", tok, np.int32), ("token_len", tok_len, np.int64),
                                    ("tags", tag, np.int32), ("tag_len", tag_len, np.int64),
                                    ("hash", hashes, np.int64), ("row", rows, np.int64)):
            np.asarray(values, dtype=dtype).tofile(self.fh[name])

    def finish(self) -> tuple[list, np.ndarray]:
        """The funnel after de-duplication, and the kept rows (first occurrence, long enough)."""
        self.close()
        hashes = np.fromfile(self.folder / "hash.bin", dtype=np.int64)
        rows = np.fromfile(self.folder / "row.bin", dtype=np.int64)
        _, first = np.unique(hashes, return_index=True)
        first.sort()
        c = self.counts
        c["duplicates removed"] = c["tokenised (TweetTokenizer)"] = c["stop words removed"] = len(first)
        kept = rows[first]
        kept = kept[kept >= 0]
        steps = [[f"language {self.lang!r} only" if s == "language filter" else s, int(c[s])]
                 for s in STEPS if s != "language filter" or self.lang]
        steps.append([f"at least {preprocess.MIN_WORDS} words", int(len(kept))])
        for name in ("tokens", "tags"):
            values = np.memmap(self.folder / f"{name}.bin", dtype=np.int32, mode="r") \
                if (self.folder / f"{name}.bin").stat().st_size else np.zeros(0, np.int32)
            _save(self.folder / f"{name}.npy", values)
            lengths = np.fromfile(self.folder / f"{name[:-1]}_len.bin", dtype=np.int64)
            _save(self.folder / f"{name[:-1]}_offsets.npy", np.concatenate([[0], np.cumsum(lengths)]))
            del values
        _save(self.folder / "kept.npy", kept)
        for name in self.fh:
            (self.folder / f"{name}.bin").unlink()
        return steps, kept


def _save(path: pathlib.Path, values, block: int = 4_000_000):
    """``values`` as a ``.npy`` file, copied in blocks (a memory-mapped input is never read whole)."""
    out = np.lib.format.open_memmap(path, mode="w+", dtype=values.dtype, shape=(len(values),))
    for start in range(0, len(values), block):
        out[start:start + block] = values[start:start + block]
    out.flush()
    del out


def _progress(enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=None, unit=" posts", file=sys.stderr, disable=not enabled, desc="read+clean",
                mininterval=1.0, smoothing=0.1)


def _build(checked, folder: pathlib.Path, settings: dict, progress: bool):
    writer = _Writer(folder, settings.get("lang"))
    all_stats, bar, started = [], _progress(progress), time.perf_counter()
    try:
        for path, fmt in checked:
            stats = user_files.ReadStats(str(path), fmt)
            batch = []
            for post in user_files.posts(path, fmt, stats, settings.get("text_column")):
                batch.append(post)
                if len(batch) == CHUNK:
                    writer.chunk(batch)
                    bar.update(len(batch))
                    bar.set_postfix(kept=writer.n_rows, words_s=f"{writer.n_words / (time.perf_counter() - started):,.0f}")
                    batch = []
            writer.chunk(batch)
            bar.update(len(batch))
            all_stats.append(stats.__dict__)
    finally:
        bar.close()
        writer.close()
    steps, kept = writer.finish()
    meta = {"words": list(writer.words), "hashtags": list(writer.tags), "steps": steps, "files": all_stats,
            "settings": settings, "seconds": round(time.perf_counter() - started, 3)}
    (folder / "meta.json").write_text(json.dumps(meta))
    return meta


def _remove_stale(parent: pathlib.Path):
    """Build folders of processes that no longer run (a kill -9 cannot clean up after itself)."""
    for tmp in parent.glob(".tmp-*"):
        try:
            os.kill(int(tmp.name.split("-")[2]), 0)
        except (ValueError, IndexError, ProcessLookupError):
            shutil.rmtree(tmp, ignore_errors=True)
        except PermissionError:
            pass


def encode(paths, text_column: str | None = None, lang: str | None = None, cache: bool = True,
           progress: bool = True) -> Encoded:
    """Read, clean and encode ``paths`` once (cached under ``<cache>/own/<key>``); see the module.

    Raises :class:`DataError` (one line) for a missing or unreadable file, an unknown format, a
    CSV without the text column, or files that keep no post with a hashtag.
    """
    checked = user_files.check(paths, text_column)
    settings = {"text_column": text_column, "lang": lang}
    parent = config.cache_dir() / "own"
    final = parent / cache_key([p for p, _ in checked], settings)
    if not (cache and (final / "meta.json").is_file()):
        parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(parent)
        tmp = parent / f".tmp-{os.getpid()}-{final.name}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            _build(checked, tmp, settings, progress)
            if final.exists() and not cache:
                shutil.rmtree(final)
            try:
                os.rename(tmp, final)
            except OSError:   # another run finished the same corpus first: theirs is the same
                if not (final / "meta.json").is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    meta = json.loads((final / "meta.json").read_text())
    encoded = Encoded(final, meta["words"], meta["hashtags"], meta["steps"], meta["files"], meta["settings"])
    if not len(encoded):
        read = sum(f["posts"] for f in meta["files"])
        raise DataError(f"no usable post with a hashtag in {len(checked)} file(s) ({read} posts read); "
                        f"posts need a #hashtag and >= {preprocess.MIN_WORDS} words once cleaned"
                        + (f" and language {lang!r}" if lang else ""))
    return encoded


def funnel_summary(encoded: Encoded) -> str:
    """The closing summary: posts after each step, and what was skipped per file."""
    width = max(len(s) for s, _ in encoded.steps)
    lines = ["Funnel (posts after each step):"]
    lines += [f"  {step:<{width}}  {n:>12,}" for step, n in encoded.steps]
    for f in encoded.files:
        skipped = [f"{f[k]:,} {k}" for k in ("malformed", "undecodable", "notices") if f[k]]
        lines.append(f"  {f['path']} ({f['format']}): {f['posts']:,} posts read"
                     + (f"; skipped {', '.join(skipped)}" + (f" (first at line(s) {f['examples']})"
                                                              if f["examples"] else "") if skipped else "")
                     + ("; the gzip stream is damaged, the posts before the damage are kept" if f["truncated"] else ""))
    counts = encoded.tag_counts()
    lines.append(f"  {len(counts):,} distinct hashtags, {int((counts >= 10).sum()):,} with >= 10 posts; "
                 f"{len(encoded.words):,} distinct words")
    return "\n".join(lines)
