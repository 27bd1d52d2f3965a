"""tagzsl.folders: refusals before work, one writer per folder, nothing half-written after an
error or a signal."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tagzsl import folders

MARK = folders.has_marker("config.json", "format", "tagzsl-recommender")


def _model(path):
    path.mkdir(parents=True)
    (path / "config.json").write_text('{"format": "tagzsl-recommender"}')
    (path / "weights").write_text("old")
    return path


def test_check_target_refuses_what_it_would_lose(tmp_path):
    keep = tmp_path / "keep"
    (keep / "sub").mkdir(parents=True)
    (keep / "thesis.txt").write_text("t")
    with pytest.raises(folders.FolderError, match="is not a tagzsl model folder; not replacing it"):
        folders.check_target(keep, overwrite=True, is_ours=MARK)
    model = _model(tmp_path / "model")
    with pytest.raises(folders.FolderError, match="already exists; pass --force"):
        folders.check_target(model, is_ours=MARK)
    assert folders.check_target(model, overwrite=True, is_ours=MARK) == model
    link = tmp_path / "link"
    link.symlink_to(model)
    with pytest.raises(folders.FolderError, match="is a symbolic link"):
        folders.check_target(link, overwrite=True, is_ours=MARK)
    (tmp_path / "file").write_text("x")
    with pytest.raises(folders.FolderError, match="is a file"):
        folders.check_target(tmp_path / "file", overwrite=True)
    with pytest.raises(folders.FolderError, match="cannot write the tagzsl model folder"):
        folders.check_target(tmp_path / "file" / "model")
    (tmp_path / "empty").mkdir()
    assert folders.check_target(tmp_path / "empty") == tmp_path / "empty"  # nothing to lose
    assert (keep / "thesis.txt").read_text() == "t" and (keep / "sub").is_dir()


def test_replace_atomically_swaps_whole_or_leaves_the_old_folder(tmp_path):
    model = _model(tmp_path / "model")

    def fails(tmp):
        (tmp / "config.json").write_text('{"format": "tagzsl-recommender"}')
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        folders.replace_atomically(model, fails, overwrite=True, is_ours=MARK)
    assert (model / "weights").read_text() == "old"
    folders.replace_atomically(model, lambda tmp: (tmp / "weights").write_text("new"), overwrite=True, is_ours=MARK)
    assert (model / "weights").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary sibling, no lock file


def test_lock_is_reentrant_in_one_process_and_exclusive_across_processes(tmp_path):
    target = tmp_path / "model"
    script = textwrap.dedent(f"""
        import sys, time
        from tagzsl import folders
        with folders.locked({str(target)!r}):
            print("locked", flush=True)
            time.sleep(60)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(folders.FolderBusy, match=rf"another tagzsl process \(pid {child.pid}\) is writing"):
            with folders.locked(target):
                pass
    finally:
        child.kill()   # SIGKILL: no clean-up runs, the lock file stays behind
        child.wait()
    assert (tmp_path / ".model.lock").exists()
    with folders.locked(target):  # a dead holder's lock is free at once
        with folders.locked(target):
            pass
    assert not (tmp_path / ".model.lock").exists()


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_writing_leaves_no_temporary_folder(tmp_path, signum, code):
    script = textwrap.dedent(f"""
        import signal, sys, time
        from tagzsl import folders
        def write(tmp):
            (tmp / "half").write_text("x")
            print("writing", flush=True)
            time.sleep(60)
        try:
            with folders.interrupts():
                folders.replace_atomically({str(tmp_path / "model")!r}, write)
        except KeyboardInterrupt as err:
            sys.exit(folders.exit_code(err))
    """)
    # the child's dispositions are set here, not inherited (a background job ignores SIGINT)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while child.stdout.readline().strip() != "writing":
        assert time.time() < deadline and child.poll() is None
    os.kill(child.pid, signum)
    assert child.wait(timeout=60) == code
    assert list(tmp_path.iterdir()) == []
