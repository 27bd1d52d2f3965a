"""The live demo's models: which methods it serves, training them once, and their cache.

The first start (or ``tagzsl demo --train``) trains the models of :func:`methods_for` (the
notebooks' lesson sizes) on the default corpus's top-50 tweets outside the corpus's test
split, with a progress bar, and caches them under ``<tagzsl cache>/demo/``; later starts load
them. A cache that is damaged is trained again, not reported as the person's problem. The
example tweets are picked by code from the test split and pass a profanity filter.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import hashlib
import json
import pathlib
import re
import sys
import threading
import zipfile

import numpy as np

from tagzsl import config, display, folders

FORMAT_VERSION = 1
N_EXAMPLES, N_POOL = 6, 30
MANIFEST = "manifest.json"


def methods_for(mode: str = "lesson") -> dict:
    """label shown in the app -> (recommender method, hyper-parameters), in the notebooks' sizes
    for ``mode`` (:func:`tagzsl.hparams.for_mode`; the supervised model is the settings' demo row)."""
    from tagzsl import experiments, hparams
    from tagzsl.experiments import supervised

    gru = experiments.settings_for(supervised, mode).models[experiments.settings_for(supervised, mode).demo_row]["model"]
    return {"GRU with attention (supervised)": (gru, hparams.for_mode(gru, mode)),
            "#TagSpace (WARP)": ("tagspace", hparams.for_mode("tagspace", mode)),
            "ConSE (zero-shot)": ("conse", hparams.for_mode("conse", mode)),
            "DEM in the word space (zero-shot)": ("dem", hparams.for_mode("dem", mode))}


@dataclasses.dataclass
class DemoModels:
    """What the app serves: fitted recommenders by label, example tweets, a candidate pool."""

    recommenders: dict           # label -> fitted recommender (the PLAN's Recommender API)
    methods: dict                # label -> recommender method name
    examples: list               # [[tweet, candidate hashtags], ...] from the test split
    pool: list                   # hashtags zero-shot rankers rank when no candidates are typed



def pick_examples(test, trained, kv, seed=config.DEFAULT_SEED, n=N_EXAMPLES, n_pool=N_POOL):
    """Example tweets and the zero-shot candidate pool, chosen from the ``test`` rows (columns
    ``raw``, ``tokens``, ``hashtags``): tweets with 6-20 words passing the profanity filter,
    shown without their hashtags; two thirds carry a trained-on hashtag, the rest only unseen
    ones (offered as candidates among distractors). The pool: ``trained`` plus the ``n_pool``
    most frequent unseen test hashtags with a word vector."""
    from tagzsl import preprocess

    rng = np.random.default_rng(seed)
    trained = set(trained)
    ok = test[test["tokens"].map(len).between(6, 20)]
    ok = ok.sample(frac=1.0, random_state=int(rng.integers(2**31)))  # the filter is slow: check lazily
    counts = ok["hashtags"].explode().value_counts()
    unseen = []
    for tag in (t for t in counts.index if t not in trained and t in kv.key_to_index):
        if len(unseen) == n_pool:
            break
        if display.is_clean(tag):
            unseen.append(tag)
    pool = sorted(trained) + unseen
    n_seen, examples, unseen_examples = n - n // 3, [], []
    for raw, tags in zip(ok["raw"], ok["hashtags"]):
        seen = any(t in trained for t in tags)
        wanted = len(examples) < n_seen if seen else len(unseen_examples) < n - n_seen and tags[0] in unseen
        if wanted and all(display.is_clean(t) for t in tags) and display.is_clean(raw):
            (examples if seen else unseen_examples).append((preprocess.remove_hashtags(raw), tags[0]))
        if len(examples) == n_seen and len(unseen_examples) == n - n_seen:
            break
    examples = [[text, ""] for text, _ in examples]
    for text, tag in unseen_examples:
        shown = [tag] + list(rng.choice(sorted(set(pool) - {tag}), size=4, replace=False))
        examples.append([text, ", ".join("#" + t for t in rng.permutation(shown))])
    return examples, pool


def _slug(label) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def cache_path(seed=config.DEFAULT_SEED, methods=None) -> pathlib.Path:
    """Where the demo models for these settings live (the key changes with any setting, the
    hubness correction the Recommender applies by default included)."""
    from tagzsl import hubness

    methods = methods_for() if methods is None else methods
    key = json.dumps([FORMAT_VERSION, config.VERSION, "Recommender", seed, methods, hubness.DEFAULT], sort_keys=True)
    return config.cache_dir() / "demo" / hashlib.sha256(key.encode()).hexdigest()[:12]


def _recommender():
    from tagzsl.recommender import Recommender

    return Recommender


def train(texts, hashtags, vectors, directory, examples, pool, methods=None, hashtag_lists=None,
          seed=config.DEFAULT_SEED, progress=True) -> DemoModels:
    """Fit every method on raw ``texts`` and one of ``hashtags`` each (#TagSpace: all of
    ``hashtag_lists`` when given); save them with the examples under ``directory`` (written
    whole or not at all; a folder there that is not a demo cache is refused)."""
    from tqdm.auto import tqdm

    methods = methods_for() if methods is None else methods
    cls, recs = _recommender(), {}
    manifest = {"methods": {label: m for label, (m, _) in methods.items()}, "examples": examples, "pool": pool}

    def write(tmp):
        for label in (bar := tqdm(methods, desc="training the demo models", disable=not progress, file=sys.stdout)):
            bar.set_postfix_str(label)
            method, hparams = methods[label]
            tags = hashtag_lists if hashtag_lists is not None and method in ("tagspace", "wsabie") else hashtags
            recs[label] = cls(method=method, vectors=vectors, seed=seed, **hparams).fit(texts, tags)
            recs[label].save(tmp / _slug(label))
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1))  # last: marks a complete folder

    folders.replace_atomically(directory, write, overwrite=True, is_ours=_is_demo_cache, what="demo cache")
    return DemoModels(recs, manifest["methods"], examples, pool)


