"""A recommender's model folder: written atomically, read without running stored code.

Nothing in a model folder is a pickle, so loading one cannot execute code:

* ``config.json`` (method, hyper-parameters, hashtags, history), ``vocabulary.json``;
* ``vectors.npz``: the word vectors as ``words`` (unicode array) and ``matrix`` (float32); for
  fastText vectors also their character n-gram vectors ``ngrams`` and ``ngram_sizes``
  (``min_n``, ``max_n``), so a hashtag never seen still gets a vector after loading;
* ``arrays.npz``: any other arrays (ESZSL's map, #TagSpace's weights, ...);
* ``reference.npz``: ``outputs``, the model's outputs for a sample of training tweets (the
  hubness correction's reference);
* ``centring.npz`` (folders saved before ``reference.npz``): ``tweet_mean``, the training
  tweets' mean ConSE vector;
* ``model.keras``: a Keras archive, loaded with ``safe_mode=True`` (no Python lambdas).

Every ``.npz`` is read with ``allow_pickle=False``. Each reader turns a damaged file into a
:class:`ModelFolderError` whose message names the file and says what to do.
"""
from __future__ import annotations

import json
import pathlib
import zipfile

import numpy as np

from tagzsl import folders

FORMAT = "tagzsl-recommender"
FORMAT_VERSION = 2
CONFIG, VOCABULARY, VECTORS, ARRAYS, MODEL = "config.json", "vocabulary.json", "vectors.npz", "arrays.npz", "model.keras"
CENTRING, REFERENCE = "centring.npz", "reference.npz"
RETRAIN = "retrain it with `tagzsl train`"


class ModelFolderError(ValueError):
    """A model folder (or a file in it) is missing, damaged or not ours; the message says which."""


# --------------------------------------------------------------------------- writing
def _is_model_folder(folder) -> bool:
    return folders.has_marker(CONFIG, "format", FORMAT)(folder)


def check_writable(directory, overwrite: bool = False) -> pathlib.Path:
    """Fail early (before any training) if ``directory`` cannot be written as a model folder:
    a link, a file, a non-empty folder that is not a tagzsl model folder (recognised by the
    ``format`` of its ``config.json``), or an existing one without ``overwrite`` (a
    :class:`tagzsl.folders.FolderError`, an ``OSError``). Returns the expanded path."""
    return folders.check_target(directory, overwrite, is_ours=_is_model_folder)


def write_folder(directory, write, overwrite: bool = False) -> pathlib.Path:
    """Call ``write(tmp)`` on a temporary sibling folder, then swap it in for ``directory``
    (:func:`tagzsl.folders.replace_atomically`, under the folder's lock): a failure, Ctrl-C or
    SIGTERM leaves nothing half-written. Only a tagzsl model folder is replaced, and only with
    ``overwrite``. ``config.json`` should be written last."""
    return folders.replace_atomically(directory, write, overwrite=overwrite, is_ours=_is_model_folder)


def write_json(path, value) -> None:
    pathlib.Path(path).write_text(json.dumps(value, indent=1))


def write_vectors(path, kv) -> None:
    """Word vectors as ``words`` + ``matrix`` in an ``.npz`` (no pickle); fastText vectors with
    their n-gram vectors too (``ngrams``, ``ngram_sizes``)."""
    arrays = {"words": np.asarray(list(kv.index_to_key), dtype=str), "matrix": np.asarray(kv.vectors, dtype="float32")}
    ngrams = getattr(kv, "vectors_ngrams", None)
    if getattr(kv, "bucket", 0) and ngrams is not None and len(ngrams):
        arrays.update(ngrams=np.asarray(ngrams, dtype="float32"), ngram_sizes=np.array([kv.min_n, kv.max_n]))
    np.savez(path, **arrays)


def _layers(layer):
    yield layer
    for sub in getattr(layer, "layers", ()):
        yield from _layers(sub)


def write_keras(path, model) -> None:
    """A Keras model for inference: no optimizer state, no initialiser constants.

    An ``Embedding`` initialised from the word vectors (``Constant(matrix)``) would write the
    whole matrix into the archive's ``config.json`` as JSON (233 MB for the zero-shot GRU,
    ~45 s to parse on load) besides the trained weights, and a compiled model its optimizer's
    moments. So an uncompiled copy sharing the layers is saved, with ``Constant`` initialisers
    swapped for ``Zeros`` while it is written (the trained weights are what loading restores).
    """
    import keras

    slim = keras.Model(model.inputs, model.outputs, name=model.name)
    swapped = [(layer, name, value) for layer in _layers(slim) for name, value in vars(layer).items()
               if name.endswith("_initializer") and isinstance(value, keras.initializers.Constant)]
    try:
        for layer, name, _ in swapped:
            setattr(layer, name, keras.initializers.Zeros())
        slim.save(path)
    finally:
        for layer, name, value in swapped:
            setattr(layer, name, value)


def write_arrays(path, arrays: dict) -> None:
    np.savez(path, **{k: np.asarray(v) for k, v in arrays.items()})


# --------------------------------------------------------------------------- reading
def read_json(path):
    """JSON from ``path``; a damaged file gives one line naming it."""
    path = pathlib.Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFolderError(f"{path} is missing: the model folder is incomplete; {RETRAIN}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ModelFolderError(f"{path} is not valid JSON ({err}): the file is truncated or corrupt; "
                               f"{RETRAIN}") from None


