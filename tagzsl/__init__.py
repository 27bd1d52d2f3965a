"""tagzsl: hashtag recommendation, supervised, zero-shot and #TagSpace, in Keras 3."""
__version__ = "0.1.0"
