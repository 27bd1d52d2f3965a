"""`tagzsl train` / `tagzsl recommend` / `tagzsl reproduce`: output, and one line + exit code for
every mistake a person can make (run in-process with cli.main; Ctrl-C in a subprocess)."""
import json
import os
import pathlib
import signal
import subprocess
import sys
import textwrap
import time
import types

import pandas as pd
import pytest
from conftest import synthetic_with_vectors

from tagzsl import cli

pytest.importorskip("nltk")
REPO = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus():
    return synthetic_with_vectors(n_tweets=300, n_topics=4, seed=2, epochs=3)


@pytest.fixture
def fake_data(monkeypatch, corpus):
    """The default corpus replaced by the synthetic one (same shapes as experiments.supervised.top50)."""
    from tagzsl.experiments import supervised as exp

    df, kv = corpus
    prep = types.SimpleNamespace(vectors=kv, clean=pd.DataFrame({"raw": df["text"], "hashtags": df["hashtags"]}))
    monkeypatch.setattr(exp, "top50", lambda settings, root=None, seed=0: (prep, df["text"].tolist(),
                                                                           [h[0] for h in df["hashtags"]]))
    return df


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def model_dir(fake_data, tmp_path, capsys):
    out = tmp_path / "ann"
    code, stdout, err = run(["train", "--method", "ann", "--out", str(out), "--quick", "--epochs", "1"], capsys)
    assert code == 0, err
    assert "saved to" in stdout and (out / "model.keras").is_file() and (out / "vectors.npz").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left
    return out


def test_recommend_numbers_items_from_one_and_reads_args_file_stdin_json(model_dir, fake_data, tmp_path,
                                                                          capsys, monkeypatch):
    tweets = fake_data["text"].tolist()[:2]
    code, out, err = run(["recommend", tweets[0], "--model", str(model_dir), "-k", "3"], capsys)
    assert code == 0 and out.splitlines()[0].startswith(" 1. #") and len(out.splitlines()) == 3
    assert "quick mode" in one_line(err) and "warning" in err  # a smoke-test model says so
    path = tmp_path / "tweets.txt"
    path.write_text("\n".join(tweets) + "\n\n")
    code, out, _ = run(["recommend", "--file", str(path), "--model", str(model_dir), "-k", "2"], capsys)
    assert code == 0 and out.splitlines()[0] == f"[1] {tweets[0]}" and out.splitlines()[1].startswith(" 1. #")
    monkeypatch.setattr(sys, "stdin", open(path))
    code, out, _ = run(["recommend", "--model", str(model_dir), "--json", "-k", "2"], capsys)
    objs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [o["text"] for o in objs] == tweets
    assert [h["rank"] for h in objs[0]["hashtags"]] == [1, 2]


def test_unusable_tweets_are_reported_one_line_each_and_the_rest_ranked(model_dir, fake_data, capsys):
    tweet = fake_data["text"].iloc[0]
    code, out, err = run(["recommend", tweet, "😀🎉", "#only #tags http://t.co/x", "--model", str(model_dir)], capsys)
    assert code == 0 and out.splitlines()[0] == f"[1] {tweet}" and "[2]" not in out
    skipped = [line for line in err.splitlines() if "skipped" in line]
    assert len(skipped) == 2 and skipped[0].startswith("tagzsl recommend: tweet 2 skipped: ")
    code, out, err = run(["recommend", "#just the #tags", "--model", str(model_dir), "--json"], capsys)
    assert code == 1 and "no words left after cleaning" in json.loads(out)["unusable"]


def test_train_refuses_an_existing_folder_without_force(model_dir, capsys):
    code, _, err = run(["train", "--method", "ann", "--out", str(model_dir), "--quick"], capsys)
    assert code == 1 and one_line(err) == f"tagzsl train: {model_dir} already exists; pass --force to replace it"
    code, _, err = run(["train", "--method", "ann", "--out", str(model_dir), "--quick", "--epochs", "1", "--force"],
                       capsys)
    assert code == 0, err
    code, _, err = run(["train", "--method", "lstm", "--out", str(model_dir)], capsys)
    assert code == 2 and "unknown method 'lstm'" in one_line(err)


def test_train_checks_the_folder_is_writable_before_training(fake_data, tmp_path, capsys, monkeypatch):
    def no_training(*a, **k):
        raise AssertionError("training started before the output folder was checked")

    monkeypatch.setattr(cli, "training_data", no_training)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(["train", "--method", "ann", "--out", str(blocker / "model")], capsys)
    assert code == 1 and one_line(err).startswith(f"tagzsl train: cannot write the model folder {blocker / 'model'}")


@pytest.mark.parametrize("damage, message", [
    (lambda d: (d / "vectors.npz").write_bytes(b"not a zip at all"), "vectors.npz is corrupt or truncated"),
    (lambda d: (d / "model.keras").write_bytes((d / "model.keras").read_bytes()[:500]),
     "model.keras is corrupt or truncated"),
    (lambda d: (d / "config.json").write_text((d / "config.json").read_text()[:40]),
     "config.json is not valid JSON"),
    (lambda d: (d / "vocabulary.json").write_text('["a", "b'), "vocabulary.json is not valid JSON"),
    (lambda d: (d / "model.keras").unlink(), "model.keras is missing"),
])
def test_damaged_model_folders_give_one_line_naming_the_file(model_dir, capsys, damage, message):
    damage(model_dir)
    code, out, err = run(["recommend", "some words here", "--model", str(model_dir)], capsys)
    line = one_line(err)
    assert code == 1 and out == "" and line.startswith("tagzsl recommend: ") and message in line
    assert str(model_dir) in line


