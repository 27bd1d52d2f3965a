"""Hyper-parameters are checked before any training, and a damaged model folder gives one
ModelFolderError line naming the file (folders saved by tagzsl before the backend redesign,
tests/fixtures/old_models, are the starting point)."""
import json
import pathlib
import shutil

import numpy as np
import pytest

from tagzsl import storage
from tagzsl.recommender import Recommender

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "old_models"
TEXTS = ["goal match team win"] * 12
TAGS = ["a", "b"] * 6


def test_an_unknown_hyper_parameter_is_named_with_the_valid_ones():
    with pytest.raises(ValueError, match=r"colour.*valid ones: .*units"):
        Recommender(method="ann", colour="blue")
    with pytest.raises(ValueError, match="colour"):
        Recommender(method="ann").set_params(colour="blue")
    with pytest.raises(ValueError, match="hidden"):
        Recommender(method="wsabie", hidden=8)


@pytest.mark.parametrize("method, bad, match", [
    ("ann", {"epochs": -1}, "epochs must be a positive integer"),
    ("ann", {"epochs": 0}, "epochs must be a positive integer"),
    ("ann", {"units": 0}, "units must be a positive integer"),
    ("ann", {"batch_size": 2.5}, "batch_size must be a positive integer"),
    ("tagspace", {"learning_rate": -0.1}, "learning_rate must be a positive number"),
    ("wsabie", {"dim": 0}, "dim must be a positive integer"),
    ("conse", {"epochs": -1}, "epochs must be a positive integer"),
    ("dem", {"dem_learning_rate": 0}, "dem_learning_rate must be a positive number"),
])
def test_bad_values_are_refused_before_training(method, bad, match):
    with pytest.raises(ValueError, match=match):
        Recommender(method, **bad)
    rec = Recommender(method).set_params(**bad)  # set after construction: refused when fit starts
    with pytest.raises(ValueError, match=match):
        rec.fit(TEXTS, TAGS)
    assert not hasattr(rec, "hashtags_")


def copy(method, tmp_path) -> pathlib.Path:
    if not (FIXTURES / method).is_dir():
        pytest.skip("fixture folders missing")
    return pathlib.Path(shutil.copytree(FIXTURES / method, tmp_path / method))


def edit_json(path, change):
    value = json.loads(path.read_text())
    path.write_text(json.dumps(change(value)))


def edit_arrays(path, change):
    with np.load(path) as data:
        arrays = {k: data[k] for k in data.files}
    np.savez(path, **change(arrays))


def _no_params(cfg):
    del cfg["params"]
    return cfg


def _fewer_hashtags(cfg):
    cfg["hashtags"] = cfg["hashtags"][:-1]
    return cfg


def _more_hashtags(cfg):
    cfg["hashtags"] = cfg["hashtags"] + ["extra"]
    return cfg


DAMAGE = {
    "config without params": ("ann", "config.json", lambda p: edit_json(p, _no_params)),
    "hashtags shorter (supervised)": ("ann", "config.json", lambda p: edit_json(p, _fewer_hashtags)),
    "hashtags longer (zero-shot)": ("eszsl", "config.json", lambda p: edit_json(p, _more_hashtags)),
    "hashtags shorter (tagspace)": ("tagspace", "config.json", lambda p: edit_json(p, _fewer_hashtags)),
    "arrays without W": ("eszsl", "arrays.npz", lambda p: edit_arrays(p, lambda a: {"seen": a["seen"]})),
    "W wrong shape": ("eszsl", "arrays.npz", lambda p: edit_arrays(p, lambda a: {**a, "W": a["W"][:, :3]})),
    "tagspace weights wrong shape": ("tagspace", "arrays.npz",
                                     lambda p: edit_arrays(p, lambda a: {**a, "w000": a["w000"][:, :2]})),
    "vocabulary a dict": ("ann", "vocabulary.json", lambda p: p.write_text('{"a": 1}')),
    "vocabulary a dict (zero-shot)": ("eszsl", "vocabulary.json", lambda p: p.write_text('{"a": 1}')),
    "vocabulary too long (tagspace)": ("tagspace", "vocabulary.json",
                                       lambda p: edit_json(p, lambda v: v + ["zzz1", "zzz2"])),
    "truncated config": ("ann", "config.json", lambda p: p.write_text(p.read_text()[:40])),
    "garbage model": ("dem", "model.keras", lambda p: p.write_bytes(b"garbage")),
    "truncated arrays": ("eszsl", "arrays.npz", lambda p: p.write_bytes(p.read_bytes()[:100])),
}


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_a_damaged_model_folder_gives_one_line_naming_the_file(case, tmp_path):
    method, name, damage = DAMAGE[case]
    folder = copy(method, tmp_path)
    damage(folder / name)
    with pytest.raises(storage.ModelFolderError) as err:
        Recommender.load(folder).recommend(["goal match team"], k=2)
    message = str(err.value)
    assert name in message and "retrain" in message and "\n" not in message


def test_a_candidate_that_is_not_one_word_is_refused(tmp_path):
    if not (FIXTURES / "eszsl").is_dir():
        pytest.skip("fixture folders missing")
    rec = Recommender.load(FIXTURES / "eszsl")
    with pytest.raises(ValueError, match=r"'super bowl' is not a hashtag .*'superbowl'"):
        rec.recommend(["goal match team"], candidates=["super bowl", "nba"])


def test_save_refuses_a_folder_that_is_not_a_model_folder(tmp_path):
    if not (FIXTURES / "ann").is_dir():
        pytest.skip("fixture folders missing")
    rec = Recommender.load(FIXTURES / "ann")
    keep = tmp_path / "keep"
    (keep / "sub").mkdir(parents=True)
    (keep / "thesis.txt").write_text("t")
    with pytest.raises(OSError, match="not a tagzsl model folder"):
        rec.save(keep)
    assert sorted(p.name for p in keep.iterdir()) == ["sub", "thesis.txt"]
    rec.save(tmp_path / "m")
    with pytest.raises(OSError, match="--force"):
        rec.save(tmp_path / "m", overwrite=False)
    assert Recommender.load(rec.save(tmp_path / "m")).hashtags_ == rec.hashtags_
