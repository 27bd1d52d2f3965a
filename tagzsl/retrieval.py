"""An analogue of #TagSpace's document recommendation task (its Table 5).

The paper ranks a document a user later engaged with among 10,000 unrelated documents,
scoring each candidate by its maximum similarity to the user's past posts. Public user
histories do not exist for TweetEval, so this is an ANALOGUE, not the paper's task: for each
hashtag of the test split, the "history" is a set of training posts carrying that hashtag,
the target is one held-out test post carrying it, and the 10,000 distractors are posts that
share no hashtag with the target or the queries. A candidate's score is its maximum cosine
similarity to the query posts (TagSpace post embeddings, a TF-IDF bag of words, or the sum).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tagzsl import config, embeddings


@dataclass
class RetrievalTask:
    """One query: ``queries`` and ``target`` index into the pooled posts; ``candidates`` are distractors."""

    hashtag: str
    queries: np.ndarray
    target: int
    candidates: np.ndarray


def pool_posts(corpus) -> pd.DataFrame:
    """Every post of the three splits, with a ``split`` column (rows are the indices tasks use)."""
    parts = [getattr(corpus, s).assign(split=s) for s in ("train", "val", "test")]
    return pd.concat(parts, ignore_index=True)


def make_tasks(corpus, n_queries: int = 10, n_distractors: int = 10_000, max_tasks: int | None = None,
               seed: int = config.DEFAULT_SEED) -> tuple[pd.DataFrame, list[RetrievalTask]]:
    """Build the tasks (seeded): one per test hashtag that also has training posts."""
    posts = pool_posts(corpus)
    rng = np.random.default_rng(seed)
    tag_sets = [set(h) for h in posts["hashtags"]]
    by_tag: dict[str, list[int]] = {}
    for i, tags in enumerate(tag_sets):
        for t in tags:
            by_tag.setdefault(t, []).append(i)
    split = posts["split"].to_numpy()
    test_tags = sorted({t for h in corpus.test["hashtags"] for t in h})
    tasks = []
    for tag in test_tags:
        members = np.array(by_tag[tag])
        train_m = members[split[members] == "train"]
        test_m = members[split[members] == "test"]
        if len(train_m) == 0 or len(test_m) == 0:
            continue
        target = int(rng.choice(test_m))
        queries = rng.choice(train_m, size=min(n_queries, len(train_m)), replace=False)
        banned = set().union(tag_sets[target], *(tag_sets[q] for q in queries))
        free = np.array([i for i, tags in enumerate(tag_sets) if not (tags & banned)])
        if len(free) == 0:
            continue
        cands = rng.choice(free, size=min(n_distractors, len(free)), replace=False)
        tasks.append(RetrievalTask(tag, np.sort(queries), target, np.sort(cands)))
    if max_tasks is not None and len(tasks) > max_tasks:
        keep = np.sort(rng.choice(len(tasks), size=max_tasks, replace=False))
        tasks = [tasks[i] for i in keep]
    return posts, tasks


def _normalise(x):
    """Unit rows: scipy sparse through scikit-learn, dense as float64 (the hand-worked rank tests
    must not meet float32 ties)."""
    if hasattr(x, "multiply"):  # scipy sparse
        from sklearn.preprocessing import normalize

        return normalize(x)
    return embeddings.unit_rows(x, dtype="float64")


def max_cosine(vectors, task: RetrievalTask) -> np.ndarray:
    """Scores of ``[target] + candidates``: max cosine similarity to the task's query posts."""
    rows = np.concatenate([[task.target], task.candidates])
    sims = vectors[rows] @ vectors[task.queries].T
    sims = sims.toarray() if hasattr(sims, "toarray") else np.asarray(sims)
    return sims.max(axis=1)


def tfidf_vectors(posts: pd.DataFrame, fit_rows=None):
    """L2-normalised TF-IDF vectors of the posts' words (fitted on ``fit_rows``, default all)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = posts["tokens"].map(" ".join)
    vec = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, sublinear_tf=True)
    vec.fit(texts if fit_rows is None else texts.iloc[fit_rows])
    return _normalise(vec.transform(texts))


def rank_metrics(ranks, ks=(1, 10, 50)) -> dict:
    """P@1 (= R@1 with one target), R@k and mean rank, in percent like the paper's Table 5."""
    ranks = np.asarray(ranks)
    out = {("P@1" if k == 1 else f"R@{k}"): 100.0 * float(np.mean(ranks <= k)) for k in ks}
    out["mean_rank"] = float(np.mean(ranks))
    return out


def evaluate(tasks, scorers: dict) -> pd.DataFrame:
    """Rank each task's target among its distractors under each scorer; one row per scorer.

    ``scorers`` maps a name to a function ``task -> scores of [target] + candidates``.
    Ties count against the target.
    """
    rows = []
    for name, score in scorers.items():
        ranks = []
        for task in tasks:
            s = score(task)
            if np.isnan(s).any():  # NaN compares false: the target would rank first
                raise ValueError(f"scorer {name!r} gave NaN scores for {task.hashtag}; check its vectors")
            ranks.append(int((s[1:] >= s[0]).sum()) + 1)
        rows.append({"method": name, **rank_metrics(ranks), "tasks": len(tasks)})
    return pd.DataFrame(rows)


def standard_scorers(posts: pd.DataFrame, embeddings: dict, tfidf=None, combine: dict | None = None) -> dict:
    """Scorers for named post-embedding matrices, TF-IDF ("BoW") and sums (``combine``: name -> key).

    ``embeddings``: name -> ``(n_posts, d)`` array aligned with ``posts``.
    """
    normed = {name: _normalise(e) for name, e in embeddings.items()}
    scorers = {name: (lambda task, v=v: max_cosine(v, task)) for name, v in normed.items()}
    if tfidf is not None:
        scorers["BoW (TF-IDF)"] = lambda task: max_cosine(tfidf, task)
        for name, key in (combine or {}).items():
            scorers[name] = lambda task, v=normed[key]: max_cosine(v, task) + max_cosine(tfidf, task)
    return scorers
