"""``tagzsl train --data FILES``: the options, and what training on one's own posts needs.

``cli.py`` calls :func:`add_arguments` on its ``train`` parser and, when ``--data`` is given,
:func:`load` before building the model; every :class:`~tagzsl.own_data.DataError` is one line
for the user (exit 1), raised before any long stage that the files' content does not need.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from tagzsl import config, own_data, own_training, own_vectors

MULTI_LABEL = ("tagspace", "wsabie")


def add_arguments(parser) -> None:
    """The own-data options of ``tagzsl train``."""
    group = parser.add_argument_group("your own posts")
    group.add_argument("--data", nargs="+", metavar="FILE",
                       help="your posts: Twitter API JSON lines (v1.1 or v2), CSV/TSV with a text column, or "
                            "plain text with one post per line; gzip allowed")
    group.add_argument("--text-column", metavar="NAME", help="the CSV/TSV column holding the post (default: text)")
    group.add_argument("--lang", metavar="CODE", help="keep only posts in this language (metadata, else py3langid), "
                                                      "e.g. en")
    group.add_argument("--labels", type=int, default=50, metavar="N",
                       help="supervised and zero-shot methods: N hashtags by the paper's rule (default 50)")
    group.add_argument("--min-count", type=int, default=10, metavar="K",
                       help="tagspace/wsabie: every hashtag with at least K posts (default 10)")
    group.add_argument("--vectors", metavar="FILE",
                       help="pretrained word vectors (word2vec binary/text, GloVe text, fastText .bin) instead of "
                            "skip-gram trained on your posts")


@dataclass
class OwnData:
    """What training needs: ``texts`` (cleaned, space-joined) and ``hashtags`` (a string per text)
    for ``Recommender.fit`` (None for tagspace/wsabie, which ``Recommender.fit_encoded`` streams
    from ``encoded`` with ``labels``), the word ``vectors`` (tagspace/wsabie: only those of
    ``--vectors``), the label set (``labels``), the encoded corpus and the funnel ``summary``."""

    texts: list
    hashtags: list
    vectors: object
    labels: own_training.Labels
    encoded: own_data.Encoded
    summary: str


def load(args, method: str, seed: int = config.DEFAULT_SEED, progress: bool = True, out=None) -> OwnData:
    """Read, clean and encode ``args.data`` (cached), pick the labels for ``method``, get the vectors.

    Raises :class:`~tagzsl.own_data.DataError` for bad input. Order: the vectors file is checked
    first (cheap), then the posts are read, then labels are chosen, and only then word2vec trains.
    """
    if getattr(args, "labels", 50) < 2:
        raise own_data.DataError(f"--labels {args.labels}: a recommender needs at least 2 hashtags")
    if getattr(args, "vectors", None):
        own_vectors.detect(args.vectors)
    encoded = own_data.encode(args.data, text_column=args.text_column, lang=args.lang, progress=progress)
    labels = own_training.select_labels(encoded, method in MULTI_LABEL, n_labels=args.labels,
                                    min_count=args.min_count, seed=seed)
    summary = own_data.funnel_summary(encoded) + f"\nLabels: {labels.note}"
    print(summary, file=out or sys.stderr)  # resolved at call time (a redirected stderr is honoured)
    if method in MULTI_LABEL:  # streamed from disk by Recommender.fit_encoded; they learn their own word table
        vectors = own_vectors.load(args.vectors) if args.vectors else None
        return OwnData(None, None, vectors, labels, encoded, summary)
    vectors = own_vectors.load(args.vectors) if args.vectors else own_vectors.train(
        encoded, seed=seed, progress=(out or sys.stderr) if progress else None)
    return OwnData(own_training.texts(encoded, labels.rows), list(labels.hashtags), vectors, labels, encoded, summary)


def training_data(args) -> tuple[OwnData, dict]:
    """``(own data, hparams)`` for ``tagzsl train --data FILE...``: :func:`load` (read, cleaned and
    encoded once, cached; labels by the paper's rule or ``--min-count``) and the notebooks'
    settings for ``args.method``. Bad input: :class:`~tagzsl.own_data.DataError`."""
    from tagzsl import experiments, hparams

    settings = experiments.settings_for(hparams.experiment_module(args.method), "quick" if args.quick else "full")
    hp = hparams.for_method(args.method, settings)
    if hparams.family(args.method) == "tagspace":
        hp["min_count"] = args.min_count  # saved with the model: the rule that chose its hashtags
    return load(args, method=args.method, seed=args.seed), hp
