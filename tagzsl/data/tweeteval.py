"""The TweetEval benchmark's tweets (github.com/cardiffnlp/tweeteval), read locally or downloaded.

Every file is addressed by its path under ``datasets/``, the same on the web, in a local
copy (``<root>/tweeteval/datasets/...``) and in the cache (``<cache>/tweeteval/datasets/...``).
Downloads, and a local copy's files (:func:`verify_local`), are verified against the SHA-256
sums recorded in ``tweeteval_sha256.txt``;
a download that fails or does not match leaves nothing in the cache.
"""
from __future__ import annotations

import logging
import os
import pathlib
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd

from tagzsl import config

log = logging.getLogger(__name__)

BASE_URL = "https://raw.githubusercontent.com/cardiffnlp/tweeteval/main/"
TASKS = (
    "emoji", "emotion", "hate", "irony", "offensive", "sentiment",
    "stance/abortion", "stance/atheism", "stance/climate", "stance/feminist", "stance/hillary",
)
SPLITS = ("train", "val", "test")


class CorpusUnavailableError(RuntimeError):
    """The corpus can be neither read locally nor downloaded."""


class ChecksumError(RuntimeError):
    """A downloaded file does not match its recorded SHA-256 sum."""


def read_checksum_file(name: str) -> dict[str, str]:
    """``{path: sha256}`` from a ``sha256sum``-format file shipped in ``tagzsl/data`` (a leading
    ``./`` of a path is dropped)."""
    text = resources.files("tagzsl.data").joinpath(name).read_text()
    sums = {}
    for line in text.splitlines():
        if line.strip():
            digest, path = line.split(maxsplit=1)
            sums[path.strip().removeprefix("./")] = digest
    return sums


def recorded_checksums() -> dict[str, str]:
    """``{"datasets/<task>/<file>": sha256}`` for every file the project knows the sum of."""
    return read_checksum_file("tweeteval_sha256.txt")


_VERIFIED: dict = {}


def verify_local(path: pathlib.Path, digest: str | None, cache_dir=None) -> pathlib.Path:
    """``path`` (a file of a local copy) checked against its recorded SHA-256 ``digest``.

    A mismatch (a truncated or edited file) is a :class:`ChecksumError` naming the file. The
    verdict is cached by size and modification time in ``<cache>/local-checksums.json``, so
    each file is hashed once, not on every run. ``digest=None``: nothing to check.
    """
    import hashlib
    import json

    if digest is None:
        return path
    record = pathlib.Path(cache_dir or config.cache_dir()) / "local-checksums.json"
    if record not in _VERIFIED:
        try:
            _VERIFIED[record] = json.loads(record.read_text())
        except (OSError, ValueError):
            _VERIFIED[record] = {}
    known, stat = _VERIFIED[record], path.stat()
    key, stamp = str(path.resolve()), [stat.st_size, stat.st_mtime_ns, digest]
    if known.get(key) == stamp:
        return path
    if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise ChecksumError(f"{path} does not match its recorded SHA-256 (truncated or changed?): restore "
                            "it from the original copy, or unset TAGZSL_DATA to download a verified one")
    known[key] = stamp
    try:
        config.atomic_write_bytes(record, json.dumps(known).encode())
    except OSError:
        pass  # an unwritable cache only costs hashing again next time
    return path


def download_verified(url: str, dest: pathlib.Path, digest: str | None, cache_dir, fallback: str) -> pathlib.Path:
    """Download ``url`` into ``dest`` and return ``dest``; ``keras.utils.get_file`` shows the
    progress and checks the SHA-256 ``digest`` (``None``: unchecked).

    The file is fetched into a temporary directory under ``cache_dir`` and renamed into place
    only once it matches, so a failed or mismatching download leaves nothing in the cache. A
    mismatch is a :class:`ChecksumError`, a failed download a :class:`CorpusUnavailableError`:
    one line each, naming the URL and ending with ``fallback`` (what to do instead).
    """
    import keras

    dest, cache_dir = pathlib.Path(dest), pathlib.Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".download-") as tmp:
        try:
            got = keras.utils.get_file(
                fname=dest.name, origin=url, file_hash=digest, hash_algorithm="sha256",
                cache_dir=tmp, cache_subdir=".",
            )
        except ValueError as err:  # keras raises ValueError on a hash mismatch
            if "hash" in str(err).lower() or "corrupt" in str(err).lower():
                raise ChecksumError(
                    f"{url} does not match its recorded SHA-256 {digest}; nothing was cached. The upstream "
                    f"file changed or the download was corrupted: retry, or {fallback}."
                ) from None
            raise
        except Exception as err:  # keras re-raises URLError/HTTPError as a bare Exception
            raise CorpusUnavailableError(
                f"Could not download {url} ({err}). Offline? {fallback[0].upper() + fallback[1:]}."
            ) from None
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(got, dest)
    return dest


def relative_path(task: str, split: str, kind: str) -> str:
    """The path of one file under the repository root, e.g. ``datasets/irony/train_text.txt``."""
    return f"datasets/{task}/{split}_{kind}.txt"


