"""tagzsl: hashtag recommendation, supervised, zero-shot and #TagSpace, in Keras 3.

``tagzsl.Recommender`` is the entry point for people; it is imported lazily so that
``import tagzsl`` stays cheap (TensorFlow loads on first use).
"""
from tagzsl.config import VERSION as __version__

__all__ = ["Recommender"]


def __getattr__(name):
    if name == "Recommender":
        from tagzsl import recommender

        return recommender.Recommender
    raise AttributeError(f"module 'tagzsl' has no attribute {name!r}")