def test_missing_model_folder(tmp_path, capsys):
    code, _, err = run(["recommend", "hello there", "--model", str(tmp_path / "nope")], capsys)
    assert code == 1 and "no model folder at" in one_line(err)


def test_missing_empty_or_unreachable_corpus_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TAGZSL_CACHE", str(tmp_path / "cache"))
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("TAGZSL_DATA", str(tmp_path / "empty"))
    code, _, err = run(["train", "--method", "ann", "--out", str(tmp_path / "m1"), "--quick"], capsys)
    assert code == 1 and "does not hold a TweetEval copy" in one_line(err)
    monkeypatch.setenv("TAGZSL_DATA", str(tmp_path / "no-such-folder"))  # set to a folder that is not there
    code, _, err = run(["train", "--method", "ann", "--out", str(tmp_path / "m1"), "--quick"], capsys)
    assert code == 1 and "no-such-folder does not hold a TweetEval copy" in one_line(err)
    monkeypatch.setenv("TAGZSL_DATA", "")  # empty: download, but we are offline

    def offline(*a, **k):
        raise Exception("URL fetch failure: <urlopen error [Errno -3] Temporary failure in name resolution>")

    import keras

    monkeypatch.setattr(keras.utils, "get_file", offline)
    code, _, err = run(["train", "--method", "ann", "--out", str(tmp_path / "m2"), "--quick"], capsys)
    assert code == 1 and "Offline?" in one_line(err) and "TAGZSL_DATA" in err
    assert not (tmp_path / "m1").exists() and not (tmp_path / "m2").exists()


def test_reproduce_out_unwritable(tmp_path, capsys, monkeypatch):
    from tagzsl import reproduce

    monkeypatch.setattr(reproduce, "run", lambda **k: pytest.fail("notebooks ran"))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(["reproduce", "--quick", "--out", str(blocker / "runs")], capsys)
    assert code == 1 and one_line(err).startswith(f"tagzsl reproduce: cannot write to --out {blocker / 'runs'}")


def test_ctrl_c_during_training_prints_interrupted_and_writes_nothing(tmp_path):
    script = textwrap.dedent(f"""
        import sys, time, types
        import pandas as pd
        from tagzsl import cli, recommender
        texts = ["alpha beta gamma delta epsilon"] * 20
        cli.training_data = lambda *a, **k: (texts, ["a", "b"] * 10, {{"epochs": 1}}, None)
        def slow_fit(self, *a, **k):
            print("training", flush=True)
            time.sleep(60)
        recommender.Recommender.fit = slow_fit
        sys.exit(cli.main(["train", "--method", "ann", "--out", {str(tmp_path / "model")!r}]))
    """)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=REPO, env=env)
    deadline = time.time() + 120
    while "training" not in proc.stdout.readline():
        assert time.time() < deadline and proc.poll() is None, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert one_line("\n".join(l for l in err.splitlines() if l.startswith("tagzsl"))) == \
        "tagzsl train: interrupted (nothing written)"
    assert list(tmp_path.iterdir()) == []  # no model folder, no temporary folder


def test_a_truncated_file_in_a_local_corpus_copy_is_named(tmp_path, capsys, monkeypatch):
    """Local files are checked against the recorded SHA-256 too; the verdict is cached by size and mtime."""
    import hashlib

    from tagzsl.data import tweeteval

    rel = "datasets/emoji/train_text.txt"
    local = tmp_path / "data" / "tweeteval" / rel
    local.parent.mkdir(parents=True)
    local.write_text("a tweet\nanother tweet\n")
    sums = {rel: hashlib.sha256(local.read_bytes()).hexdigest()}
    monkeypatch.setattr(tweeteval, "recorded_checksums", lambda: sums)
    monkeypatch.setattr(tweeteval, "_VERIFIED", {})
    corpus = tweeteval.TweetEval(root=tmp_path / "data", cache_dir=tmp_path / "cache")
    assert corpus.path(rel) == local and (tmp_path / "cache" / "local-checksums.json").is_file()
    stat = local.stat()
    local.write_text("a tweet\nanother tweeX\n")               # same size, mtime put back: not hashed again
    os.utime(local, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert corpus.path(rel) == local
    local.write_text("a tweet\nanoth")                          # truncated
    with pytest.raises(tweeteval.ChecksumError, match="train_text.txt does not match its recorded SHA-256"):
        corpus.path(rel)
    from tagzsl.experiments import supervised as exp

    monkeypatch.setattr(exp, "top50", lambda *a, **k: corpus.path(rel))
    code, _, err = run(["train", "--method", "ann", "--out", str(tmp_path / "m"), "--quick"], capsys)
    assert code == 1 and one_line(err).startswith(f"tagzsl train: {local} does not match its recorded SHA-256")


@pytest.mark.parametrize("content, says", [("", "is empty"),
                                           ('[{"id": 1, "text": "hi"},\n {"id": 2, "text": "yo"}]\n',
                                            "is a JSON array, not JSON lines"),
                                           ('[{"id": 1, "text": "hi"}]', "is a JSON array, not JSON lines")])
def test_read_tweet_json_on_an_array_or_empty_file_warns_once_with_the_expected_format(tmp_path, caplog,
                                                                                      content, says):
    from tagzsl.data import read_tweet_json

    path = tmp_path / "tweets.json"
    path.write_text(content)
    with caplog.at_level("WARNING", logger="tagzsl.data.twitter_json"):  # `tagzsl train` quietens "tagzsl"
        df = read_tweet_json(path)
    assert len(df) == 0 and len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert says in message and "expects JSON lines: one tweet object per line" in message and str(path) in message
