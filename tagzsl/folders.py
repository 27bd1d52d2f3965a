"""Folders written whole or not at all, one writer at a time, and signals that clean up.

* :func:`check_target` refuses, before any work, to write where it would lose something:
  a symlink, a file, a folder that is not ours (``is_ours``), an existing folder without
  ``overwrite``, a parent that cannot be written.
* :func:`locked` takes ``fcntl.flock`` on ``.<name>.lock`` beside the folder, so two
  processes cannot write the same folder; the lock dies with its process (no stale locks).
* :func:`replace_atomically` writes into a temporary sibling and swaps it in with renames;
  an error, Ctrl-C or SIGTERM before the swap removes the sibling and leaves the old folder.
* :func:`interrupts` turns SIGINT and SIGTERM into :class:`Interrupted`, so ``finally``
  blocks run for both (``kill``, ``timeout`` and job schedulers send SIGTERM).
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import pathlib
import shutil
import signal
import threading


class FolderError(OSError):
    """A folder cannot be written as asked; ``str()`` is one line saying what to do."""

    def __str__(self):
        return self.args[0] if self.args else "folder error"


class FolderBusy(FolderError):
    """Another process is writing the same folder."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``exit_code`` is the shell's ``128 + signum``."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)
        self.exit_code = 128 + self.signum


def exit_code(err: KeyboardInterrupt) -> int:
    """130 for Ctrl-C, 143 for SIGTERM."""
    return getattr(err, "exit_code", 128 + signal.SIGINT)


# --------------------------------------------------------------------------- signals
_deferred = threading.local()
#: the last signal :func:`interrupts` turned into :class:`Interrupted` (0: none since it was entered);
#: lets code that must catch every exception (a library that wraps the interrupt) tell it apart
received = 0


def _raise(signum, frame):
    global received
    received = signum
    if getattr(_deferred, "pending", None) is not None:   # inside a swap: finish it first
        _deferred.pending = signum
        return
    raise Interrupted(signum)


@contextlib.contextmanager
def interrupts():
    """SIGINT and SIGTERM raise :class:`Interrupted` inside the block (main thread only; elsewhere a no-op)."""
    global received
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = 0
    old = {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def _deferring_signals():
    """Signals handled by :func:`interrupts` wait until the block is done, then raise."""
    _deferred.pending = 0
    try:
        yield
    finally:
        pending, _deferred.pending = _deferred.pending, None
    if pending:
        raise Interrupted(pending)


# --------------------------------------------------------------------------- checks
def has_marker(filename: str, key: str, value):
    """``is_ours`` for :func:`check_target`: the folder holds JSON ``filename`` with ``key == value``."""
    def is_ours(folder: pathlib.Path) -> bool:
        try:
            data = json.loads((pathlib.Path(folder) / filename).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and data.get(key) == value

    return is_ours


def check_target(target, overwrite: bool = False, is_ours=None, what: str = "tagzsl model") -> pathlib.Path:
    """Refuse (:class:`FolderError`) to write ``target`` where something would be lost or the
    write would fail; call it before any long work. An empty folder is accepted as it is."""
    target = pathlib.Path(target).expanduser()
    if target.is_symlink():
        raise FolderError(f"{target} is a symbolic link; give the real folder (tagzsl does not replace links)")
    if target.exists():
        if not target.is_dir():
            raise FolderError(f"{target} is a file, not a {what} folder; not replacing it")
        if any(target.iterdir()):
            if is_ours is not None and not is_ours(target):
                raise FolderError(f"{target} exists and is not a {what} folder; not replacing it "
                                  "(choose another folder)")
            if not overwrite:
                raise FolderError(f"{target} already exists; pass --force to replace it")
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = parent / f".{target.name}.probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
    except OSError as err:
        raise FolderError(f"cannot write the {what} folder {target}: {err.strerror or err}") from None
    return target


# --------------------------------------------------------------------------- lock
_held: dict[pathlib.Path, list] = {}
_held_guard = threading.Lock()


def _lock_path(target: pathlib.Path) -> pathlib.Path:
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def locked(target, what: str = "tagzsl model"):
    """Hold ``target``'s lock for the block (re-entrant in one process); :class:`FolderBusy` when
    another process holds it."""
    target = pathlib.Path(target).expanduser().absolute()
    with _held_guard:
        if target in _held:
            _held[target][1] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield target
        finally:
            with _held_guard:
                _held[target][1] -= 1
        return
    path = _lock_path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise FolderError(f"cannot write the {what} folder {target}: {err.strerror or err}") from None
    fd = _acquire(path, target, what)
    with _held_guard:
        _held[target] = [fd, 1]
    try:
        yield target
    finally:
        with _held_guard:
            del _held[target]
        with contextlib.suppress(OSError):
            path.unlink()           # still ours: we hold the flock on this very file
        os.close(fd)


def _acquire(path: pathlib.Path, target: pathlib.Path, what: str) -> int:
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as err:
            raise FolderError(f"cannot write the {what} folder {target}: {err.strerror or err}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            if err.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise FolderBusy(f"another tagzsl process (pid {holder}) is writing {target}; "
                                 "wait for it to finish or choose another folder") from None
            raise FolderError(f"cannot lock {path}: {err.strerror or err}") from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:             # else the holder removed the file as we opened it: try again
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            return fd
        os.close(fd)


# --------------------------------------------------------------------------- replace
def replace_atomically(target, write, overwrite: bool = False, is_ours=None,
                       what: str = "tagzsl model") -> pathlib.Path:
    """Call ``write(tmp)`` on a fresh temporary sibling of ``target``, then swap it in.

    Holds :func:`locked` and checks :func:`check_target` first. Before the swap, any exception
    (Ctrl-C and SIGTERM too, inside :func:`interrupts`) removes the temporary folder and leaves
    ``target`` as it was; during the swap signals wait until it is done.
    """
    target = pathlib.Path(target).expanduser()
    with locked(target, what):
        check_target(target, overwrite=overwrite, is_ours=is_ours, what=what)
        tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            tmp.mkdir()
            write(tmp)
            with _deferring_signals():
                if target.exists():
                    target.rename(old)
                try:
                    tmp.rename(target)
                except BaseException:
                    if old.exists() and not target.exists():
                        old.rename(target)
                    raise
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return target
