"""Word vectors for a person's own posts: skip-gram trained on them, or a pretrained file.

* :func:`train`: the paper's choice (skip-gram, 150-d, :mod:`tagzsl.embeddings` settings) on
  the encoded corpus's re-iterable sentence stream (:meth:`tagzsl.own_data.Encoded.sentences`:
  each kept post's words with its hashtags as words), cached next to the encoded corpus;
* :func:`load`: ``--vectors FILE`` in the formats gensim reads, detected from the content:
  fastText ``.bin`` (with subwords, ``load_facebook_vectors``), word2vec binary, word2vec text
  (a ``count dim`` header), GloVe text (no header). An unreadable file is one
  :class:`~tagzsl.own_data.DataError` line.
"""
from __future__ import annotations

import logging
import pathlib
import struct

from tagzsl import embeddings
from tagzsl.data.user_files import DataError

log = logging.getLogger(__name__)
FASTTEXT_MAGIC = 793712314   # the int32 that starts a fastText .bin model
FORMATS = ("fasttext", "word2vec-binary", "word2vec-text", "glove")


def _epoch_lines(out):
    """A gensim callback printing one line an epoch to ``out``: seconds and words per second."""
    import time

    from gensim.models.callbacks import CallbackAny2Vec

    class Progress(CallbackAny2Vec):
        def on_epoch_begin(self, model):
            self.start = time.perf_counter()

        def on_epoch_end(self, model):
            seconds = max(time.perf_counter() - self.start, 1e-9)
            self.epoch = getattr(self, "epoch", 0) + 1
            print(f"word vectors: epoch {self.epoch}/{model.epochs}, {seconds:.1f} s, "
                  f"{model.corpus_total_words / seconds:,.0f} words/s", file=out, flush=True)

    return Progress()


def train(encoded, epochs: int = 5, seed: int = 2019, cache: bool = True, progress=None):
    """Skip-gram vectors (``KeyedVectors``) trained on ``encoded``'s posts (cached in its folder);
    ``progress``: a stream for one line an epoch (seconds, words/s), or None."""
    from gensim.models import Word2Vec

    path = pathlib.Path(encoded.directory) / f"word2vec-e{epochs}-s{seed}.kv"
    if cache and path.is_file():
        return embeddings.load_vectors(path)
    model = Word2Vec(sentences=encoded.sentences(), vector_size=embeddings.DIM, window=5, min_count=2, sg=1,
                     negative=5, epochs=epochs, seed=seed, workers=1, hashfxn=embeddings.stable_hash,
                     callbacks=[_epoch_lines(progress)] if progress is not None else ())
    if cache:
        embeddings.save_vectors(model.wv, path)
    return model.wv


def detect(path) -> str:
    """The format of a vectors file (one of :data:`FORMATS`); :class:`DataError` when none fits."""
    path = pathlib.Path(path).expanduser()
    if not path.is_file():
        raise DataError(f"no word-vector file at {path}; check the --vectors path")
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if len(head) >= 4 and struct.unpack("<i", head[:4])[0] == FASTTEXT_MAGIC:
        return "fasttext"
    first, _, rest = head.partition(b"\n")
    fields = first.split()
    if len(fields) == 2 and all(f.isdigit() for f in fields):
        try:
            rest.decode("utf-8")
            float(rest.split(b"\n", 1)[0].split()[1])
            return "word2vec-text"
        except (UnicodeDecodeError, ValueError, IndexError):
            return "word2vec-binary"
    if len(fields) > 2:
        try:
            [float(f) for f in fields[1:]]
            return "glove"
        except ValueError:
            pass
    raise DataError(f"{path}: not a word-vector file gensim reads (word2vec binary or text, GloVe text, "
                    "fastText .bin); convert it to one of those")


def load(path):
    """``KeyedVectors`` from a pretrained file (:func:`detect`); :class:`DataError` if unreadable."""
    from gensim.models import KeyedVectors
    from gensim.models.fasttext import load_facebook_vectors

    path = pathlib.Path(path).expanduser()
    fmt = detect(path)
    try:
        if fmt == "fasttext":
            kv = load_facebook_vectors(str(path))
        else:
            kv = KeyedVectors.load_word2vec_format(str(path), binary=fmt == "word2vec-binary",
                                                   no_header=fmt == "glove")
    except (ValueError, EOFError, OSError, UnicodeDecodeError, struct.error, AssertionError) as err:
        raise DataError(f"{path}: cannot read it as {fmt} vectors ({str(err).splitlines()[0][:120]}); "
                        "check the file is complete") from None
    if not len(kv.key_to_index):
        raise DataError(f"{path}: the vectors file holds no words")
    log.info("loaded %d %d-d vectors (%s) from %s", len(kv.key_to_index), kv.vector_size, fmt, path)
    return kv