@dataclass
class TweetEval:
    """All tweets of every TweetEval task.

    Args:
        root: a local root holding ``tweeteval/datasets/...``; defaults to ``TAGZSL_DATA``.
            With a root nothing is downloaded; a missing file is reported and skipped.
        cache_dir: where downloads go (default ``TAGZSL_CACHE`` or ``~/.cache/tagzsl``).
        base_url: the repository's raw-file root (tests point it at 127.0.0.1).
        tasks, splits: which parts to read.
        report_skipped: log one warning naming the skipped files (the seven-source loader
            turns it off and reports every source's skipped files in one line itself).
    """

    root: pathlib.Path | str | None = None
    cache_dir: pathlib.Path | str | None = None
    base_url: str = BASE_URL
    tasks: tuple[str, ...] = TASKS
    splits: tuple[str, ...] = SPLITS
    report_skipped: bool = True
    skipped: list[str] = field(default_factory=list, init=False)

    def __post_init__(self):
        self.root = pathlib.Path(self.root) if self.root is not None else config.data_root()
        if self.cache_dir is None:
            self.cache_dir = config.cache_dir()
        self.cache_dir = pathlib.Path(self.cache_dir)
        unknown = set(self.tasks) - set(TASKS)
        if unknown:
            raise ValueError(f"unknown TweetEval task(s) {sorted(unknown)}; known: {list(TASKS)}")

    # ------------------------------------------------------------------ files
    def path(self, rel: str) -> pathlib.Path | None:
        """A readable local path for ``rel``, downloading it if there is no local root.

        Returns ``None`` (and records the skip) when a local root lacks the file.
        """
        if self.root is not None:
            local = self.root / "tweeteval" / rel
            if not local.is_file():
                if not (self.root / "tweeteval" / "datasets").is_dir():
                    raise CorpusUnavailableError(
                        f"{self.root} does not hold a TweetEval copy (expected "
                        f"{self.root / 'tweeteval' / 'datasets'}). Point TAGZSL_DATA at a directory "
                        "laid out as <root>/tweeteval/datasets/<task>/..., e.g. ../shared/data, "
                        "or unset it to download into the cache."
                    )
                self.skipped.append(rel)
                log.info("TweetEval: %s is missing from the local copy %s; skipped", rel, self.root)
                return None
            return verify_local(local, recorded_checksums().get(rel), self.cache_dir)
        cached = self.cache_dir / "tweeteval" / rel
        if not cached.is_file():
            self.download(rel, cached)
        return cached

    def download(self, rel: str, dest: pathlib.Path) -> pathlib.Path:
        """Download ``rel`` into ``dest``, verifying its checksum (:func:`download_verified`)."""
        digest = recorded_checksums().get(rel)
        if digest is None:
            log.warning("TweetEval: no recorded checksum for %s; it is downloaded unverified", rel)
        return download_verified(
            self.base_url.rstrip("/") + "/" + rel, dest, digest, self.cache_dir,
            fallback="set TAGZSL_DATA to a directory holding tweeteval/datasets/<task>/ (for example "
                     "../shared/data), or pass root=<that directory>")

    # ------------------------------------------------------------------ tables
    def read_split(self, task: str, split: str) -> pd.DataFrame | None:
        """One task's split as a DataFrame, or ``None`` if its files are missing locally."""
        text_path = self.path(relative_path(task, split, "text"))
        label_path = self.path(relative_path(task, split, "labels"))
        if text_path is None or label_path is None:
            return None
        # split on "\n" only: a tweet may contain a lone "\r", which is not a line break here
        texts = text_path.read_bytes().decode("utf-8").split("\n")
        labels = label_path.read_bytes().decode("utf-8").split("\n")
        texts = texts[:-1] if texts and texts[-1] == "" else texts
        labels = labels[:-1] if labels and labels[-1].strip() == "" else labels
        try:
            labels = [int(x) for x in labels]
        except ValueError:
            bad = next(i for i, x in enumerate(labels, 1) if not x.strip().lstrip("-").isdigit())
            raise CorpusUnavailableError(f"{label_path}, line {bad}: not an integer label") from None
        if len(texts) != len(labels):
            raise CorpusUnavailableError(
                f"{text_path} has {len(texts)} tweets but {label_path} has {len(labels)} labels"
            )
        return pd.DataFrame({
            "id": [f"{task}/{split}/{i}" for i in range(len(texts))],
            "text": [t.strip() for t in texts],
            "task": task,
            "split": split,
            "label": labels,
        })

    def load(self) -> pd.DataFrame:
        """Every requested task and split, concatenated (columns ``id, text, task, split, label, lang``).

        TweetEval carries no language metadata (its tweets were selected as English), so
        ``lang`` is ``None`` and the English filter keeps every tweet.
        """
        frames = [f for task in self.tasks for split in self.splits
                  if (f := self.read_split(task, split)) is not None]
        if not frames:
            raise CorpusUnavailableError("no TweetEval file could be read; see the warnings above")
        if self.skipped and self.report_skipped:
            log.warning("TweetEval: %d file(s) skipped: %s", len(self.skipped), ", ".join(self.skipped))
        df = pd.concat(frames, ignore_index=True)
        df["lang"] = None
        return df


def load_tweeteval(root=None, **kwargs) -> pd.DataFrame:
    """Shortcut for ``TweetEval(root, **kwargs).load()``."""
    return TweetEval(root=root, **kwargs).load()


def clear_cache(cache_dir=None) -> None:
    """Remove downloaded TweetEval files from the cache."""
    base = pathlib.Path(cache_dir) if cache_dir else config.cache_dir()
    shutil.rmtree(base / "tweeteval", ignore_errors=True)
