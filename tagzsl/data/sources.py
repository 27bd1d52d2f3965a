"""The seven public tweet sources of the benchmark, one short declarative entry each.

Six are files of public GitHub repositories at pinned commits, downloaded from
``https://raw.githubusercontent.com/<owner>/<repo>/<commit>/<path>`` (verified against the
SHA-256 sums recorded in ``github_sha256.txt``) or read from a local root laid out as
``<root>/github/<owner>/<repo>/<path>``; the seventh is TweetEval (:mod:`tagzsl.data.tweeteval`).
The tweets stay under their sources' own terms: the project never redistributes them.

An entry says which files (globs resolved against the recorded file list), how to read a
post's id and text from each, the stated licence, and the hashtags its collectors used to
collect or tag its posts (``collection_hashtags``: documented by the source; more are found
from the data, see :mod:`tagzsl.data.artefacts`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Table:
    """How to read posts from the files matching ``pattern`` (a glob; ``*`` stays within a folder).

    ``id``/``text`` are column names (files with a header) or 0-based positions (no header).
    ``id_regex``: the id is this regex's first group in the id column (e.g. a status URL).
    ``unescape``: the text carries JSON-style ``\\uXXXX`` escapes (decoded on reading).
    """

    pattern: str
    id: str | int
    text: str | int
    sep: str = ","
    header: bool = True
    encoding: str = "utf-8"
    id_regex: str | None = None
    unescape: bool = False


@dataclass(frozen=True)
class Source:
    """One public source of tweets."""

    name: str
    owner: str
    repo: str
    commit: str
    tables: tuple[Table, ...]
    description: str
    licence: str
    collection_hashtags: frozenset[str] = frozenset()
    collection_note: str = ""
    #: every file is one hashtag game: its name (underscores dropped, lower case) is its tag
    file_name_hashtags: bool = False
    #: "en" when the collectors selected English posts (metadata); None: identified per post
    language: str | None = None

    @property
    def folder(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def url(self) -> str:
        return f"https://github.com/{self.owner}/{self.repo}/tree/{self.commit}"

    def files(self) -> list[str]:
        """The recorded files (paths inside the repository) this source reads, in order."""
        return [rel for table in self.tables for rel in table_files(self, table)]

    def documented_hashtags(self) -> frozenset[str]:
        """Collection hashtags stated by the source (plus one per file for hashtag games)."""
        tags = set(self.collection_hashtags)
        if self.file_name_hashtags:
            tags |= {rel.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", "").lower() for rel in self.files()}
        return frozenset(tags)


def _glob_regex(pattern: str) -> re.Pattern:
    return re.compile("".join("[^/]*" if ch == "*" else re.escape(ch) for ch in pattern) + r"\Z")


@lru_cache(maxsize=None)
def recorded_checksums() -> dict[str, str]:
    """``{"<owner>/<repo>/<path>": sha256}`` for every GitHub file the project knows."""
    from tagzsl.data.tweeteval import read_checksum_file

    return read_checksum_file("github_sha256.txt")


def table_files(source: Source, table: Table) -> list[str]:
    """Recorded paths (inside the repository) that ``table.pattern`` matches, sorted."""
    regex, prefix = _glob_regex(table.pattern), source.folder + "/"
    return sorted(p.removeprefix(prefix) for p in recorded_checksums()
                  if p.startswith(prefix) and regex.match(p.removeprefix(prefix)))


# --------------------------------------------------------------------------- the entries
_CRISIS_KEYWORD_TAGS = frozenset(  # the '#' keywords of CrisisLexT26/*/*-event_description.json, ASCII-folded
    "4milefire abflood accidentesantiago amuay bangladesh bigwet bisonfire boatekiss bohol bopha "
    "boulderfire boulderflood brazilfire cdo cebu chelyabinsk clutha cofire coflood cofloodrelief "
    "colorado coloradoflood costarica creq cyclonecleopatra earthquake falcon faulconbridge "
    "flagstafffire floodph floodsph forcasantamaria fourmilecanyonfire fourmilefire guatemala habagat "
    "haiyan hazyday helicopter highparkfire hinatuan lacmeg lacmegantic lastchancefire lax laxshooting "
    "lindol littlesandfire longmont maring maringph maringupdates megantic meteor meteorite mindanao "
    "modena norditalia nswbushfire nswbushfires nswfires nswrfs nyctrain opcoflood pablo pabloph "
    "pablosafetytips paraguana phalert pheq philippines phquake phtrenchquake prayerforglasgow "
    "prayforaustralia prayforbrazil prayfornsw prayforsantamaria prayforthephilippine "
    "prayforthephilippines qldflood qldfloods quake ranaplaza redcrossphilippines redoctober reliefph "
    "rescueph russianmeteor safenow sanfelice sanmarcos santamaria santiagocompostela sardegna sardinia "
    "savar sghaze sismo springerfire statelinefire strongerph supertyphoon sydneybushfire "
    "sydneybushfires sydneyfire sydneyfires tabangbohol tabangcebu temblorcr terremoto terremotocr "
    "terremotoguatemala todosdesejamforcasasantamaria tracingph trafficph tragediaemsm "
    "tragedielacmegantic treasurefire tremorguatemala typhoon typhoonaid typhoonbopha typhoonhaiyan "
    "typhoonpablo typhoonyolanda visayas waco walangpasok waldocanyon waldocanyonfire waldofire west "
    "westexplosion wildfire yolanda yolandaactionweekend yolandaph yycflood yycflooding yycfloods".split())

GITHUB_SOURCES: dict[str, Source] = {s.name: s for s in [
    Source(
        "semeval2017", "cbaziotis", "datastories-semeval2017-task4",
        "faeee5fd1c2cf38e32179a4676dff53ae01adfa8",
        (Table("dataset/Subtask_A/downloaded/*.tsv", id=0, text=2, sep="\t", header=False, unescape=True),
         Table("dataset/Subtask_A/gold/SemEval2017-task4-test.subtask-A.english.txt", id=0, text=2,
               sep="\t", header=False)),
        "SemEval-2017 Task 4 English sentiment tweets, 2013-2017 (a superset of TweetEval's sentiment task)",
        "MIT (repository); no separate data licence",
        collection_note="collected by topic keywords, not hashtags (none documented)", language="en"),
    Source(
        "sentiment_practice", "Pratsa09", "Hate-Speech-Sentiment-Analysis-using-NLTK",
        "62ad0188db74c5c3decd669d908cca7f4bb06dd4",
        (Table("train_E6oV3lV.csv", id="id", text="tweet"), Table("test_tweets_anuFYb8.csv", id="id", text="tweet")),
        "the widely mirrored 'Twitter sentiment analysis' practice set (racist/sexist vs other)",
        "none stated",
        collection_note="collection method not stated (none documented)"),
    Source(
        "crisislex", "sajao", "CrisisLex", "d67cddd51131dbb28842209014f67cffe359ff42",
        (Table("data/CrisisLexT6/*/*-ontopic_offtopic.csv", id="tweet id", text="tweet"),
         Table("data/CrisisLexT26/*/*-tweets_labeled.csv", id="Tweet ID", text="Tweet Text")),
        "CrisisLex T6 (6 crises, 2012-2013) and T26 (26 crises, several languages)",
        "MIT (repository); cite Olteanu et al. 2014/2015",
        collection_hashtags=_CRISIS_KEYWORD_TAGS,
        collection_note="keyword-matched halves collected with crisis hashtags (T26 event_description.json "
                        "keywords; T6's lists are in Olteanu et al. 2014, found from data)"),
    Source(
        "hashtagwars", "xinru1414", "HumorDetection-SemEval2017-Task6",
        "d0e811eea241d4f7e0382a013df49f2b7625a3f6",
        tuple(Table(p, id=0, text=1, sep="\t", header=False) for p in (
            "data/train_dir/train_data/*.tsv", "data/trial_dir/trial_data/*.tsv", "data/gold_data/*.tsv")),
        "#HashtagWars (SemEval-2017 Task 6): humorous replies to 106 hashtag games, one game per file",
        "GPL-3.0 (repository); no separate data licence",
        collection_note="every tweet of a file carries that file's game hashtag",
        file_name_hashtags=True, language="en"),
    Source(
        "fivethirtyeight", "fivethirtyeight", "data", "fcf572c4fba05a42f1f34f415bd5e6dc389efd68",
        (Table("mayweather-mcgregor/tweets.csv", id="id", text="text"),
         Table("twitter-ratio/*.csv", id="url", text="text", encoding="mac_roman", id_regex=r"status/(\d+)"),
         Table("trump-twitter/realDonaldTrump_poll_tweets.csv", id="id", text="text")),
        "tweets about the 2017 Mayweather-McGregor fight and two politicians' own tweets",
        "CC BY 4.0",
        collection_hashtags=frozenset({"maymac", "mayweathermcgregor", "mayweathervmcgregor",
                                       "mayweathervsmcgregor", "mcgregor", "mayweather"}),
        collection_note="fight tweets match #MayMac, #MayweatherMcGregor, #MayweatherVMcGregor, "
                        "#MayweatherVsMcGregor, #McGregor or #Mayweather (its README)"),
    Source(
        "vaccination", "amankharwal", "Website-data", "6c3f3ebde421a9d5a57105d47fbd259605faf545",
        (Table("vaccination_tweets.csv", id="id", text="text"),),
        "tweets about the Pfizer/BioNTech vaccine, Dec 2020 - Apr 2021",
        "none stated (a copy of a public dataset)",
        collection_hashtags=frozenset({"pfizerbiontech"}),
        collection_note="collected by the vaccine's name"),
]}

#: TweetEval's entry (read by :class:`tagzsl.data.tweeteval.TweetEval`; its tables are its tasks)
TWEETEVAL = Source(
    "tweeteval", "cardiffnlp", "tweeteval", "main", (),
    "TweetEval: 11 tweet classification tasks (SemEval 2016-2019)",
    "per task, the original SemEval task's terms (repository README); code MIT",
    collection_hashtags=frozenset({"semst", "irony", "sarcasm", "not"}),
    collection_note="#SemST is appended to every stance tweet; the irony task was collected by "
                    "#irony, #sarcasm and #not", language="en")

SOURCES: dict[str, Source] = {"tweeteval": TWEETEVAL, **GITHUB_SOURCES}
#: every source, in the order the loader reads them (the first copy of a duplicate is kept)
ALL: tuple[str, ...] = tuple(SOURCES)
#: the project's earlier corpus, still a named choice
TWEETEVAL_ONLY: tuple[str, ...] = ("tweeteval",)


def resolve(sources) -> tuple[str, ...]:
    """Source names from ``None``/``"all"`` (all seven), ``"tweeteval"`` or a sequence of names."""
    if sources is None or sources == "all":
        return ALL
    names = (sources,) if isinstance(sources, str) else tuple(sources)
    unknown = [n for n in names if n not in SOURCES]
    if unknown or not names:
        raise ValueError(f"unknown source(s) {unknown}; choose from {', '.join(ALL)}")
    return tuple(dict.fromkeys(names))