def _is_demo_cache(folder) -> bool:
    """A folder the demo wrote (or began to: a manifest, or only model folders and nothing else)."""
    folder = pathlib.Path(folder)
    return (folder / MANIFEST).is_file() or all(p.is_dir() and (p / "config.json").is_file() for p in folder.iterdir())


class LazyRecommenders(collections.abc.Mapping):
    """Saved recommenders by label, each loaded on first use (a zero-shot model with the whole
    word2vec vocabulary takes seconds to load), so the page is up before all are loaded."""

    def __init__(self, directory, labels):
        self.directory, self.labels, self.loaded = pathlib.Path(directory), list(labels), {}
        self.lock = threading.Lock()

    def __getitem__(self, label):
        if label not in self.labels:
            raise KeyError(label)
        with self.lock:
            if label not in self.loaded:
                self.loaded[label] = _recommender().load(self.directory / _slug(label))
            return self.loaded[label]

    def __iter__(self):
        return iter(self.labels)

    def __len__(self):
        return len(self.labels)

    def load_all(self):
        """Load every recommender (call it in a background thread after the page is up)."""
        for label in self.labels:
            try:
                self[label]
            except (ValueError, OSError):  # the page says so when this method is asked for
                pass


def from_folder(directory) -> DemoModels:
    """The demo on one saved model folder (``tagzsl demo --model``): that recommender alone, no
    example tweets; a zero-shot ranker's default candidates are the hashtags it was trained on.
    A folder that is not a readable tagzsl model raises :class:`tagzsl.storage.ModelFolderError`."""
    import pathlib

    from tagzsl.recommender import Recommender

    rec = Recommender.load(directory)
    label = f"{rec.method} ({pathlib.Path(directory).name})"
    return DemoModels(recommenders={label: rec}, methods={label: rec.method}, examples=[],
                      pool=list(rec.hashtags_))


