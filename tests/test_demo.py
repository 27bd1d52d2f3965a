"""The live demo (tagzsl.demo): parsing, occlusion, answers, cache, and the page in headless Chromium.

The browser test needs Debian's chromium and chromium-driver (`.ci/run` installs them) and
selenium; where any is missing it is skipped with the reason. It serves the app on 127.0.0.1
only and checks that the page asks for nothing from any other host.
"""
import json
import os
import pathlib
import shutil
import socket
import urllib.parse

import pandas as pd
import pytest

from tagzsl import demo, demo_models, embeddings, preprocess
from tagzsl.recommender import Unusable
from tagzsl.data.synthetic import synthetic_corpus

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
TINY = {"GRU (supervised)": ("gru", {"epochs": 3, "units": 16}),
        "ConSE (zero-shot)": ("conse", {"epochs": 3, "units": 16})}


@pytest.fixture(scope="module")
def corpus_parts():
    df = synthetic_corpus(n_tweets=400, n_topics=4, hashtags_per_topic=3, seed=1)
    try:
        kv = embeddings.train_word2vec(preprocess.word2vec_sentences(df), epochs=3, min_count=1)
    except LookupError as err:  # NLTK stop words missing
        pytest.skip(str(err))
    df["raw"], df["tokens"] = df["text"], df["text"].map(preprocess.clean_text)
    tags = [h[0] for h in df["hashtags"]]
    held_out = sorted(set(tags))[-1]  # a hashtag no model is trained on
    train = [i for i in range(340) if tags[i] != held_out]
    return df, tags, kv, held_out, train


@pytest.fixture(scope="module")
def tiny(corpus_parts, tmp_path_factory):
    df, tags, kv, held_out, train = corpus_parts
    trained = {tags[i] for i in train}
    examples, pool = demo.pick_examples(df.iloc[340:], trained, kv, seed=0)
    models = demo.train(df["text"].iloc[train].tolist(), [tags[i] for i in train], kv,
                        tmp_path_factory.mktemp("demo") / "models", examples, pool, methods=TINY,
                        seed=3, progress=False)
    return models, held_out


def _topic_tweet(df, tag):
    return preprocess.remove_hashtags(df["text"][df["hashtags"].map(lambda h: h[0] == tag)].iloc[0])


def test_parse_candidates():
    good, bad = demo.parse_candidates("#WorldCup, nba  brexit,#1 foo-bar ＃NBA")
    assert good == ["worldcup", "nba", "brexit"]
    assert bad == ["1", "foo-bar"]
    assert demo.parse_candidates("") == ([], [])


class _Counter:
    """A fake recommender: the score of 'goal' is how often the word 'goal' occurs, 'nba' 0.5."""
    hashtags_ = ["goal", "nba"]

    def recommend(self, texts, k=5, candidates=None):
        out = [sorted([("goal", float(t.split().count("goal"))), ("nba", 0.5)], key=lambda p: -p[1])[:k]
               for t in texts]
        return [r if t.strip() else Unusable(t, "empty") for r, t in zip(out, texts)]


def test_occlusion_is_the_score_drop_of_each_word():
    drops = demo.occlusion(_Counter(), ["goal", "late", "goal"], "goal")
    assert drops == [1.0, 0.0, 1.0]
    # a word whose removal leaves nothing rankable drops the score to zero
    assert demo.occlusion(_Counter(), ["goal"], "goal") == [1.0]


def test_occlusion_explains_at_most_the_cap_in_one_batch():
    calls = []

    class Counting(_Counter):
        def recommend(self, texts, k=5, candidates=None):
            calls.append(len(texts))
            return super().recommend(texts, k, candidates)

    drops = demo.occlusion(Counting(), ["goal"] * 5000, "goal")
    assert len(drops) == demo.MAX_EXPLAINED and calls == [demo.MAX_EXPLAINED + 1]


