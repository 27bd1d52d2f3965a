"""Notebooks 01-04 on a person's own posts (``DATA_FILES``, ``tagzsl reproduce --files``):
a small planted collection the test writes, quick mode; every cell runs, the outputs say the data
is the user's own, no stderr or NaN; bad files are one line before any notebook runs."""
from __future__ import annotations

import json
import random
import re

import nbformat
import pytest

from tagzsl import cli, reproduce
from tagzsl.experiments import verdicts

#: four topics, each with its own words; each topic's hashtags are its name and its name joined to
#: each of its words (13 per topic, 52 in all: the notebooks' label rule asks for 50)
TOPICS = {
    "football": "goal striker match keeper penalty league referee stadium derby tackle corner offside",
    "cooking": "recipe oven garlic butter bake dinner flour sauce onion simmer pastry roast",
    "coding": "python bug compiler function release merge branch test commit refactor deploy kernel",
    "garden": "tomato seedling compost soil prune bloom mulch greenhouse weed harvest tulip hedge",
}
FILLER = "today really great new time love week people first thing"


def hashtags(topic: str) -> list[str]:
    return [topic] + [topic + w for w in TOPICS[topic].split()]


def planted_posts(n: int = 1200, seed: int = 0, per_topic: int = 13) -> list[dict]:
    """``n`` tweets (Twitter JSON), each 7 words of one topic, 1-2 fillers, a mention or link now and
    then, and one or two of its topic's first ``per_topic`` hashtags (seeded)."""
    rng = random.Random(seed)
    names = list(TOPICS)
    out = []
    for i in range(n):
        topic = names[i % len(names)]
        text = rng.choices(TOPICS[topic].split(), k=7) + rng.choices(FILLER.split(), k=rng.randint(1, 2))
        if rng.random() < 0.2:
            text.insert(0, f"@user{rng.randrange(50)}")
        if rng.random() < 0.2:
            text.append(f"https://t.co/x{rng.randrange(10**6)}")
        chosen = rng.sample(hashtags(topic)[:per_topic], k=rng.choice((1, 1, 2)))
        out.append({"id_str": str(i), "full_text": " ".join(text + [f"#{t}" for t in chosen]), "lang": "en"})
    return out


def write_posts(path, n: int = 1200, seed: int = 0, per_topic: int = 13):
    path.write_text("".join(json.dumps(p) + "\n" for p in planted_posts(n, seed, per_topic)))
    return path