def read_config(directory) -> dict:
    """The folder's ``config.json``, checked for format and version."""
    directory = pathlib.Path(directory).expanduser()
    if not directory.exists():
        raise ModelFolderError(f"no model folder at {directory} (create one with `tagzsl train`)")
    if not directory.is_dir():
        raise ModelFolderError(f"{directory} is a file, not a model folder")
    if not (directory / CONFIG).is_file():
        raise ModelFolderError(f"{directory} is not a tagzsl model folder (no {CONFIG}; create one "
                               "with `tagzsl train`)")
    cfg = read_json(directory / CONFIG)
    if not isinstance(cfg, dict) or cfg.get("format") != FORMAT:
        raise ModelFolderError(f"{directory / CONFIG} is not a tagzsl recommender's config")
    if cfg.get("format_version") != FORMAT_VERSION:
        raise ModelFolderError(f"{directory} was saved in format version {cfg.get('format_version')} "
                               f"(tagzsl {cfg.get('tagzsl_version')}); this tagzsl reads version "
                               f"{FORMAT_VERSION}: {RETRAIN}")
    return cfg


def check_npz(path, what: str) -> pathlib.Path:
    """A quick check (present, a zip archive) of an ``.npz`` read later; one line naming it if not."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise ModelFolderError(f"{path} is missing: the model folder is incomplete; {RETRAIN}")
    if not zipfile.is_zipfile(path):  # np.load would try to unpickle anything else
        raise ModelFolderError(f"{path} is corrupt or truncated ({what}); {RETRAIN}")
    return path


def _npz(path, what):
    path = check_npz(path, what)
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except ValueError as err:
        if "pickle" in str(err).lower():
            raise ModelFolderError(f"{path} holds pickled objects, which tagzsl never writes and will "
                                   "not load (they can run code); not loading it") from None
        raise ModelFolderError(f"{path} is corrupt ({what}: {err}); {RETRAIN}") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as err:
        raise ModelFolderError(f"{path} is corrupt or truncated ({what}: {err}); {RETRAIN}") from None


def read_arrays(path) -> dict:
    return _npz(path, "not an array archive")


def read_vector(path, name: str) -> np.ndarray:
    """The 1-d float array ``name`` from an ``.npz``; one line naming the file if there is none."""
    vector = _npz(path, "not an array archive").get(name)
    if vector is None or vector.ndim != 1 or not np.isfinite(vector).all():
        raise ModelFolderError(f"{path} has no usable {name!r} vector; {RETRAIN}")
    return vector.astype("float32")


def read_matrix(path, name: str) -> np.ndarray:
    """The 2-d float array ``name`` (at least one row, finite) from an ``.npz``; one line naming the file if not."""
    matrix = _npz(path, "not an array archive").get(name)
    if matrix is None or matrix.ndim != 2 or not len(matrix) or not np.isfinite(matrix).all():
        raise ModelFolderError(f"{path} has no usable {name!r} matrix; {RETRAIN}")
    return matrix.astype("float32")


def read_vectors(path):
    """Gensim ``KeyedVectors`` rebuilt from a :func:`write_vectors` file (``FastTextKeyedVectors``
    when it holds n-gram vectors)."""
    from gensim.models import KeyedVectors
    from gensim.models.fasttext import FastTextKeyedVectors

    data = _npz(path, "not a word-vector file")
    words, matrix, ngrams, sizes = (data.get(k) for k in ("words", "matrix", "ngrams", "ngram_sizes"))
    if words is None or matrix is None or matrix.ndim != 2 or len(words) != len(matrix):
        raise ModelFolderError(f"{path} is corrupt (not a word-vector file: expected 'words' and a "
                               f"matching 'matrix'); {RETRAIN}")
    if ngrams is None:
        kv = KeyedVectors(vector_size=matrix.shape[1])
    elif (ngrams.ndim != 2 or ngrams.shape[1] != matrix.shape[1] or not len(ngrams) or sizes is None
          or sizes.shape != (2,) or not 1 <= sizes[0] <= sizes[1]):
        raise ModelFolderError(f"{path} is corrupt (its subword vectors: expected 'ngrams' as wide as "
                               f"'matrix' and 'ngram_sizes' = min_n, max_n); {RETRAIN}")
    else:
        kv = FastTextKeyedVectors(matrix.shape[1], int(sizes[0]), int(sizes[1]), len(ngrams))
    kv.add_vectors([str(w) for w in words], matrix.astype("float32"))
    if ngrams is not None:
        kv.vectors_ngrams = ngrams.astype("float32")
    return kv


def read_keras(path):
    """A Keras model from a ``.keras`` archive, in safe mode; one line for a damaged file. The
    caller imports the module that registers any custom layers first (this module knows no model)."""
    import keras

    path = pathlib.Path(path)
    if not path.is_file():
        raise ModelFolderError(f"{path} is missing: the model folder is incomplete; {RETRAIN}")
    if not zipfile.is_zipfile(path):
        raise ModelFolderError(f"{path} is corrupt or truncated (not a Keras archive); {RETRAIN}")
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as err:  # Keras raises many types for a damaged archive
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ModelFolderError(f"{path} could not be loaded ({reason[:200]}); {RETRAIN}") from None
