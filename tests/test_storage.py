"""storage is plain file I/O: it imports no model module, replaces only a tagzsl model folder
(recognised by its config.json marker) and writes through a temporary folder."""
import json
import subprocess
import sys

import pytest

from tagzsl import storage


def test_storage_imports_no_model_module():
    code = ("import sys, tagzsl.storage; bad = [m for m in ('tagzsl.models', 'tagzsl.tagspace', 'tagzsl.zsl', "
            "'tagzsl.supervised', 'keras', 'tensorflow') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def model_folder(path):
    path.mkdir()
    (path / storage.CONFIG).write_text(json.dumps({"format": storage.FORMAT}))
    return path


def test_only_a_model_folder_is_replaced(tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "thesis.txt").write_text("t")
    for overwrite in (False, True):
        with pytest.raises(OSError, match="not a tagzsl model folder"):
            storage.check_writable(keep, overwrite=overwrite)
        with pytest.raises(OSError, match="not a tagzsl model folder"):
            storage.write_folder(keep, lambda tmp: (tmp / "x").write_text("new"), overwrite=overwrite)
    assert (keep / "thesis.txt").read_text() == "t" and not (keep / "x").exists()
    old = model_folder(tmp_path / "old")
    with pytest.raises(OSError, match="--force"):
        storage.write_folder(old, lambda tmp: (tmp / "x").write_text("new"))
    storage.write_folder(old, lambda tmp: (tmp / "x").write_text("new"), overwrite=True)
    assert [p.name for p in old.iterdir()] == ["x"] and sorted(p.name for p in tmp_path.iterdir()) == ["keep", "old"]


def test_a_failed_write_leaves_the_old_folder(tmp_path):
    old = model_folder(tmp_path / "old")

    def fail(tmp):
        (tmp / "half").write_text("h")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        storage.write_folder(old, fail, overwrite=True)
    assert [p.name for p in old.iterdir()] == [storage.CONFIG] and [p.name for p in tmp_path.iterdir()] == ["old"]