def test_a_100000_character_tweet_is_cut_and_explained_in_part(tiny, corpus_parts):
    models, _ = tiny
    df, tags = corpus_parts[:2]
    tweet = (_topic_tweet(df, tags[0]) + " ") * (100_000 // len(_topic_tweet(df, tags[0])) + 1)
    assert len(tweet) > 100_000
    out = demo.answer(models, tweet, "GRU (supervised)")
    assert out["ranking"] and len(out["why"]) == demo.MAX_EXPLAINED
    assert f"Only the first {demo.MAX_CHARS:,} characters were used" in out["message"]
    assert f"only the first {demo.MAX_EXPLAINED} of the" in out["message"]
    assert len(out["cleaned"]) <= demo.MAX_CHARS


def test_several_visitors_are_answered_at_once(tiny):
    app = demo.build_app(tiny[0])
    answering = [fn for fn in app.fns.values() if fn.name == "respond"]
    assert len(answering) == 2 and all(fn.concurrency_limit == demo.CONCURRENCY > 1 for fn in answering)


def test_a_port_in_use_is_one_line_before_training(capsys, monkeypatch):
    from tagzsl.cli import main

    monkeypatch.setattr(demo, "load_or_train", lambda *a, **k: pytest.fail("trained before the port was checked"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        port = busy.getsockname()[1]
        assert main(["demo", "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"tagzsl demo: port {port} on 127.0.0.1 is in use or not allowed; choose another with --port "
                   "(or leave --port out to take a free one)")


def test_a_damaged_cache_is_trained_again_not_blamed_on_the_user(tiny, isolated_cache, monkeypatch, capsys):
    models, _ = tiny
    label = "GRU (supervised)"
    path = demo.cache_path(3, demo.methods_for("lesson"))
    models.recommenders[label].save(path / demo._slug(label))
    (path / "manifest.json").write_text(json.dumps({"methods": {label: "gru"}, "examples": [], "pool": []}))
    assert isinstance(demo.load_or_train(seed=3).recommenders, demo.LazyRecommenders)  # intact: loaded
    keras_file = path / demo._slug(label) / "model.keras"
    keras_file.write_bytes(keras_file.read_bytes()[:300])
    monkeypatch.setattr(demo_models, "train_on_corpus", lambda *a, **k: "trained again")
    assert demo.load_or_train(seed=3) == "trained again"
    out = capsys.readouterr().out
    assert "the cached models are damaged" in out and "model.keras is truncated or damaged" in out
    assert "tagzsl train" not in out


def test_demo_training_refuses_to_replace_a_folder_it_did_not_write(corpus_parts, tmp_path):
    df, tags, kv, _, train = corpus_parts
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OSError, match="is not a demo cache folder; not replacing it"):
        demo.train(df["text"].tolist()[:5], tags[:5], kv, tmp_path, [], [], methods=TINY, progress=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_empty_and_unusable_tweets_give_a_clear_message(tiny):
    models, _ = tiny
    label = next(iter(models.recommenders))
    for tweet in ("", "   ", None):
        out = demo.answer(models, tweet, label)
        assert out["message"].startswith("**Type a tweet first**") and out["ranking"] == []
    out = demo.answer(models, "#tag https://t.co/x the and is 123 !!", label)
    assert "No words left after cleaning" in out["message"] and out["ranking"] == []
    assert "Unknown method" in demo.answer(models, "goal goal", "nope")["message"]


def test_answer_ranks_trained_hashtags_and_explains(tiny, corpus_parts):
    models, held_out = tiny
    df, tags = corpus_parts[:2]
    tweet = _topic_tweet(df, tags[0])
    out = demo.answer(models, tweet, "GRU (supervised)", "", k=4)
    assert out["message"] == ""
    assert len(out["ranking"]) == 4
    assert all(kind == "trained-on" for _, _, kind in out["ranking"])
    assert held_out not in [t for t, _, _ in out["ranking"]]
    scores = [s for _, s, _ in out["ranking"]]
    assert scores == sorted(scores, reverse=True)
    tokens = preprocess.clean_text(tweet)
    assert out["cleaned"] == " ".join(tokens)
    assert [w for w, _ in out["why"]] == tokens
    assert max(abs(v) for _, v in out["why"]) == pytest.approx(1.0)


def test_unseen_candidate_is_ranked_and_marked(tiny, corpus_parts):
    models, held_out = tiny
    df, tags = corpus_parts[:2]
    seen = sorted(set(tags) - {held_out})[:2]
    for label in models.recommenders:
        out = demo.answer(models, _topic_tweet(df, held_out), label, f"#{held_out}, {seen[0]} #{seen[1]} bad-one")
        ranked = {t: kind for t, _, kind in out["ranking"]}
        assert ranked[held_out] == "unseen" and ranked[seen[0]] == "trained-on"
        assert len(ranked) == 3 and "bad-one" in out["message"]


def test_zero_shot_without_candidates_ranks_the_pool(tiny, corpus_parts):
    models, held_out = tiny
    out = demo.answer(models, _topic_tweet(corpus_parts[0], held_out), "ConSE (zero-shot)", "", k=20)
    assert "ranking the demo's" in out["message"]
    assert {t for t, _, _ in out["ranking"]} <= set(models.pool)
    assert held_out in models.pool


def test_examples_come_from_the_test_rows_without_hashtags_or_profanity(corpus_parts):
    df, tags, kv, held_out, train = corpus_parts
    test = df.iloc[340:].copy()
    rude = test.index[0]
    test.loc[rude, "raw"] = test.loc[rude, "raw"] + " shit"
    trained = {tags[i] for i in train}
    examples, pool = demo.pick_examples(test, trained, kv, seed=0, n=6)
    assert len(examples) == 6
    assert all("#" not in tweet and "shit" not in tweet for tweet, _ in examples)
    raw_no_tags = {preprocess.remove_hashtags(r) for r in test["raw"]}
    assert all(tweet in raw_no_tags for tweet, _ in examples)
    with_candidates = [c for _, c in examples if c]
    assert with_candidates and all(f"#{held_out}" in c for c in with_candidates)
    assert pool[: len(trained)] == sorted(trained) and held_out in pool
    assert demo.pick_examples(test, trained, kv, seed=0, n=6) == (examples, pool)  # seeded


def test_saved_models_load_and_rank_the_same(tiny, corpus_parts, tmp_path):
    models, _ = tiny
    label = "GRU (supervised)"
    models.recommenders[label].save(tmp_path / demo._slug(label))
    (tmp_path / "manifest.json").write_text(json.dumps(
        {"methods": {label: "gru"}, "examples": models.examples, "pool": models.pool}))
    again = demo.load(tmp_path)
    assert again.examples == models.examples and again.pool == models.pool
    tweet = _topic_tweet(corpus_parts[0], corpus_parts[1][0])
    first, second = demo.answer(models, tweet, label), demo.answer(again, tweet, label)
    assert [t for t, _, _ in second["ranking"]] == [t for t, _, _ in first["ranking"]]
    assert [s for _, s, _ in second["ranking"]] == pytest.approx([s for _, s, _ in first["ranking"]], abs=1e-5)


def test_cache_path_changes_with_the_settings(isolated_cache):
    assert demo.cache_path(1) != demo.cache_path(2)
    assert demo.cache_path(1, TINY) != demo.cache_path(1)
    assert str(demo.cache_path(1)).startswith(str(isolated_cache))


def test_cache_path_changes_with_the_default_hubness_correction(isolated_cache, monkeypatch):
    """Models cached under another default correction are not served as today's (they retrain)."""
    from tagzsl import hubness

    before = demo.cache_path(1)
    monkeypatch.setattr(hubness, "DEFAULT", "centre")
    assert demo.cache_path(1) != before


def test_cli_registers_demo():
    from tagzsl.cli import build_parser

    args = build_parser().parse_args(["demo", "--port", "7999", "--train"])
    assert args.func is demo.cmd_demo and args.port == 7999 and args.train


# --------------------------------------------------------------------------- in a browser
def _browser_missing():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not pathlib.Path(p).is_file()]
    if missing:
        return f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -r requirements.txt)"
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser(tmp_dir):
    """Headless Debian Chromium through chromedriver, with no background networking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1100", f"--user-data-dir={tmp_dir}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))


def drive(driver, url, tweet, candidates, screenshot=None, timeout=60):
    """Type ``tweet`` (and ``candidates``), submit, return the ranking's text; then the empty
    tweet's message. Saves ``screenshot`` of the answered page when given."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, timeout)
    driver.get(url)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "#tweet textarea")))
    box.send_keys(tweet)
    driver.find_element(By.CSS_SELECTOR, "#candidates textarea, #candidates input").send_keys(candidates)
    driver.find_element(By.ID, "submit").click()
    wait.until(lambda d: "#" in d.find_element(By.ID, "table").text)
    ranking = driver.find_element(By.ID, "table").text
    if screenshot:
        driver.save_screenshot(str(screenshot))
    box.send_keys(Keys.CONTROL, "a")  # clear() sets the value without the input event the page needs
    box.send_keys(Keys.BACKSPACE)
    driver.find_element(By.ID, "submit").click()
    wait.until(lambda d: "Type a tweet first" in d.find_element(By.ID, "message").text)
    return ranking, driver.find_element(By.ID, "message").text


