"""Model folders saved by tagzsl before the backend redesign (tests/fixtures/old_models, made
with tests/fixtures/make_old_models.py at commit 8786556 on a synthetic corpus) load and rank
exactly as they did then."""
import json
import pathlib

import numpy as np
import pytest

from tagzsl.recommender import Recommender

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "old_models"
EXPECTED = json.loads((FIXTURES / "rankings.json").read_text()) if (FIXTURES / "rankings.json").is_file() else None


@pytest.mark.skipif(EXPECTED is None, reason="fixture folders missing")
@pytest.mark.parametrize("method", sorted(EXPECTED["rankings"]) if EXPECTED else [])
def test_a_folder_saved_before_the_redesign_ranks_as_it_did(method):
    rec = Recommender.load(FIXTURES / method)
    want = EXPECTED["rankings"][method]
    got = {"trained": rec.recommend(EXPECTED["texts"], k=3)}
    got["candidates"] = (rec.recommend(EXPECTED["texts"], k=2, candidates=rec.hashtags_[:3]) if method == "tagspace"
                         else rec.recommend(EXPECTED["texts"], k=3, candidates=EXPECTED["candidates"]))
    for key in ("trained", "candidates"):
        for a, b in zip(got[key], want[key]):
            assert [t for t, _ in a] == [t for t, _ in b]
            np.testing.assert_allclose([s for _, s in a], [s for _, s in b], rtol=1e-5, atol=1e-6)
