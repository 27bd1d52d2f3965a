"""Rebuilding a saved recommender's parts and checking they fit each other before any model
runs: a damaged or mixed model folder gives one :class:`tagzsl.storage.ModelFolderError` line
naming the file and saying to retrain, not a shape error from inside TensorFlow."""
from __future__ import annotations

from tagzsl import storage


def mismatch(directory, name: str, what: str) -> storage.ModelFolderError:
    return storage.ModelFolderError(f"{directory / name} {what}: the model folder is damaged or mixed "
                                    f"from two models; {storage.RETRAIN}")


def embedding_rows(model) -> list[int]:
    import keras

    def layers(layer):
        yield layer
        for sub in getattr(layer, "layers", ()):
            yield from layers(sub)
    return [layer.input_dim for layer in layers(model) if isinstance(layer, keras.layers.Embedding)]


def check_fits(directory, model, vocabulary, outputs: int | None = None, features: int | None = None) -> None:
    """ModelFolderError unless ``model`` (from ``model.keras``) has an embedding row per word of
    ``vocabulary``, ``outputs`` outputs (one per hashtag in ``config.json``) or ``features`` of them."""
    rows = embedding_rows(model)
    if rows and rows[0] != len(vocabulary):
        raise mismatch(directory, storage.VOCABULARY, f"has {len(vocabulary)} words but {storage.MODEL} "
                        f"embeds {rows[0]}")
    width = model.outputs[0].shape[-1]
    if outputs is not None and width != outputs:
        raise mismatch(directory, storage.CONFIG, f"lists {outputs} hashtags but {storage.MODEL} scores {width}")
    if features is not None and width != features:
        raise mismatch(directory, storage.ARRAYS, f"expects {features}-d tweet features but {storage.MODEL} "
                        f"gives {width}")


def check_zero_shot(directory, rec, vocabulary) -> None:
    """The zero-shot folder's arrays fit each other, the hashtag list and the model."""
    seen, n = rec.arrays_.get("seen"), len(rec.hashtags_)
    if seen is None or seen.ndim != 2 or len(seen) != n:
        raise mismatch(directory, storage.ARRAYS, f"needs 'seen', one vector per hashtag of {storage.CONFIG} ({n})")
    if rec.method == "conse":
        check_fits(directory, rec.model_, vocabulary, outputs=n)
    elif rec.method == "dem":
        check_fits(directory, rec.model_, vocabulary, features=seen.shape[1])
    else:
        W = rec.arrays_.get("W")
        if W is None or W.ndim != 2 or W.shape[1] != seen.shape[1]:
            raise mismatch(directory, storage.ARRAYS, f"needs 'W', a (features x {seen.shape[1]}) ESZSL map")
        check_fits(directory, rec.model_, vocabulary, features=W.shape[0])


def check_reference(directory, backend) -> None:
    """The hubness reference (``reference.npz``, if any) has one column per model output."""
    reference = backend.reference_
    if reference is None:
        return
    width = backend.output_width if backend.by_vector else None  # #TagSpace ranks without one
    if reference.shape[1] != width:
        raise mismatch(directory, storage.REFERENCE, f"holds {reference.shape[1]} outputs per tweet but the "
                       f"model {f'gives {width}' if width else 'takes none'}")


def read_tagspace(directory, method: str, hashtags, vocabulary, hparams) -> tuple:
    """``(model, encoder)`` of a #TagSpace/WSABIE folder: the model rebuilt from its
    hyper-parameters and ``arrays.npz``'s weights, their shapes checked first."""
    from tagzsl import models, tagspace

    encoder = tagspace.Encoder()
    encoder.vectorizer_ = models.text_vectorizer(vocabulary=vocabulary, sequence_length=encoder.seq_len)
    encoder.vocabulary_ = encoder.vectorizer_.get_vocabulary()
    encoder.tags_, encoder.tag_index_ = list(hashtags), {t: i for i, t in enumerate(hashtags)}
    arrays = storage.read_arrays(directory / storage.ARRAYS)
    shape = {k: hparams[k] for k in ("dim", "hidden") if k in hparams and (k != "hidden" or method == "tagspace")}
    model = tagspace.build_model(method, len(encoder.vocabulary_), len(encoder.tags_), **shape)
    want = [tuple(w.shape) for w in model.weights]
    got = [tuple(arrays[k].shape) for k in sorted(arrays)]
    if got != want:
        raise mismatch(directory, storage.ARRAYS, f"holds weights of shapes {got}, but the model of "
                        f"{storage.CONFIG} and {storage.VOCABULARY} ({len(vocabulary)} words, {len(hashtags)} "
                        f"hashtags) needs {want}")
    model.set_weights([arrays[k] for k in sorted(arrays)])
    return model, encoder