def outputs_text(path) -> str:
    nb = json.loads(path.read_text())
    return "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                     for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    """The planted file and a cache of its own (the encoded posts and their word vectors are built
    once, by the first notebook, and read back by the others)."""
    folder = tmp_path_factory.mktemp("own")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TAGZSL_CACHE", str(folder / "cache"))
        yield write_posts(folder / "posts.jsonl")


@pytest.fixture(scope="module")
def own_small(tmp_path_factory):
    """The planted collection with 3 hashtags per topic: 12 labels, not the paper's 50 (notebook 03
    scales its seen/unseen splits to them)."""
    folder = tmp_path_factory.mktemp("own_small")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TAGZSL_CACHE", str(folder / "cache"))
        yield write_posts(folder / "posts.jsonl", per_topic=3)


#: the planted hashtags no built-in corpus has (a topic's name joined to one of its words)
PLANTED = {t for topic in TOPICS for t in hashtags(topic)[1:]}


@pytest.mark.notebook
@pytest.mark.parametrize("only, files, says", [
    ("01", "own", ("data: your own files (1 file(s): posts.jsonl)", "1,200 posts read from your own files",
                   "collection hashtags are not looked for", "one source (your own files)", "posts.jsonl   json")),
    ("02", "own", ("yours are", "posts of your own files", "chance on 50 hashtags", "best deep model:", "source only")),
    ("03", "own_small", ("12 label hashtags, not the paper's 50: its splits 40/10, 30/20, 25/25 scaled to 10/2, 7/5, 6/6",
                         "one source (own): no source-only baseline", "few-shot > zero-shot on 10/2 (trained methods)",
                         "paper order DEM > ESZSL > ConSE", "(–)", "the paper's tweets are not ranked",
                         "out of domain skipped")),
    ("04", "own", ("#TagSpace", "WSABIE", "P@1 (paper)")),
])
def test_notebook_runs_on_own_posts_in_quick_mode(request, tmp_path, only, files, says):
    own = request.getfixturevalue(files)
    before = {p: p.read_bytes() for p in reproduce.NOTEBOOKS.glob("*.ipynb")}
    [result] = reproduce.run(only=only, quick=True, data_files=[own], out_dir=tmp_path / "out",
                             figures_dir=tmp_path / "out" / "figures", log=lambda *_: None)
    assert result["problems"] == [], "\n".join(result["problems"])   # no error, warning, machine path
    path = tmp_path / "out" / result["notebook"]
    nb = nbformat.read(path, as_version=4)
    assert verdicts.notebook_problems(nb) == []                        # no stderr, NaN, wrong verdict
    [given] = reproduce.parameters(nb)["DATA_FILES"]             # relative to the notebook: no machine path
    assert given.startswith("..") and (tmp_path / "out" / given).resolve() == own.resolve()
    assert nb.metadata["tagzsl"]["data"] == "own files"
    text = outputs_text(path)
    for expected in says:
        assert expected in text, expected
    assert set(re.findall(r"[a-z]+", text)) & PLANTED, "no planted hashtag in the outputs"
    for builtin in ("maga", "christmas", "covidvaccine", "hashtagwars", "TweetEval"):   # nothing of the corpus
        assert builtin not in text, builtin
    if only == "03":     # the paper's 50-label splits and numbers are nowhere beside the scaled ones
        assert not re.search(r"\b(40/10|30/20|25/25)\b", text.split("scaled to", 1)[1])
        assert "source only" not in text and "(62)" not in text
    assert {p: p.read_bytes() for p in reproduce.NOTEBOOKS.glob("*.ipynb")} == before   # committed ones untouched


# --------------------------------------------------------------------------- the command line
def tiny_notebooks(folder, with_files=True):
    """A notebooks folder with one small notebook that reads DATA_FILES (no corpus, no training)."""
    params = 'MODE = "full"\nSEED = 2019\nDATA_ROOT = None\n' + ("DATA_FILES = None\n" if with_files else "") \
        + 'FIGURES_DIR = "../figures"'
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("import json\nrows = [json.loads(x) for f in DATA_FILES for x in open(f)]\n"
                                          "print(MODE, len(rows), 'posts of', ', '.join(DATA_FILES))")]
    (folder / "notebooks").mkdir(parents=True)
    path = folder / "notebooks" / "01_tiny.ipynb"
    nbformat.write(nb, path)
    return path


def cli_run(capsys, *argv):
    code = cli.main(["reproduce", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.jsonl", "no file at"),
    (lambda d: d, "is a directory"),
    (lambda d: (d / "posts.csv").write_text("id,body\n1,goal striker match #football\n") and d / "posts.csv",
     "no column 'text'; the columns are 'id', 'body'; the notebooks read the column named 'text': rename yours"),
])
def test_reproduce_files_bad_input_is_one_line_before_any_notebook(tmp_path, capsys, make, message):
    source = tiny_notebooks(tmp_path)
    kept = source.read_bytes()
    code, out, err = cli_run(capsys, "--files", str(make(tmp_path)), "--quick", "--notebooks", str(source.parent))
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1 and lines[0].startswith("tagzsl reproduce: ") and message in lines[0], err
    assert "Traceback" not in err and "executed" not in out
    assert not (tmp_path / "runs").exists() and source.read_bytes() == kept


def test_reproduce_files_refuses_a_notebook_without_data_files(tmp_path, capsys):
    source = tiny_notebooks(tmp_path, with_files=False)
    code, _, err = cli_run(capsys, "--files", str(write_posts(tmp_path / "p.jsonl", n=20)), "--quick",
                           "--notebooks", str(source.parent))
    assert code == 1 and "01_tiny.ipynb take(s) no DATA_FILES parameter" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "runs").exists()
    code, _, err = cli_run(capsys, "--files", str(tmp_path / "p.jsonl"), "--notebooks", str(source.parent),
                           "--out", str(source.parent))
    assert code == 1 and "take(s) no DATA_FILES" in err


@pytest.mark.parametrize("mode, folder", [(("--quick",), "quick-own"), ((), "full-own")])
def test_reproduce_files_writes_the_own_data_folder_never_the_notebooks(tmp_path, capsys, mode, folder):
    source = tiny_notebooks(tmp_path)
    kept = source.read_bytes()
    data = write_posts(tmp_path / "data" / "posts.jsonl", n=30) if (tmp_path / "data").mkdir() is None else None
    code, out, err = cli_run(capsys, "--files", str(data), *mode, "--notebooks", str(source.parent))
    assert code == 0, err
    executed = tmp_path / "runs" / folder / "01_tiny.ipynb"
    nb = nbformat.read(executed, as_version=4)
    assert reproduce.parameters(nb)["DATA_FILES"] == ["../../data/posts.jsonl"]
    assert f"{folder.split('-')[0]} 30 posts of ../../data/posts.jsonl" in outputs_text(executed)
    assert source.read_bytes() == kept and sorted(p.name for p in source.parent.iterdir()) == ["01_tiny.ipynb"]
    assert "1 notebook(s) executed" in out
    # and --out the notebooks' own folder is refused: the committed notebooks are never overwritten
    code, _, err = cli_run(capsys, "--files", str(data), *mode, "--notebooks", str(source.parent),
                           "--out", str(source.parent))
    assert code == 1 and "does not write into" in err and source.read_bytes() == kept


def test_reproduce_help_says_where_own_data_runs_go(capsys):
    with pytest.raises(SystemExit):
        cli.main(["reproduce", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--files FILE [FILE ...]" in out and "runs/<mode>-own/" in out and "never over the committed notebooks" in out


def test_notebook_01_helpers_give_one_source_tables_and_lines_on_own_posts(tmp_path, isolated_cache):
    """What notebook 01's cells call, on a corpus from one's own files (fast: no notebook)."""
    from tagzsl import corpus, embeddings
    from tagzsl.experiments import dataset

    prep = corpus.prepare(files=[write_posts(tmp_path / "posts.jsonl")], quick=True, seed=5)
    assert dataset.is_own(prep)
    card = dataset.data_card(prep)
    assert list(card.index) == ["own"] and card.loc["own", "posts read"] == 1200 and card.loc["own", "files"] == "posts.jsonl"
    assert card.loc["own", "distinct hashtags"] == 52 and card.loc["own", "posts in the language asked for"].startswith("–")
    funnel = dataset.funnel(prep)
    assert list(funnel.columns) == ["own", "kept (% of raw)"] and funnel["own"].iloc[0] == 1200
    table1 = dataset.table1_beside_paper(prep)
    assert table1.loc["Cleaned sampled tweets", "ours"] == "–" and table1.loc["Total collected tweets", "ours"] == 1200
    assert "your own files" in table1.loc["Total collected tweets", "note"]
    assert dataset.exclusion_summary(prep) is None and dataset.excluded_hashtags(prep) is None
    assert "not looked for" in dataset.exclusion_note(prep)
    assert "posts.jsonl" in dataset.run_line("quick", 5, None, [tmp_path / "posts.jsonl"], dataset.QUICK)
    assert "1,200 posts read" in dataset.read_note(prep) and list(dataset.read_report(prep).index) == ["posts.jsonl"]
    labels = dataset.label_sources(prep.top)
    assert dataset.label_sources_note(labels).startswith("one source (your own files)")
    assert dataset.probes(prep, ("love", "maga")) == prep.hashtags[:6]       # the label set's, not the corpus's
    missing = embeddings.hashtag_vectors(prep.vectors, prep.hashtags)[1]
    lines = dataset.summary(prep, card, table1, labels, missing, "quick")
    assert lines[0] == "* 1,200 posts read from your own files; 1,200 kept after the funnel (100.0%)."
    assert "your own files" in dataset.word2vec_note(prep, "quick") and not any("NaN" in x for x in lines)
