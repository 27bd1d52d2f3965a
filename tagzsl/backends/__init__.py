"""Per-family parts of :class:`tagzsl.recommender.Recommender`."""
