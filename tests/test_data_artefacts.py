"""Collection artefacts (documented and found from data) and the English filter."""
import pandas as pd

from tagzsl.data import artefacts, language, sources


def unit_frame():
    rows = []
    # unit u1 (200 posts): #collect on 30 (15%), #rare on 5 (2.5%); unit u2 (50 posts, too small): #small on all
    for i in range(200):
        tag = " #collect" if i < 30 else (" #rare" if i < 35 else "")
        rows.append(("mine", "u1", f"post {i}{tag}"))
    rows += [("mine", "u2", f"tiny {i} #small") for i in range(50)]
    rows += [("other", "o1", f"other {i} #collect") for i in range(150)]   # 100%: an artefact of 'other' too
    return pd.DataFrame(rows, columns=["source", "unit", "text"])


def test_unit_shares_and_the_threshold():
    shares = artefacts.unit_shares(unit_frame()).set_index(["source", "unit", "hashtag"])
    assert shares.loc[("mine", "u1", "collect"), "share (%)"] == 15.0
    assert shares.loc[("mine", "u1", "rare"), "posts"] == 5
    found = artefacts.found_from_data(unit_frame(), share=5.0, min_unit_posts=100)
    assert set(zip(found["source"], found["hashtag"])) == {("mine", "collect"), ("other", "collect")}
    assert artefacts.found_from_data(unit_frame(), share=20.0, min_unit_posts=100)["source"].tolist() == ["other"]


def test_collection_hashtags_per_source_with_reasons():
    raw = unit_frame()
    raw.loc[raw.index[:3], "source"] = "vaccination"               # documented: #pfizerbiontech
    raw.loc[raw.index[:3], "text"] = "a #PfizerBioNTech post"
    excluded, table = artefacts.collection_hashtags(raw, share=5.0, min_unit_posts=100)
    assert "collect" in excluded["mine"] and "small" not in excluded["mine"]
    assert "pfizerbiontech" in excluded["vaccination"]
    assert excluded["vaccination"] >= sources.SOURCES["vaccination"].documented_hashtags()
    why = table.set_index(["source", "hashtag"])["why"]
    assert why[("vaccination", "pfizerbiontech")] == "documented by the source"
    assert why[("mine", "collect")] == "found from data: 13.7% of u1 (197 posts)"  # 27 of the 197 left
    assert ("vaccination", "covid19") not in why.index     # documented but absent: not listed


def test_documented_collection_hashtags():
    assert "pfizerbiontech" in sources.SOURCES["vaccination"].documented_hashtags()
    assert {"semst", "irony", "sarcasm", "not"} <= sources.SOURCES["tweeteval"].documented_hashtags()
    assert "abflood" in sources.SOURCES["crisislex"].documented_hashtags()
    assert {"maymac", "mayweathervmcgregor"} <= sources.SOURCES["fivethirtyeight"].documented_hashtags()


def test_identify_languages_and_metadata_wins():
    texts = pd.Series(["I really love this sunny weather today with my friends @bob http://x.y #happy",
                       "Je suis vraiment content de voir mes amis aujourd'hui dans le parc",
                       "Hoy es un día muy bonito para salir con los amigos al parque",
                       "@only_a_mention https://t.co/x"])
    assert language.identify_languages(texts) == ["en", "fr", "es", "und"]
    filled = language.fill_languages(pd.Series(["fr", None, "", None]), texts)
    assert filled.tolist() == ["fr", "fr", "es", "und"]