@pytest.mark.browser
def test_page_in_headless_chromium(tiny, corpus_parts, tmp_path):
    reason = _browser_missing()
    if reason:
        print(f"SKIPPED browser test: {reason}")
        pytest.skip(reason)
    models, held_out = tiny
    df, tags = corpus_parts[:2]
    app = demo.build_app(models)
    url = demo.launch(app, port=_free_port(), block=False)
    driver = browser(tmp_path / "profile")
    try:
        shot = tmp_path / "demo.png"
        try:
            ranking, message = drive(driver, url, _topic_tweet(df, held_out), f"#{held_out}, #{tags[0]}", shot)
        except Exception:
            driver.save_screenshot(str(tmp_path / "failed.png"))
            print(f"browser test failed; page screenshot: {tmp_path / 'failed.png'}")
            raise
        assert f"#{held_out}" in ranking and "unseen" in ranking and "trained-on" in ranking
        assert "Type a tweet first" in message
        assert "Error" not in driver.find_element("tag name", "body").text
        assert shot.stat().st_size > 10_000
        if os.environ.get("TAGZSL_SCREENSHOT_DIR"):
            shutil.copy(shot, pathlib.Path(os.environ["TAGZSL_SCREENSHOT_DIR"]) / "demo_test.png")
        hosts = set()
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                parts = urllib.parse.urlsplit(msg["params"]["request"]["url"])
                if parts.scheme in ("http", "https", "ws", "wss"):
                    hosts.add(parts.hostname)
        assert hosts == {"127.0.0.1"}, f"the page contacted other hosts: {hosts}"
    finally:
        driver.quit()
        app.close()