def load(directory) -> DemoModels:
    """The demo models saved by :func:`train`, loaded lazily; :class:`DamagedCache` when a
    file is missing or damaged (checked cheaply now: JSON parses, archives are zip files)."""
    directory = pathlib.Path(directory)
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        labels = manifest["methods"]
        for label in labels:
            model = directory / _slug(label)
            for name in ("config.json", "vocabulary.json"):
                json.loads((model / name).read_text(encoding="utf-8"))
            for archive in model.glob("*.keras"):
                _zip(archive)
            for archive in model.glob("*.npz"):
                _zip(archive)
        examples, pool = manifest["examples"], manifest["pool"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise DamagedCache(f"{directory}: {err}") from None
    return DemoModels(LazyRecommenders(directory, labels), labels, examples, pool)


class DamagedCache(Exception):
    """The demo's cached models cannot be used; the demo trains them again."""


def _zip(path):
    if not zipfile.is_zipfile(path):
        raise ValueError(f"{path.name} is truncated or damaged")


def train_on_corpus(seed=config.DEFAULT_SEED, data_root=None, mode="lesson", progress=True) -> DemoModels:
    """Train the demo on the default corpus's top-50 tweets outside the test split; examples from the test split."""
    from tagzsl import corpus

    prep = corpus.prepare(root=data_root, seed=seed, quick=mode == "quick")
    clean = prep.clean.set_index("id")
    in_test = prep.clean["id"].str.contains(r"(?:^|[:/])test/", regex=True)  # "tweeteval:emoji/test/7"
    top = prep.top[~prep.top["id"].isin(set(prep.clean["id"][in_test]))]
    texts, tags = clean.loc[top["id"], "raw"].tolist(), top["hashtag"].tolist()
    examples, pool = pick_examples(prep.clean[in_test], set(tags), prep.vectors, seed)
    print(f"tagzsl demo: training the models on {len(texts)} tweets, {len(set(tags))} hashtags "
          "(once; cached afterwards)", flush=True)
    methods = methods_for(mode)
    return train(texts, tags, prep.vectors, cache_path(seed, methods), examples, pool, methods=methods,
                 hashtag_lists=top["hashtags"].tolist(), seed=seed, progress=progress)


def tagspace_scope(models: DemoModels, seed=config.DEFAULT_SEED, data_root=None, mode="lesson") -> str:
    """Why the demo's #TagSpace ranks fewer hashtags than notebook 04's, as a sentence computed
    from the demo's model and the corpus (notebook 04 keeps every hashtag of the whole corpus
    seen on at least ``min_count`` cleaned posts; the demo trains on the label-set tweets only)."""
    from tagzsl import corpus, experiments
    from tagzsl.experiments import tagspace as exp04

    label = next((lbl for lbl, m in models.methods.items() if m == "tagspace"), None)
    if label is None:
        raise ValueError("the demo serves no #TagSpace model: there is no scope to explain")
    n, rec = len(models.recommenders[label].hashtags_), models.recommenders[label]
    min_count = rec.get_params().get("min_count", 1)   # the backend's default when a folder omits it
    full = experiments.settings_for(exp04, "full").min_count
    prep = corpus.prepare(root=data_root, seed=seed, quick=mode == "quick")
    counts = prep.clean["hashtags"].explode().value_counts()
    return (f"The demo's #TagSpace ranks {n:,} hashtags: it is trained only on the label-set tweets outside "
            f"the test split and keeps the hashtags they carry on at least {min_count} tweets. Notebook 04 "
            f"draws its split from all {len(prep.clean):,} cleaned posts of the corpus and ranks every one of the "
            f"{int((counts >= full).sum()):,} hashtags seen on at least {full} of them.")


def load_or_train(seed=config.DEFAULT_SEED, data_root=None, mode="lesson", retrain=False) -> DemoModels:
    """The cached demo models for ``mode`` (``"lesson"``, or ``"quick"`` for a smoke run), trained
    first if needed; a damaged cache is trained again (saying so)."""
    path = cache_path(seed, methods_for(mode))
    if not retrain and (path / MANIFEST).is_file():
        try:
            return load(path)
        except DamagedCache as err:
            print(f"tagzsl demo: the cached models are damaged ({err}); training them again", flush=True)
    return train_on_corpus(seed, data_root, mode)
