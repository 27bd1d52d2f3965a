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

    from tagzsl import preprocess

    df, kv = corpus
    ids = [f"synthetic:{i}" for i in range(len(df))]
    tokens = [text.split() for text in preprocess.clean_texts(df["text"].tolist())]
    clean = pd.DataFrame({"id": ids, "raw": df["text"], "tokens": tokens, "hashtags": df["hashtags"]})
    top = pd.DataFrame({"id": ids, "hashtag": [h[0] for h in df["hashtags"]]})
    prep = types.SimpleNamespace(vectors=kv, clean=clean, top=top)
    monkeypatch.setattr(exp, "top50", lambda settings, root=None, seed=0: (prep, df["text"].tolist(),
                                                                           [h[0] for h in df["hashtags"]]))
    return df


def run(argv, capsys):
    try:
        code = cli.main(argv)
    except SystemExit as stop:  # argparse's refusals
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def no_training(*a, **k):
    raise AssertionError("training started before the output folder was checked")


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
    assert code == 1 and "unknown method 'lstm'" in one_line(err)


def test_train_checks_the_folder_is_writable_before_training(fake_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "training_data", no_training)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = run(["train", "--method", "ann", "--out", str(blocker / "model")], capsys)
    assert code == 1 and one_line(err).startswith(f"tagzsl train: cannot write the tagzsl model folder "
                                                  f"{blocker / 'model'}")


def test_force_replaces_only_a_model_folder_and_refuses_before_training(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "training_data", no_training)
    keep = tmp_path / "keep"
    (keep / "sub").mkdir(parents=True)
    (keep / "thesis.txt").write_text("t")
    code, _, err = run(["train", "--method", "ann", "--quick", "--out", str(keep), "--force"], capsys)
    assert code == 1 and one_line(err) == (f"tagzsl train: {keep} exists and is not a tagzsl model folder; "
                                           "not replacing it (choose another folder)")
    assert (keep / "thesis.txt").read_text() == "t" and (keep / "sub").is_dir()
    link = tmp_path / "link"
    link.symlink_to(keep)
    code, _, err = run(["train", "--method", "ann", "--out", str(link), "--force"], capsys)
    assert code == 1 and "is a symbolic link" in one_line(err) and link.is_symlink()
    monkeypatch.chdir(keep)  # `--out .` names the folder itself
    code, _, err = run(["train", "--method", "ann", "--out", ".", "--force"], capsys)
    assert code == 1 and one_line(err) == (f"tagzsl train: {keep} exists and is not a tagzsl model folder; "
                                           "not replacing it (choose another folder)")
    code, _, err = run(["train", "--method", "ann", "--out", ""], capsys)
    assert code == 1 and one_line(err) == "tagzsl train: --out is empty; give the model folder to write"
    assert sorted(p.name for p in keep.iterdir()) == ["sub", "thesis.txt"]


@pytest.mark.parametrize("argv, says", [
    (["train", "--method", "ann", "--out", "m", "--epochs", "-1"], "argument --epochs: -1 is not allowed"),
    (["train", "--method", "ann", "--out", "m", "--epochs", "0"], "argument --epochs: 0 is not allowed"),
    (["train", "--method", "ann", "--out", "m", "--units", "0"], "argument --units: 0 is not allowed"),
    (["train", "--method", "ann", "--out", "m", "--epochs", "two"], "argument --epochs: 'two' is not a whole number"),
    (["recommend", "hi", "--model", "m", "-k", "0"], "argument -k: 0 is not allowed"),
    (["demo", "--port", "70000"], "argument --port: 70000 is not a port; give one from 1 to 65535"),
    (["reproduce", "--only", ""], "argument --only: is empty"),
])
def test_bad_numbers_and_empty_choices_are_one_line_exit_1(argv, says, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "training_data", no_training)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert code == 1 and says in one_line(err) and not list(tmp_path.iterdir())


def test_a_corpus_too_small_to_split_names_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "training_data", lambda *a, **k: (["alpha beta gamma"], ["a"],
                                                                {"epochs": 1}, None))
    code, _, err = run(["train", "--method", "ann", "--out", str(tmp_path / "m")], capsys)
    assert code == 1 and one_line(err).startswith("tagzsl train: cannot train ann on 1 tweet(s) (")
    assert one_line(err).endswith("give more posts with --data") and not (tmp_path / "m").exists()


