"""tagzsl: hashtag recommendation, supervised, zero-shot and #TagSpace, in Keras 3.

``tagzsl.HashtagRecommender`` is the entry point for people; it is imported lazily so that
``import tagzsl`` stays cheap (TensorFlow loads on first use).
"""
__version__ = "0.1.0"
__all__ = ["HashtagRecommender"]


def __getattr__(name):
    if name == "HashtagRecommender":
        from tagzsl.recommender import HashtagRecommender

        return HashtagRecommender
    raise AttributeError(f"module 'tagzsl' has no attribute {name!r}")
