"""tagzsl: hashtag recommendation, supervised, zero-shot and #TagSpace, in Keras 3.

``tagzsl.Recommender`` is the entry point for people (``HashtagRecommender`` is its older
name); it is imported lazily so that ``import tagzsl`` stays cheap (TensorFlow loads on first use).
"""
from tagzsl.config import VERSION as __version__

__all__ = ["Recommender", "HashtagRecommender"]


def __getattr__(name):
    if name in ("Recommender", "HashtagRecommender"):
        from tagzsl import recommender

        return getattr(recommender, name)
    raise AttributeError(f"module 'tagzsl' has no attribute {name!r}")
