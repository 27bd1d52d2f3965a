"""Tweet cleaning, as the zero-shot paper's sections 3.2-3.3, and the top-50 label set.

Each step is a small named function; :func:`clean_corpus` chains them over a corpus and
records how many tweets remain after each step (our Table 1). Order:

1. English only: language metadata where a source has it, else a language identifier
   (:func:`tagzsl.data.language.fill_languages`, py3langid, whose model ships in its package)
2. keep tweets with at least one hashtag (the TweetEval stance artefact ``#SemST`` is not
   a hashtag here, and neither is a hashtag a source used to collect its own posts:
   ``artefacts`` per source, see :mod:`tagzsl.data.artefacts`)
3. extract hashtags (lower-case, no ``#``), then remove them from the text
4. non-ASCII removal and lower-casing
5. a leading retweet prefix (``RT @name:``) is dropped; ``@mentions`` become the word ``user``
6. URLs removed
7. duplicates removed (same normalised text; the first occurrence is kept, so the same
   tweet in two sources counts once, for the source read first)
8. NLTK ``TweetTokenizer``; tokens with no letter (punctuation, numbers, emoticons) dropped
9. NLTK English stop words removed
10. tweets with fewer than five words dropped (this also drops tweets that clean to nothing)

The paper lists stop-word removal before tokenisation; stop words can only be matched on
tokens, so we tokenise first. The counts are the same either way. With a ``source`` column,
the counts are also kept per source (``CleanResult.by_source``).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Hashtags that are artefacts of how a corpus was built, never labels.
ARTEFACT_HASHTAGS = frozenset({"semst"})
MIN_WORDS = 5

# A hashtag may be glued to the previous word ("Netflix#lit", "#Trunks#WeHo" are common in
# TweetEval); "&#39;" (an HTML entity) is not one, and neither is "#1" (no letter).
_HASHTAG = re.compile(r"(?<!&)[#\uff03](\w*[A-Za-z]\w*)")
_MENTION = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_RETWEET = re.compile(r"^\s*rt\s+@\w+:?\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_HAS_LETTER = re.compile(r"[a-z]")


# --------------------------------------------------------------------------- steps
def is_english(lang) -> bool:
    """True when ``lang`` is English or unknown (no metadata means we cannot filter)."""
    if lang is None or (isinstance(lang, float) and np.isnan(lang)) or lang == "":
        return True
    return str(lang).lower().startswith("en")


def extract_hashtags(text: str, drop=ARTEFACT_HASHTAGS) -> list[str]:
    """Hashtags of ``text``, lower-case, without ``#``, in order, each once; artefacts dropped."""
    seen = []
    for tag in _HASHTAG.findall(_URL.sub(" ", text)):  # "page#anchor" in a URL is not a hashtag
        tag = to_ascii_lower(tag)  # folded like the words, so '#Zürich' matches the word 'zurich'
        if _HAS_LETTER.search(tag) and tag not in seen and tag not in drop:
            seen.append(tag)
    return seen


def remove_hashtags(text: str) -> str:
    """``text`` with every ``#hashtag`` removed (URLs are left for :func:`remove_urls`)."""
    pieces, last = [], 0
    for url in _URL.finditer(text):
        pieces += [_HASHTAG.sub(" ", text[last:url.start()]), url.group(0)]
        last = url.end()
    pieces.append(_HASHTAG.sub(" ", text[last:]))
    return _SPACES.sub(" ", "".join(pieces)).strip()