def test_tagspace_scope_counts_the_demo_model_and_the_corpus(monkeypatch):
    """Notebook 05's sentence on why the demo's #TagSpace ranks fewer hashtags than notebook 04's
    is computed: the demo model's hashtags, and the corpus's hashtags at notebook 04's min_count."""
    from types import SimpleNamespace

    from tagzsl import corpus, experiments
    from tagzsl.experiments import tagspace as exp04

    full = experiments.settings_for(exp04, "full").min_count
    clean = pd.DataFrame({"hashtags": [["a"]] * full + [["a", "b"]] * (full - 1) + [["c"]] * full + [[]] * 5})
    monkeypatch.setattr(corpus, "prepare", lambda **_: SimpleNamespace(clean=clean))
    rec = SimpleNamespace(hashtags_=["x", "y", "z"], get_params=lambda: {"min_count": 2})
    models = SimpleNamespace(methods={"GRU": "gru", "#TagSpace (WARP)": "tagspace"},
                             recommenders={"GRU": None, "#TagSpace (WARP)": rec})
    line = demo_models.tagspace_scope(models, seed=1, mode="quick")
    assert "ranks 3 hashtags" in line and "at least 2 tweets" in line
    assert f"all {len(clean):,} cleaned posts" in line
    assert f"every one of the 2 hashtags seen on at least {full}" in line  # a and c; b has full - 1
    bare = SimpleNamespace(hashtags_=["x", "y"], get_params=lambda: {})   # a folder without min_count
    models.recommenders["#TagSpace (WARP)"] = bare
    assert "at least 1 tweets" in demo_models.tagspace_scope(models, seed=1, mode="quick")
    with pytest.raises(ValueError, match="no #TagSpace model"):
        demo_models.tagspace_scope(SimpleNamespace(methods={"GRU": "gru"}, recommenders={}), seed=1, mode="quick")
