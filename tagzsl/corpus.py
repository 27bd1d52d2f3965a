"""The prepared corpus every notebook starts from: seven public tweet sources, cleaned, cached.

``prepare()`` reads the chosen sources (default all seven: six public GitHub repositories
and TweetEval; local copy or verified download, :mod:`tagzsl.data.github`), identifies the
language of posts without metadata, finds the collection hashtags that are not labels
(:mod:`tagzsl.data.artefacts`), runs the paper's cleaning funnel over the union
(:func:`tagzsl.preprocess.clean_corpus`), selects the label set by the paper's rule
(:func:`tagzsl.preprocess.select_label_set`) and trains word2vec on every cleaned English
post. The cleaned frame also feeds the #TagSpace corpus (``tagspace.build_corpus``).
Expensive artefacts are cached under ``<cache>/artefacts/``; change the cleaning code and
bump ``VERSION`` to invalidate them. ``sources=TWEETEVAL_ONLY`` gives the earlier corpus.
"""
from __future__ import annotations

import hashlib
import logging
import pickle
import dataclasses
from dataclasses import dataclass, field

import pandas as pd

from tagzsl import config, embeddings, preprocess
from tagzsl.data import artefacts, language
from tagzsl.data.github import BASE_URL, load_sources
from tagzsl.data.sources import ALL, TWEETEVAL_ONLY, resolve

log = logging.getLogger(__name__)
VERSION = 5
__all__ = ["ALL", "TWEETEVAL_ONLY", "MIN_LABEL_POSTS", "Prepared", "from_files", "prepare", "statistics"]

#: a label of one's own collection needs this many posts (5 stratified folds and a validation slice)
MIN_LABEL_POSTS = 10


@dataclass
class Prepared:
    """Everything the experiments need.

    * ``raw``: every post read (``id, text, source, unit, lang``; ``lang`` identified where a
      source has no metadata);
    * ``clean``: cleaned posts with at least one hashtag (``id, raw, text, tokens, hashtags,
      source, ...``); ``steps`` / ``steps_by_source``: the funnel (Table 1), overall and per source;
    * ``top``: the label set (``id, text, tokens, hashtag, hashtags, source``), made by
      ``label_rule`` ("paper" or "fallback", explained in ``label_note``; ``qualifying``
      hashtags met the paper's rule);
    * ``vectors``: word2vec (gensim ``KeyedVectors``) trained on every cleaned English post;
    * ``report``: what was read per source; ``exclusions``: collection hashtags not used as labels.
    """

    raw: pd.DataFrame
    clean: pd.DataFrame
    steps: pd.DataFrame
    top: pd.DataFrame
    vectors: object
    skipped_files: list
    steps_by_source: pd.DataFrame | None = None
    report: pd.DataFrame | None = None
    exclusions: pd.DataFrame | None = None
    label_rule: str = ""
    label_note: str = ""
    qualifying: int = 0
    sources: tuple = field(default_factory=tuple)
    encoded: object = None

    @property
    def hashtags(self) -> list[str]:
        """The label set's hashtags, most frequent first."""
        return list(dict.fromkeys(self.top["hashtag"]))


def _key(*parts) -> str:
    return hashlib.sha256(repr((VERSION,) + parts).encode()).hexdigest()[:16]


