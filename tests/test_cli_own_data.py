"""`tagzsl train --data FILE...`: a person's own posts to a saved recommender, and bad input refused
with one line before any training."""
from __future__ import annotations

import csv

import pytest

from tagzsl import cli
from test_own_data import TOPICS, posts, write_json


@pytest.fixture
def cache(isolated_cache):
    return isolated_cache


def write_csv(path, items, column="body"):
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", column])
        w.writerows((i, text) for i, (text, _) in enumerate(items))
    return path


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def train_ann_on_csv(tmp_path, capsys, n, seed):
    """`tagzsl train --data posts.csv --method ann --quick` on ``n`` planted posts; (stdout, stderr, out)."""
    data = write_csv(tmp_path / "posts.csv", posts(n, seed=seed))
    out = tmp_path / "mine"
    code, stdout, err = run(capsys, "train", "--data", str(data), "--text-column", "body", "--method", "ann",
                            "--labels", "3", "--quick", "--out", str(out))
    assert code == 0, err
    return stdout, err, out


def test_train_on_own_csv_then_recommend(tmp_path, cache, capsys):
    stdout, err, out = train_ann_on_csv(tmp_path, capsys, 90, seed=3)
    assert "Labels:" in err and "at least 5 words" in err           # the funnel summary, then the labels
    assert "word vectors: epoch 5/5" in err and "words/s" in err    # skip-gram's progress, a line an epoch
    assert "training ann on 90 tweets" in stdout and "(3 hashtags)" in stdout
    code, stdout, err = run(capsys, "recommend", "--model", str(out), "-k", "1", "--json",
                            "penalty referee striker goal keeper stadium league match")
    assert code == 0, err
    assert '"hashtag": "football"' in stdout


def test_train_tagspace_on_own_json_lines(tmp_path, cache, capsys):
    data = write_json(tmp_path / "export.jsonl.gz", posts(60, seed=4))
    out = tmp_path / "ts"
    code, stdout, err = run(capsys, "train", "--data", str(data), "--method", "wsabie", "--min-count", "5",
                            "--quick", "--epochs", "2", "--out", str(out))
    assert code == 0, err
    assert f"({len(TOPICS)} hashtags)" in stdout


@pytest.mark.parametrize("case, message", [
    ("missing", "no file at"),
    ("column", "body"),
    ("few", "at least 2"),
])
def test_bad_own_data_is_one_line_before_training(tmp_path, cache, capsys, case, message):
    if case == "missing":
        argv = ["--data", str(tmp_path / "nope.csv")]
    elif case == "column":
        argv = ["--data", str(write_csv(tmp_path / "p.csv", posts(30), column="text")), "--text-column", "body"]
    else:
        argv = ["--data", str(write_json(tmp_path / "p.jsonl", posts(30, tags=("cooking",)), gz=False))]
    code, stdout, err = run(capsys, "train", *argv, "--method", "ann", "--quick", "--out", str(tmp_path / "m"))
    lines = [ln for ln in err.splitlines() if ln.startswith("tagzsl train:")]
    assert code == 1 and len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err and "training ann" not in stdout
    assert not (tmp_path / "m").exists()


def test_demo_serves_a_model_trained_on_own_posts(tmp_path, cache, capsys):
    from tagzsl import demo
    from tagzsl.demo_models import from_folder

    _, _, out = train_ann_on_csv(tmp_path, capsys, 90, seed=5)
    models = from_folder(out)
    (label,) = models.recommenders
    got = demo.answer(models, "recipe oven garlic butter bake dinner flour sauce", label)
    assert got["ranking"][0][0] == "cooking" and "quick mode" in got["message"]   # trained with --quick: said
    demo.build_app(models)                                 # a page without example tweets builds
    code, _, err = run(capsys, "demo", "--model", str(tmp_path / "not-a-model"))
    lines = [ln for ln in err.splitlines() if ln.startswith("tagzsl demo:")]
    assert code == 1 and len(lines) == 1 and "Traceback" not in err


def test_train_cleans_each_post_once(tmp_path, cache, capsys, monkeypatch):
    """`tagzsl train` hands the recommender cleaned text: fit never runs the cleaning again."""
    from tagzsl import preprocess

    def cleaning_again(texts):
        raise AssertionError("Recommender.fit cleaned already-cleaned posts a second time")

    monkeypatch.setattr(preprocess, "clean_texts", cleaning_again)
    train_ann_on_csv(tmp_path, capsys, 60, seed=6)