def test_a_folder_another_run_is_writing_is_refused_and_a_dead_runs_lock_is_not(fake_data, tmp_path, capsys):
    from tagzsl import folders

    out = tmp_path / "model"
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from tagzsl import folders
        with folders.locked({str(out)!r}):
            print("locked", flush=True)
            time.sleep(60)""")], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        code, _, err = run(["train", "--method", "ann", "--out", str(out), "--quick", "--epochs", "1"], capsys)
        assert code == 1 and one_line(err) == (f"tagzsl train: another tagzsl process (pid {child.pid}) is writing "
                                               f"{out}; wait for it to finish or choose another folder")
    finally:
        child.kill()
        child.wait()
    assert not out.exists()
    code, _, err = run(["train", "--method", "ann", "--out", str(out), "--quick", "--epochs", "1"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    with folders.locked(out):  # the lock is released
        pass


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


def test_stdin_closed_binary_or_not_utf8_is_refused_like_a_file(model_dir, tmp_path, capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", None)  # what `tagzsl recommend <&-` gives Python
    code, out, err = run(["recommend", "--model", str(model_dir)], capsys)
    assert code == 1 and out == "" and one_line(err) == ("tagzsl recommend: standard input is closed; give tweets "
                                                         "as arguments or with --file")
    data = b"caf\xe9 au lait\n\x00\x01\x02\xff binary\n"
    (tmp_path / "bin").write_bytes(data)
    code, _, file_err = run(["recommend", "--model", str(model_dir), "--file", str(tmp_path / "bin")], capsys)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code2, out, stdin_err = run(["recommend", "--model", str(model_dir), "--json"], capsys)
    assert code == code2 == 1 and out == ""
    assert one_line(file_err) == (f"tagzsl recommend: cannot read {tmp_path / 'bin'}: not UTF-8 text (byte 0xe9 at "
                                  "offset 3); give tweets as UTF-8 text, one per line")
    assert one_line(stdin_err) == one_line(file_err).replace(str(tmp_path / "bin"), "standard input")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"nul \x00 inside\n")))
    code, _, err = run(["recommend", "--model", str(model_dir)], capsys)
    assert code == 1 and "holds binary data (NUL bytes)" in one_line(err)
    bad_arg = os.fsdecode(b"caf\xe9 words here")  # invalid UTF-8 in argv arrives as surrogates
    code, out, err = run(["recommend", bad_arg, "--model", str(model_dir), "--json"], capsys)
    assert code == 1 and out == "" and "cannot read tweet 1 of the arguments: not UTF-8 text" in one_line(err)


def test_a_candidate_with_a_space_is_refused(model_dir, capsys):
    code, out, err = run(["recommend", "some words", "--model", str(model_dir), "--candidates", "nfl, super bowl"],
                         capsys)
    assert code == 1 and out == "" and one_line(err) == (
        "tagzsl recommend: --candidates: 'super bowl' is not a hashtag (a hashtag has no spaces); write it as "
        "'superbowl' and separate hashtags with commas")


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


def child(script, **kw):
    """A ``python -c script`` child with SIGINT and SIGTERM at their defaults, whatever this test
    process inherited (a background job ignores SIGINT)."""
    def defaults():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], text=True, cwd=REPO, env=env,
                            preexec_fn=defaults, **kw)


def wait_for(stream, word, proc):
    deadline = time.time() + 120
    while word not in stream.readline():
        assert time.time() < deadline and proc.poll() is None, proc.stderr.read()


TRAIN = """
    import sys, time
    from tagzsl import cli, recommender, storage
    texts = ["alpha beta gamma delta epsilon", "zeta eta theta iota kappa"] * 20
    cli.training_data = lambda *a, **k: (texts, ["a", "b"] * 20, {{"epochs": 1}}, None)
    def slow(*a, **k):
        print("{where}", flush=True)
        time.sleep(60)
    if "{where}" == "training":
        recommender.Recommender.fit = slow
    else:
        storage.write_json = slow          # inside the save, after the model is written
    sys.exit(cli.main(["train", "--method", "ann", "--out", {out!r}]))
"""


@pytest.mark.parametrize("where", ["training", "saving"])
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_ctrl_c_or_sigterm_prints_interrupted_and_writes_nothing(tmp_path, where, signum, code):
    proc = child(TRAIN.format(where=where, out=str(tmp_path / "model")), stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE)
    wait_for(proc.stdout, where, proc)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert one_line("\n".join(l for l in err.splitlines() if l.startswith("tagzsl"))) == \
        "tagzsl train: interrupted (nothing written)"
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no model folder, no hidden temporary sibling, no lock


def test_recommend_waiting_on_a_terminal_prompts_and_ctrl_c_is_interrupted(model_dir):
    import pty

    leader, follower = pty.openpty()
    proc = child(f"""
        import sys
        from tagzsl import cli
        sys.exit(cli.main(["recommend", "--model", {str(model_dir)!r}]))""", stdin=follower,
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(follower)
    try:
        wait_for(proc.stderr, "type tweets, one per line; end with Ctrl-D", proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(leader)
    assert proc.returncode == 130 and out == "" and err.strip() == "tagzsl recommend: interrupted"


def test_recommend_into_a_closed_pipe_stops_quietly(model_dir, fake_data, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("\n".join(fake_data["text"].tolist() * 20) + "\n")
    proc = child(f"""
        import sys
        from tagzsl import cli
        sys.exit(cli.main(["recommend", "--model", {str(model_dir)!r}, "--file", {str(big)!r}, "-k", "20"]))""",
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # `| head -1`
    err = proc.stderr.read()
    proc.wait(timeout=120)
    assert proc.returncode == 141 and "Traceback" not in err and "Error" not in err, err


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


def test_tensorflow_start_up_noise_is_kept_off_the_terminal(tmp_path, monkeypatch):
    """TensorFlow's native start-up lines (oneDNN, CUDA drivers, CPU features), written to file
    descriptor 2 whatever TF_CPP_MIN_LOG_LEVEL says, are kept off the terminal by the command
    line (train, recommend, demo), and stderr works again afterwards."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    code = ("import sys; from tagzsl import cli; cli.quiet_tensorflow(); import tensorflow as tf; "
            "tf.constant(1.0) + 1; print('tagzsl line', file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0 and done.stderr.strip() == "tagzsl line", done.stderr
    calls = []
    monkeypatch.setattr(cli, "quiet_tensorflow", lambda: calls.append(1))
    assert cli.main(["recommend", "hello world", "--model", str(tmp_path / "none")]) == 1
    assert calls == [1]


def test_ctrl_c_while_tensorflow_loads_is_one_line(tmp_path, monkeypatch, capsys):
    """Ctrl-C during the TensorFlow import (seconds, before any command runs): one line, exit 130,
    no traceback; checked to fail with the import outside the handler."""
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "quiet_tensorflow", interrupted)
    assert cli.main(["recommend", "hello world", "--model", str(tmp_path / "none")]) == 130
    err = capsys.readouterr().err
    assert err.strip() == "tagzsl recommend: interrupted (nothing written)"