def to_ascii_lower(text: str) -> str:
    """Lower-cased ``text`` with accents folded and other non-ASCII characters removed."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded.lower()


def remove_retweet_prefix(text: str) -> str:
    """``text`` without a leading ``RT @name:`` (the retweeted tweet is what counts)."""
    return _RETWEET.sub("", text)


def replace_mentions(text: str) -> str:
    """Every ``@mention`` becomes the word ``user``."""
    return _MENTION.sub("user", text)


def remove_urls(text: str) -> str:
    """``text`` without URLs."""
    return _SPACES.sub(" ", _URL.sub(" ", text)).strip()


@functools.lru_cache(maxsize=1)
def _tokenizer():
    from nltk.tokenize import TweetTokenizer

    return TweetTokenizer(preserve_case=False, reduce_len=True)


def tokenize(text: str) -> list[str]:
    """NLTK ``TweetTokenizer`` tokens that contain a letter (punctuation and emoticons dropped)."""
    return [t for t in _tokenizer().tokenize(text) if _HAS_LETTER.search(t)]


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """NLTK's English stop-word list: from NLTK's own data (``NLTK_DATA``), else from the tagzsl
    cache, downloaded and verified there on first use (:mod:`tagzsl.data.stopwords`); offline
    without a copy, a one-line ``LookupError`` says what to set."""
    from nltk.corpus import stopwords as nltk_stopwords

    from tagzsl.data import stopwords as cached

    try:
        return frozenset(nltk_stopwords.words("english"))
    except LookupError:  # no NLTK copy: the cache's (outside this handler, so no chained traceback)
        pass
    return frozenset(cached.english())


def remove_stopwords(tokens: list[str]) -> list[str]:
    """``tokens`` without NLTK English stop words."""
    stop = stopwords()
    return [t for t in tokens if t not in stop]


def long_enough(tokens: list[str], min_words: int = MIN_WORDS) -> bool:
    """True when a tweet keeps at least ``min_words`` words."""
    return len(tokens) >= min_words


def normalise(text: str) -> str:
    """Steps 4-6 on one text: ASCII and lower case, retweet prefix dropped, mentions to
    ``user``, URLs removed."""
    return remove_urls(replace_mentions(remove_retweet_prefix(to_ascii_lower(text))))


def clean_text(text: str) -> list[str]:
    """The words a model sees for one raw tweet: hashtags removed, steps 4-9 applied."""
    return remove_stopwords(tokenize(normalise(remove_hashtags(text))))


# --------------------------------------------------------------------------- pipeline
@dataclass
class CleanResult:
    """A cleaned corpus and the tweet count after each step (``steps``: step, tweets);
    ``by_source``: the same counts per source (step x source), when the input has ``source``."""

    frame: pd.DataFrame
    steps: pd.DataFrame
    by_source: pd.DataFrame | None = None


def clean_corpus(raw: pd.DataFrame, min_words: int = MIN_WORDS, artefacts=None) -> CleanResult:
    """Run the cleaning steps over ``raw`` (columns ``id, text`` and optionally ``lang, hashtags,
    source``).

    ``artefacts``: ``{source: hashtags}`` that are not labels within that source (collection
    hashtags); they are dropped from its posts' hashtags. Missing ``lang`` values are kept
    (use :func:`fill_languages` first to identify them).
    Returns a frame with ``id, raw, hashtags, tokens, text`` (``text`` is the space-joined
    tokens) plus any other input columns, and the per-step counts.
    """
    if "text" not in raw.columns:
        raise ValueError("clean_corpus needs a 'text' column")
    df = raw.copy()
    df["raw"] = df["text"].fillna("").astype(str)
    counts, per_source = [("raw tweets", len(df))], []
    has_source = "source" in df.columns
    order = list(dict.fromkeys(df["source"])) if has_source else []
    if has_source:
        per_source.append(df.groupby("source").size().reindex(order, fill_value=0).rename("raw tweets"))

    def record(name):
        counts.append((name, len(df)))
        if has_source:
            per_source.append(df.groupby("source").size().reindex(order, fill_value=0).rename(name))

    lang = df["lang"] if "lang" in df.columns else pd.Series(None, index=df.index, dtype=object)
    df = df[[is_english(x) for x in lang]]
    record("English only")

    from_text = df["raw"].map(extract_hashtags)
    if "hashtags" in df.columns:  # API metadata wins where present; the text fills the gaps
        given = df["hashtags"].map(lambda h: [t for t in (h or []) if t not in ARTEFACT_HASHTAGS]
                                   if isinstance(h, (list, tuple, np.ndarray)) else None)
        from_text = [g if g else t for g, t in zip(given, from_text)]
    if artefacts and has_source:
        from_text = [[t for t in tags if t not in artefacts.get(src, ())]
                     for tags, src in zip(from_text, df["source"])]
    df = df.assign(hashtags=list(from_text))
    df = df[df["hashtags"].map(len) > 0]
    record("with at least one hashtag")

    df = df.assign(text=df["raw"].map(remove_hashtags))
    record("hashtags extracted and removed")
    df = df.assign(text=df["text"].map(to_ascii_lower))
    record("non-ASCII removed, lower-cased")
    df = df.assign(text=df["text"].map(lambda t: replace_mentions(remove_retweet_prefix(t))))
    record("retweet prefix dropped, @mentions to 'user'")
    df = df.assign(text=df["text"].map(remove_urls))
    record("URLs removed")
    df = df.drop_duplicates(subset="text", keep="first")
    record("duplicates removed")
    df = df.assign(tokens=df["text"].map(tokenize))
    record("tokenised (TweetTokenizer)")
    df = df.assign(tokens=df["tokens"].map(remove_stopwords))
    record("stop words removed")
    df = df[df["tokens"].map(lambda t: long_enough(t, min_words))]
    record(f"at least {min_words} words")

    df = df.assign(text=df["tokens"].map(" ".join)).reset_index(drop=True)
    steps = pd.DataFrame(counts, columns=["step", "tweets"])
    by_source = pd.DataFrame(per_source).rename_axis("step") if has_source else None
    return CleanResult(frame=df, steps=steps, by_source=by_source)


def word2vec_sentences(raw: pd.DataFrame) -> list[list[str]]:
    """Training sentences for word2vec: every distinct tweet, cleaned, hashtags kept as words.

    Hashtags stay in place as plain words (``#love`` becomes ``love``) and are never
    dropped as stop words, so every hashtag gets a vector (``#not`` keeps ``not``).
    Artefact hashtags (``#SemST``) are removed. Tweets are not required to carry a hashtag.
    """
    sentences, seen = [], set()
    stop = stopwords()

    def words_of(segment):
        return [t for t in tokenize(normalise(segment)) if t not in stop]

    for text in raw["text"].fillna("").astype(str):
        text = _URL.sub(" ", text)
        words, last = [], 0
        for match in _HASHTAG.finditer(text):  # hashtags stay in place, as plain words
            words += words_of(text[last:match.start()])
            tag = to_ascii_lower(match.group(1))
            if _HAS_LETTER.search(tag) and tag not in ARTEFACT_HASHTAGS:
                words.append(tag)
            last = match.end()
        words += words_of(text[last:])
        if tuple(words) in seen:  # duplicates (same words once cleaned) are used once
            continue
        seen.add(tuple(words))
        if words:
            sentences.append(words)
    return sentences


# --------------------------------------------------------------------------- labels
def hashtag_counts(frame: pd.DataFrame) -> pd.Series:
    """Number of cleaned tweets carrying each hashtag, most frequent first."""
    return frame["hashtags"].explode().dropna().value_counts()


def select_top_hashtags(frame: pd.DataFrame, n: int = 50, per_hashtag: int | None = 100,
                        seed: int = 2019) -> pd.DataFrame:
    """The single-label, balanced top-``n`` data set: columns ``id, text, tokens, hashtag``.

    Rule (documented in the README):
    * the top ``n`` hashtags by number of cleaned tweets carrying them;
    * a tweet carrying several of them is labelled with the least frequent one (ties: the
      first in the text), so rarer hashtags keep every tweet they have; each tweet is used once;
    * balance: every hashtag is down-sampled (seeded) to at most ``per_hashtag`` tweets
      (default 100; ``None`` means the size of the smallest class, fully balanced). The paper
      required 200 unique tweets per hashtag; on TweetEval 16 hashtags keep 200 cleaned tweets
      and the 50th keeps 98, so we cap at 100: 45 classes get exactly 100 and the five whose
      tweets are shared with more frequent hashtags keep 55-98 (4,910 tweets).
    """
    counts = hashtag_counts(frame)
    if len(counts) < n:
        raise ValueError(f"the corpus has only {len(counts)} distinct hashtags; cannot take the top {n}")
    top = list(counts.index[:n])
    labelled = _assign_labels(frame, top, counts)
    cap = int(labelled["hashtag"].value_counts().min()) if per_hashtag is None else int(per_hashtag)
    return _sample(labelled, top, cap, seed)


def _assign_labels(frame: pd.DataFrame, tags, counts: pd.Series) -> pd.DataFrame:
    """Each tweet labelled with the least frequent of ``tags`` it carries (ties: first in the
    text); tweets with none dropped."""
    rank = {tag: counts[tag] for tag in tags}

    def label(carried):
        kept = [t for t in carried if t in rank]
        return min(kept, key=lambda t: (rank[t], kept.index(t))) if kept else None

    return frame.assign(hashtag=frame["hashtags"].map(label)).dropna(subset=["hashtag"])


def _sample(labelled: pd.DataFrame, tags, cap: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for tag in tags:
        group = labelled[labelled["hashtag"] == tag]
        take = min(cap, len(group))
        parts.append(group.iloc[np.sort(rng.choice(len(group), size=take, replace=False))])
    out = pd.concat(parts, ignore_index=True)
    return out[[c for c in ("id", "text", "tokens", "hashtag", "hashtags", "source") if c in out.columns]]


@dataclass
class LabelSet:
    """The single-label data set (``frame``), which rule made it, and how many hashtags qualified."""

    frame: pd.DataFrame
    rule: str          # "paper" or "fallback"
    qualifying: int    # hashtags that keep >= min_tweets tweets once labelled (paper rule)
    note: str          # one line saying what was done


def _qualifying(frame: pd.DataFrame, counts: pd.Series, n: int, min_tweets: int) -> list[str]:
    """Up to ``n`` most used hashtags that each keep ``>= min_tweets`` tweets once labelled.

    A tweet goes to its least frequent chosen hashtag, so a hashtag can keep fewer tweets
    than carry it; such a hashtag is dropped for good and the next most used takes its place.
    """
    candidates = [t for t in counts.index if counts[t] >= min_tweets]
    chosen, dropped = candidates[:n], set()
    while True:
        sizes = _assign_labels(frame, chosen, counts)["hashtag"].value_counts()
        short = [t for t in chosen if sizes.get(t, 0) < min_tweets]
        if not short:
            return chosen
        dropped |= set(short)
        kept = [t for t in chosen if t not in dropped]
        chosen = kept + [t for t in candidates if t not in dropped and t not in kept][:n - len(kept)]


def select_label_set(frame: pd.DataFrame, n: int = 50, min_tweets: int = 200, per_hashtag: int = 200,
                     seed: int = 2019) -> LabelSet:
    """The paper's rule (section 3.3): the ``n`` most used hashtags among those with at least
    ``min_tweets`` unique cleaned tweets, ``per_hashtag`` tweets each (seeded sample); a tweet
    with several is labelled with the least frequent (ties: the first in the text).

    "At least ``min_tweets``" is checked once tweets are labelled (see :func:`_qualifying`).
    If fewer than ``n`` hashtags qualify, the fallback is explicit and keeps ``n`` balanced
    classes: the same rule with the threshold lowered (by bisection) to the highest ``m`` at
    which ``n`` hashtags qualify, ``min(m, per_hashtag)`` tweets each; ``note`` says how many
    qualified at ``min_tweets`` and which ``m`` was used.
    """
    frame = frame[frame["hashtags"].map(len) > 0]
    counts = hashtag_counts(frame)
    chosen = _qualifying(frame, counts, n, min_tweets)
    if len(chosen) >= n:
        top = _sample(_assign_labels(frame, chosen, counts), chosen, per_hashtag, seed)
        note = (f"paper rule: {n} hashtags keep >= {min_tweets} tweets each once labelled "
                f"({int((counts >= min_tweets).sum())} are carried by >= {min_tweets} cleaned tweets); "
                f"{per_hashtag} tweets each, {len(top)} tweets")
        return LabelSet(top, "paper", len(chosen), note)
    low, high, best = 1, min_tweets - 1, None   # the highest m with n qualifying hashtags
    while low <= high:
        mid = (low + high) // 2
        got = _qualifying(frame, counts, n, mid)
        if len(got) >= n:
            best, low = (mid, got), mid + 1
        else:
            high = mid - 1
    if best is None:
        raise ValueError(f"the corpus has fewer than {n} hashtags; cannot build a {n}-class label set")
    m, tags = best
    top = _sample(_assign_labels(frame, tags, counts), tags, min(m, per_hashtag), seed)
    note = (f"fallback: only {len(chosen)} hashtags keep >= {min_tweets} tweets once labelled (the paper "
            f"needs {n}); the same rule with the threshold lowered to {m}: {n} hashtags, "
            f"{min(m, per_hashtag)} tweets each, {len(top)} tweets")
    return LabelSet(top, "fallback", len(chosen), note)


# --------------------------------------------------------------------------- for people
def normalise_hashtag(tag: str) -> str:
    """``"#WorldCup"`` -> ``"worldcup"`` (hashtags are words in the word2vec vocabulary)."""
    if not isinstance(tag, str) or not tag.strip().lstrip("#").strip():
        raise ValueError(f"not a hashtag: {tag!r}")
    return tag.strip().lstrip("#").strip().lower()


def _short(text, n: int = 40) -> str:
    text = str(text)
    return repr(text if len(text) <= n else text[: n - 3] + "...")


#: Why a text can give no recommendation (the reasons :func:`clean_batch` reports).
EMPTY = "empty"
NO_WORDS = ("no words left after cleaning (hashtags, mentions, URLs, emoji, numbers and stop "
            "words are removed)")


def clean_batch(texts) -> tuple[list[str], dict[int, str]]:
    """Cleaned, space-joined texts (:func:`clean_text`) and ``{position: reason}`` for each
    text that is unusable (empty, or nothing left after cleaning; its cleaned text is ``""``)."""
    texts = [texts] if isinstance(texts, str) else list(texts)
    cleaned, unusable = [], {}
    for i, text in enumerate(texts):
        if not isinstance(text, str) or not text.strip():
            unusable[i] = f"{_short(text)} is {EMPTY}"
            cleaned.append("")
            continue
        tokens = clean_text(text)
        if not tokens:
            unusable[i] = f"{_short(text)} has {NO_WORDS}"
        cleaned.append(" ".join(tokens))
    return cleaned, unusable


def clean_texts(texts) -> list[str]:
    """Cleaned, space-joined texts; a ``ValueError`` naming every unusable one (training input)."""
    cleaned, unusable = clean_batch(texts)
    if not cleaned:
        raise ValueError("no texts given")
    if unusable:
        shown = "; ".join(f"item {i}: {why}" for i, why in list(unusable.items())[:5])
        more = f" (and {len(unusable) - 5} more)" if len(unusable) > 5 else ""
        raise ValueError(f"{len(unusable)} of {len(cleaned)} texts are unusable: {shown}{more}")
    return cleaned