def _cached(name: str, key: str, build):
    """The cached artefact ``name`` for ``key``, else ``build()`` written atomically to the cache.

    A cache file that cannot be read back (truncated, damaged, written by another version) is a
    cache miss: that one file is removed, said in one log line, and the artefact rebuilt.
    """
    path = config.cache_dir() / "artefacts" / f"{name}-{key}.pkl"
    if path.is_file():
        try:
            with open(path, "rb") as fh:
                return pickle.load(fh)
        except Exception as err:  # noqa: BLE001 - any unreadable cache file (a damaged pickle can
            # raise UnpicklingError, EOFError, MemoryError, ...) is only a cache miss
            log.warning("cache file %s could not be read (%s: %s); removing it and rebuilding",
                        path, type(err).__name__, err)
            path.unlink(missing_ok=True)
    value = build()
    config.atomic_write_bytes(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


def prepare(sources=ALL, root=None, n_hashtags: int = 50, per_hashtag: int = 200, min_tweets: int = 200,
            quick: bool = False, seed: int = config.DEFAULT_SEED, w2v_epochs: int | None = None,
            cache: bool = True, files=None, text_column: str | None = None, lang: str | None = None) -> Prepared:
    """Load, clean, label and embed the chosen sources (cached).

    Args:
        sources: source names (default all seven, :data:`ALL`; :data:`TWEETEVAL_ONLY` for the
            earlier TweetEval-only corpus).
        root: local corpus root (default ``TAGZSL_DATA``; ``None`` downloads).
        n_hashtags, min_tweets, per_hashtag: the paper's rule (50 hashtags with >= 200 tweets,
            200 each; when fewer qualify, the explicit fallback of ``select_label_set``).
        quick: train word2vec for one epoch on the cleaned posts with hashtags (words, then
            hashtags) instead of five epochs on every English post (smoke runs; results differ).
        seed: the seed for the label sampling and word2vec.
        files: a person's own files instead of the built-in sources (the notebooks' ``DATA_FILES``):
            :func:`from_files` with ``text_column`` and ``lang``; ``sources`` and ``root`` are unused.
    """
    if files is not None:  # a class's own collection: as many labels as it has, up to n_hashtags
        return from_files(files, text_column=text_column, lang=lang, n_hashtags=n_hashtags, cap_labels=True,
                          per_hashtag=per_hashtag, min_tweets=min_tweets, seed=seed,
                          w2v_epochs=w2v_epochs if w2v_epochs is not None else (1 if quick else 5))
    names = resolve(sources)
    loaded = load_sources(names, root=root)
    raw = loaded.frame
    where = str(config.data_root().resolve()) if root is None and config.data_root() else str(root or BASE_URL)
    epochs = w2v_epochs if w2v_epochs is not None else (1 if quick else 5)
    data_key = (names, where, len(raw), int(raw["text"].str.len().sum()), artefacts.SHARE,
                artefacts.MIN_UNIT_POSTS, language.TWITTER_LANGUAGES, preprocess.MIN_WORDS)

    def build_clean():
        lang = language.fill_languages(raw["lang"], raw["text"])
        excluded, table = artefacts.collection_hashtags(raw)
        result = preprocess.clean_corpus(raw.assign(lang=lang), artefacts=excluded)
        return list(lang), result.frame, result.steps, result.by_source, table

    if cache:
        lang, clean, steps, by_source, exclusions = _cached("clean", _key(*data_key), build_clean)
    else:
        lang, clean, steps, by_source, exclusions = build_clean()
    raw = raw.assign(lang=lang)

    def build_vectors():
        if quick:
            sentences = [list(t) + list(h) for t, h in zip(clean["tokens"], clean["hashtags"])]
        else:
            english = raw[[preprocess.is_english(x) for x in raw["lang"]]]
            sentences = preprocess.word2vec_sentences(english)
        log.info("training word2vec (skip-gram, %d-d, %d epochs) on %d posts", embeddings.DIM, epochs, len(sentences))
        return embeddings.train_word2vec(sentences, epochs=epochs, seed=seed)

    w2v_key = _key(*data_key, epochs, seed, quick)
    vectors = _cached("word2vec", w2v_key, build_vectors) if cache else build_vectors()
    labels = preprocess.select_label_set(clean, n=n_hashtags, min_tweets=min_tweets, per_hashtag=per_hashtag,
                                         seed=seed)
    log.info("label set: %s", labels.note)
    return Prepared(raw=raw, clean=clean, steps=steps, top=labels.frame, vectors=vectors,
                    skipped_files=list(loaded.skipped_files), steps_by_source=by_source,
                    report=loaded.report, exclusions=exclusions, label_rule=labels.rule,
                    label_note=labels.note, qualifying=labels.qualifying, sources=names)


def from_files(paths, text_column: str | None = None, lang: str | None = None, n_hashtags: int = 50,
               per_hashtag: int = 200, min_tweets: int = 200, seed: int = config.DEFAULT_SEED,
               vectors=None, w2v_epochs: int = 5, progress: bool = False, cap_labels: bool = False) -> Prepared:
    """A :class:`Prepared` from a person's own files (the streamed path, :mod:`tagzsl.own_data`).

    ``paths``: Twitter JSON lines, CSV/TSV (``text_column``) or plain-text files, gzip allowed;
    ``lang``: keep only posts in that language; ``vectors``: a pretrained vectors file (else
    skip-gram on the posts, ``w2v_epochs`` epochs). The attributes are :func:`prepare`'s: ``clean``
    holds every kept post (``id`` = its row in the encoded corpus, ``text``, ``tokens``,
    ``hashtags``, ``source`` = ``"own"``), ``top`` the paper's label set (or its fallback),
    ``steps`` the funnel, ``report`` what each file gave; ``raw`` holds the same posts as ``clean``
    with their cleaned text (raw posts are streamed, never held); ``encoded`` is the on-disk corpus.
    ``cap_labels`` (the notebooks' ``DATA_FILES``): a collection with fewer than ``n_hashtags``
    hashtags carried by >= :data:`MIN_LABEL_POSTS` posts gets a label set of those it has (said
    in ``label_note``) instead of an error.
    Raises :class:`tagzsl.own_data.DataError` (one line) for unusable input.
    """
    from tagzsl import own_data, own_training, own_vectors

    encoded = own_data.encode(paths, text_column=text_column, lang=lang, progress=progress)
    rows = encoded.kept
    words, tags = encoded.words, encoded.hashtags
    token_ids, tag_ids = encoded.rows(rows)
    tokens = [[words[i] for i in ids] for ids in token_ids]
    clean = pd.DataFrame({"id": list(map(int, rows)), "text": [" ".join(t) for t in tokens], "tokens": tokens,
                          "hashtags": [[tags[i] for i in ids] for ids in tag_ids], "source": "own"})
    capped = None
    if cap_labels:
        eligible = int((encoded.tag_counts() >= MIN_LABEL_POSTS).sum())
        if 2 <= eligible < n_hashtags:
            capped, n_hashtags = n_hashtags, eligible
    labels = own_training.select_labels(encoded, False, n_labels=n_hashtags, min_tweets=min_tweets,
                                    per_hashtag=per_hashtag, seed=seed)
    if capped is not None:
        labels = dataclasses.replace(labels, note=f"{n_hashtags} labels, not {capped}: only {n_hashtags} hashtags of "
                                                  f"these files are on >= {MIN_LABEL_POSTS} posts; {labels.note}")
    by_id = clean.set_index("id")
    top = by_id.loc[labels.rows, ["text", "tokens", "hashtags", "source"]].reset_index()
    top.insert(3, "hashtag", labels.hashtags)
    kv = own_vectors.load(vectors) if vectors else own_vectors.train(encoded, epochs=w2v_epochs, seed=seed)
    steps = pd.DataFrame(encoded.steps, columns=["step", "tweets"])
    report = pd.DataFrame(encoded.files)
    return Prepared(raw=clean[["id", "text", "source"]].assign(lang=lang), clean=clean, steps=steps, top=top,
                    vectors=kv, skipped_files=[], report=report, label_rule=labels.rule, label_note=labels.note,
                    qualifying=labels.qualifying, sources=("own",),
                    encoded=encoded)


def statistics(prepared: Prepared) -> pd.DataFrame:
    """Dataset statistics of a prepared corpus (one row per quantity)."""
    clean, top, kv = prepared.clean, prepared.top, prepared.vectors
    per_tag = top["hashtag"].value_counts()
    counts = preprocess.hashtag_counts(clean)
    rows = [
        ("sources", len(prepared.sources) or prepared.raw["source"].nunique()),
        ("posts read", len(prepared.raw)),
        ("English posts", int(sum(preprocess.is_english(x) for x in prepared.raw["lang"]))),
        ("cleaned posts with >= 1 hashtag", len(clean)),
        ("cleaned posts with > 1 hashtag", int((clean["hashtags"].map(len) > 1).sum())),
        ("distinct hashtags in cleaned posts", len(counts)),
        ("hashtags with >= 200 cleaned posts", int((counts >= 200).sum())),
        ("hashtags with >= 10 cleaned posts (#TagSpace candidates)", int((counts >= 10).sum())),
        ("mean words per cleaned post", round(clean["tokens"].map(len).mean(), 2)),
        ("label set: rule", prepared.label_rule or "top-n"),
        ("label set: hashtags qualifying by the paper's rule", prepared.qualifying),
        ("label set: hashtags", per_tag.size),
        ("label set: tweets", len(top)),
        ("label set: tweets per hashtag (min)", int(per_tag.min())),
        ("label set: tweets per hashtag (max)", int(per_tag.max())),
        ("label set: word vocabulary", top["tokens"].explode().nunique()),
        ("word2vec vocabulary (min_count 2)", len(kv.key_to_index)),
        ("word2vec dimension", kv.vector_size),
        ("label-set tokens without a vector (OOV rate, %)", round(100 * embeddings.oov_rate(kv, top["tokens"]), 2)),
        ("label-set hashtags without a vector", len(embeddings.hashtag_vectors(kv, prepared.hashtags)[1])),
        ("files missing from the corpus copy", len(prepared.skipped_files)),
    ]
    quantities, values = zip(*rows)
    values = [int(v) if hasattr(v, "item") and float(v).is_integer() else v for v in values]
    return pd.DataFrame({"value": pd.Series(values, index=quantities, dtype=object)}).rename_axis("quantity")
