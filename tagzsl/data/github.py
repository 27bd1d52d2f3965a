"""Reading the benchmark's sources: GitHub files (local copy or verified download) and TweetEval.

A file is addressed by ``<owner>/<repo>/<path>``: the same under a local root
(``<root>/github/...``), in the cache (``<cache>/github/...``) and on the web
(``<base_url><owner>/<repo>/<commit>/<path>``). Bad input never stops a load silently or
deeply: a file missing from a local copy is skipped and counted, a malformed row is skipped
and counted, a download that does not match its recorded SHA-256 raises
:class:`ChecksumError` naming the file and leaves nothing in the cache, and a failed
download says what to set.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import os
import pathlib
import re
import tempfile
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from tagzsl import config
from tagzsl.data.sources import GITHUB_SOURCES, SOURCES, Source, Table, recorded_checksums, resolve, table_files
from tagzsl.data import tweeteval
from tagzsl.data.tweeteval import ChecksumError, CorpusUnavailableError, TweetEval, verify_local

log = logging.getLogger(__name__)
BASE_URL = "https://raw.githubusercontent.com/"
REPORT_COLUMNS = ["files", "posts read", "files skipped", "malformed rows", "undecodable characters",
                  "duplicate rows (same id and text)", "rows sharing an id"]
_ESCAPE = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")
csv.field_size_limit(1 << 24)


def unescape_u(text: str) -> str:
    """Decode JSON-style ``\\uXXXX`` escapes (surrogate pairs included), leaving other text alone."""
    def decode(match):
        units = bytes.fromhex("".join(match.group(0).split("\\u")))  # UTF-16 code units, big-endian
        return units.decode("utf-16-be", errors="replace")

    return _ESCAPE.sub(decode, text)


def sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


@dataclass
class GitHubFiles:
    """Local paths of recorded GitHub files: from a local root, or downloaded into the cache.

    Args:
        root: a local root holding ``github/<owner>/<repo>/...``; defaults to ``TAGZSL_DATA``.
            With a root nothing is downloaded; a missing file is reported and skipped.
        cache_dir: where downloads go (default ``TAGZSL_CACHE`` or ``~/.cache/tagzsl``).
        base_url: the raw-file root (tests point it at 127.0.0.1).
    """

    root: pathlib.Path | str | None = None
    cache_dir: pathlib.Path | str | None = None
    base_url: str = BASE_URL
    skipped: list[str] = field(default_factory=list, init=False)

    def __post_init__(self):
        self.root = pathlib.Path(self.root) if self.root is not None else config.data_root()
        self.cache_dir = pathlib.Path(self.cache_dir) if self.cache_dir is not None else config.cache_dir()

    def path(self, source: Source, rel: str) -> pathlib.Path | None:
        """A readable path for ``rel`` of ``source``; ``None`` (recorded) when a local copy lacks it."""
        key = f"{source.folder}/{rel}"
        if self.root is not None:
            repo_dir = self.root / "github" / source.folder
            if not repo_dir.is_dir():
                raise CorpusUnavailableError(
                    f"{self.root} holds no copy of {source.folder} (expected {repo_dir}). Point TAGZSL_DATA "
                    "at a root laid out as <root>/github/<owner>/<repo>/<path> (e.g. ../shared/data), unset "
                    "it to download, or choose fewer sources (sources=...)."
                )
            local = repo_dir / rel
            if not local.is_file():
                self.skipped.append(key)
                log.info("%s: %s is missing from the local copy %s; skipped", source.name, rel, self.root)
                return None
            return verify_local(local, recorded_checksums().get(key), self.cache_dir)
        cached = self.cache_dir / "github" / key
        digest = recorded_checksums().get(key)
        if cached.is_file() and (digest is None or sha256(cached) == digest):
            return cached
        return self.download(source, rel, cached, digest)

    def download(self, source: Source, rel: str, dest: pathlib.Path, digest: str | None) -> pathlib.Path:
        """Fetch one file through a temporary file, verify it, then move it into place."""
        url = f"{self.base_url.rstrip('/')}/{source.folder}/{source.commit}/{rel}"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.cache_dir, prefix=".download-") as tmp:
            part = pathlib.Path(tmp) / "file"
            try:
                with urllib.request.urlopen(url, timeout=60) as response, open(part, "wb") as out:
                    while chunk := response.read(1 << 20):
                        out.write(chunk)
            except (urllib.error.URLError, OSError) as err:
                raise CorpusUnavailableError(
                    f"Could not download {url} ({err}). Offline? Set TAGZSL_DATA to a root holding "
                    "github/<owner>/<repo>/... and tweeteval/... (for example ../shared/data)."
                ) from None
            got = sha256(part)
            if digest is not None and got != digest:
                raise ChecksumError(
                    f"{source.folder}/{rel}: downloaded SHA-256 {got} does not match the recorded {digest}; "
                    "nothing was cached. Retry, or use a local copy via TAGZSL_DATA."
                )
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(part, dest)
        return dest


def read_table(path: pathlib.Path, table: Table, counts: Counter) -> pd.DataFrame:
    """Posts (``post_id, text``) of one file; malformed rows are counted in ``counts`` and skipped."""
    data = path.read_bytes()
    text = data.decode(table.encoding, errors="replace")
    counts["undecodable characters"] += text.count("\ufffd")
    text = text.replace("\x00", "")
    tsv = table.sep == "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=table.sep,
                        quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL)
    rows, header, width = [], None, None
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            counts["malformed rows"] += 1
            continue
        if not row or not "".join(row).strip():
            continue
        if table.header and header is None:
            header = [h.strip() for h in row]
            try:
                id_at, text_at = header.index(table.id), header.index(table.text)
            except ValueError:
                raise CorpusUnavailableError(
                    f"{path}: expected columns {table.id!r} and {table.text!r}, found {header}") from None
            width = len(header)
            continue
        if not table.header:
            id_at, text_at, width = table.id, table.text, None
        if (width is not None and len(row) != width) or len(row) <= max(id_at, text_at):
            counts["malformed rows"] += 1
            continue
        post_id, body = row[id_at].strip().strip("'\""), row[text_at]
        if tsv and len(body) > 1 and body[0] == body[-1] == '"':
            body = body[1:-1].replace('""', '"')
        if table.id_regex:
            found = re.search(table.id_regex, post_id)
            post_id = found.group(1) if found else ""
        if table.unescape:
            body = unescape_u(body)
        if not post_id or not body.strip():
            counts["malformed rows"] += 1
            continue
        rows.append((post_id, body.strip()))
    return pd.DataFrame(rows, columns=["post_id", "text"])


def load_github_source(source: Source, files: GitHubFiles) -> tuple[pd.DataFrame, dict]:
    """Every post of one GitHub source (``id, text, source, unit``) and its reading report."""
    counts, frames, n_files = Counter(), [], 0
    for table in source.tables:
        for rel in table_files(source, table):
            n_files += 1
            path = files.path(source, rel)
            if path is None:
                counts["files skipped"] += 1
                continue
            frame = read_table(path, table, counts)
            frames.append(frame.assign(unit=rel))
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["post_id", "text", "unit"])
    before = len(df)
    df = df.drop_duplicates(subset=["post_id", "text"], keep="first")  # the same tweet in several files
    counts["duplicate rows (same id and text)"] += before - len(df)
    df = df.drop_duplicates(subset="post_id", keep="first")
    counts["rows sharing an id"] += before - counts["duplicate rows (same id and text)"] - len(df)
    if counts["malformed rows"]:
        log.warning("%s: %d malformed row(s) skipped", source.name, counts["malformed rows"])
    df = pd.DataFrame({"id": source.name + ":" + df["post_id"].astype(str), "text": df["text"].values,
                       "source": source.name, "unit": df["unit"].values})
    return df, {"files": n_files, **counts}


@dataclass
class Loaded:
    """The union of the chosen sources (``frame``) and a per-source reading ``report``."""

    frame: pd.DataFrame
    report: pd.DataFrame
    skipped_files: list[str]


def load_sources(sources=None, root=None, cache_dir=None, base_url: str = BASE_URL,
                 tweeteval_base_url: str | None = None) -> Loaded:
    """Read the chosen sources (default all seven) into one frame: ``id, text, source, unit, lang``.

    ``unit`` is the collection unit (a file; a TweetEval task), where collection artefacts
    are looked for. ``lang`` is ``"en"`` for sources whose collectors selected English posts
    (TweetEval, SemEval-2017, #HashtagWars) and ``None`` elsewhere (identified when cleaning).
    """
    names = resolve(sources)
    frames, report, skipped = [], {}, []
    for name in names:
        if name == "tweeteval":
            kwargs = {"base_url": tweeteval_base_url} if tweeteval_base_url else {}
            loader = TweetEval(root=root, cache_dir=cache_dir, report_skipped=False, **kwargs)
            te = loader.load()
            frames.append(pd.DataFrame({"id": "tweeteval:" + te["id"], "text": te["text"],
                                        "source": "tweeteval", "unit": te["task"]}))
            report[name] = {"files": 2 * len(loader.tasks) * len(loader.splits),
                            "files skipped": len(loader.skipped)}
            skipped += [f"cardiffnlp/tweeteval/{rel}" for rel in loader.skipped]
            continue
        files = GitHubFiles(root=root, cache_dir=cache_dir, base_url=base_url)
        frame, report[name] = load_github_source(GITHUB_SOURCES[name], files)
        frames.append(frame)
        skipped += files.skipped
    if skipped:
        log.warning("%d source file(s) skipped: %s", len(skipped), ", ".join(skipped))
    frame = pd.concat(frames, ignore_index=True)
    frame["lang"] = frame["source"].map(lambda name: SOURCES[name].language)
    table = pd.DataFrame(report).T.reindex(columns=REPORT_COLUMNS).fillna(0).astype(int).rename_axis("source")
    table["posts read"] = frame.groupby("source").size().reindex(table.index).fillna(0).astype(int)
    return Loaded(frame=frame, report=table, skipped_files=skipped)


def corpus_files() -> dict[str, str]:
    """``{path under a local root: recorded SHA-256}`` for every file the seven sources' loaders read
    that has a recorded sum (``tweeteval/datasets/...``, ``github/<owner>/<repo>/...``): what a
    download of all seven leaves in the cache, laid out as a local root."""
    te_sums = tweeteval.recorded_checksums()
    te = (tweeteval.relative_path(task, split, kind) for task in tweeteval.TASKS
          for split in tweeteval.SPLITS for kind in ("text", "labels"))
    files = {f"tweeteval/{rel}": te_sums[rel] for rel in te if rel in te_sums}
    gh_sums = recorded_checksums()
    files.update({f"github/{src.folder}/{rel}": gh_sums[f"{src.folder}/{rel}"]
                  for src in GITHUB_SOURCES.values() for rel in src.files()})
    return files


def link_verified(cache_dir, view, files: dict[str, str] | None = None) -> list[str]:
    """Make ``view`` a local root (usable as ``TAGZSL_DATA``) of the verified files that downloads
    left in ``cache_dir``: one symbolic link per file of ``files`` (default :func:`corpus_files`).

    Every file is checked against its SHA-256 first (the verdict is cached, as for any local
    copy). Returns the paths that are missing or do not match; then nothing is linked. Links
    of ``view`` that no longer name a file of ``files`` are removed (``view`` is tagzsl's own).
    """
    cache_dir, view = pathlib.Path(cache_dir), pathlib.Path(view)
    files = corpus_files() if files is None else files
    bad = []
    for rel, digest in files.items():
        try:
            verify_local(cache_dir / rel, digest, cache_dir)
        except (OSError, ChecksumError):
            bad.append(rel)
    if bad:
        return bad
    for rel in files:
        link, target = view / rel, (cache_dir / rel).resolve()
        if link.is_symlink() and pathlib.Path(os.readlink(link)) == target:
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        tmp = link.with_name(f".{link.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        os.symlink(target, tmp)
        os.replace(tmp, link)  # atomic: a concurrent reader sees the old link or the new one
    for link in [p for p in view.rglob("*") if p.is_symlink()]:
        if link.relative_to(view).as_posix() not in files:
            link.unlink()
    return []


__all__ = ["BASE_URL", "GitHubFiles", "Loaded", "SOURCES", "corpus_files", "link_verified", "load_github_source",
           "load_sources", "read_table", "unescape_u"]
