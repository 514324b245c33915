"""English questions: their topic words become the catalog's Vietnamese words.

A message reads as English when at least two of its words (and a good share of them) cannot
be Vietnamese syllables typed without diacritics ("what", "road", "is"): "the bhyt" or
"can bo xa" stay Vietnamese. English may carry a few Vietnamese words with their marks ("our
xã", "in Bến Tre"): when they are at most a third of the words, the rest decides, and the
lower-case ones are kept (folded) beside the topic words ("nhà văn hóa"); names are dropped.
Texting shorthand ("u", "pls", "abt", "coop") is spelled out first. An English message is replaced by the catalog words of its
topics (``english_words.TOPICS``, longest phrase first, plurals too); one with no topic word
becomes empty, which the matcher treats as chatter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml

from bot.services.vntext import fold

from .english_clauses import asking_clause
from .english_everyday import EVERYDAY
from .english_jargon import JARGON
from .english_words import TOPICS as _FIRST
from .text import ABBREVIATIONS, telex_clean

# A hyphen inside a phrase is a space ("lower-secondary" is "lower secondary").
TOPICS = {k.replace("-", " "): v for k, v in {**_FIRST, **EVERYDAY, **JARGON}.items()}
ENGLISH = TOPICS  # kept for callers of the round-5 name
_VI_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)
# English words that Telex typing could also produce ("how" = "hơ"): English all the same.
_ENGLISH_WORDS = frozenset(
    "how what who whom where when why which is are was were does did our your their there "
    "this that with from for and of be been will would should could must need has have get "
    "help please thanks thank you we they any many much about after before every "
    "u ur pls plz abt wat gonna wanna lol".split()
)
# Texting shorthand, spelled out before the topic words are read.
_TEXTING = {
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "abt": "about",
    "wat": "what",
    "coop": "cooperative",
    "coops": "cooperatives",
    "govt": "government",
    "gov": "government",
    "tho": "though",
    "cuz": "because",
    "bc": "because",
    "w/o": "without",
    "hh": "household",
    "hhs": "households",
    "ppl": "people",
    "govt's": "government's",
}
# Common misspellings of topic words, corrected before the topic words are read.
_MISSPELT = {
    "electricty": "electricity",
    "electrisity": "electricity",
    "elecricity": "electricity",
    "eletricity": "electricity",
    "enviroment": "environment",
    "enviornment": "environment",
    "envirnment": "environment",
    "goverment": "government",
    "garbadge": "garbage",
    "garbege": "garbage",
    "rubish": "rubbish",
    "irigation": "irrigation",
    "irragation": "irrigation",
    "schol": "school",
    "shcool": "school",
    "scool": "school",
    "kindergarden": "kindergarten",
    "kindergarteen": "kindergarten",
    "hospitl": "hospital",
    "insurence": "insurance",
    "insurrance": "insurance",
    "helth": "health",
    "heath insurance": "health insurance",
    "poverity": "poverty",
    "povety": "poverty",
    "cooperitive": "cooperative",
    "cooparative": "cooperative",
    "cooprative": "cooperative",
    "vocationnal": "vocational",
    "vocatonal": "vocational",
    "tiolet": "toilet",
    "toliet": "toilet",
    "polution": "pollution",
    "polluton": "pollution",
    "secuirty": "security",
    "securty": "security",
    "secutiry": "security",
    "violance": "violence",
    "violense": "violence",
    "drainge": "drainage",
    "calture": "culture",
    "cultral": "cultural",
    "culteral": "cultural",
    "marketplce": "marketplace",
    "interent": "internet",
    "intenet": "internet",
    "inernet": "internet",
    "treash": "trash",
    "vaccinnation": "vaccination",
    "vacination": "vaccination",
    "mediaton": "mediation",
    "planing": "planning",
    "imcome": "income",
    "incom": "income",
    "housholds": "households",
    "houshold": "household",
    "famly": "family",
    "irrigaton": "irrigation",
    "elctricity": "electricity",
    "disater": "disaster",
    "dissaster": "disaster",
    "landslid": "landslide",
    "emplyment": "employment",
    "accomodation": "housing",
}
# Senses of topic words that are not the topic, and the development-sector acronym WASH
# (checked in capitals, "wash" being a verb): rewritten before the topic words are read.
_REWRITES = (
    # relatives by marriage ("my mother-in-law", "the in-laws"), not the law
    (
        re.compile(
            r"\b(?:(?:mother|father|sister|brother|son|daughter|parent)s?[\s-]+in[\s-]+laws?"
            r"|in-laws?|(?:my|his|her|our|your|their|the)\s+in\s+laws)\b"
        ),
        " relatives ",
    ),
    # rain coming into a house is a leaking roof, not the households' water
    (
        re.compile(
            r"\b(?:rain|rainwater)\s+(?:\w+\s+)?(?:pours?|pouring|poured|comes?|coming|came|"
            r"leaks?|leaking|leaked|drips?|dripping|dripped|seeps?|seeping|gets?|getting|got)"
            r"\s+(?:right\s+)?(?:in|into|inside|through)\b"
            r"|\bwater\s+(?:\w+\s+)?(?:pours?|pouring|poured|leaks?|leaking|leaked|drips?|"
            r"dripping|dripped|seeps?|seeping)\s+(?:right\s+)?(?:in|into|inside|through)\b"
        ),
        " leaking roof ",
    ),
    # somewhere for people to play or exercise is a place (a play area), not the sport
    (
        re.compile(
            r"\b(?:somewhere|anywhere|nowhere|a place|places|a space|space)\b(?=(?:\s+[\w'-]+){0,7}?\s+"
            r"(?:play|exercise|do sports?|work out))"
        ),
        " play area ",
    ),
    (re.compile(r"\bbrand[\s-]+new\b"), "new"),
    # "the road is still trash": bad, not rubbish
    (
        re.compile(
            r"\b(?:is|are|was|were|so|total|totally|absolute|pure)\s+(?:still\s+)?trash\b"
            r"(?!\s+(?:everywhere|collection|bins?|cans?|piles?|pickup|trucks?|bags?))"
        ),
        " bad ",
    ),
    # a soldier in the past is a veteran (people with merit), not military service
    (
        re.compile(
            r"\b(?:was|were|used to be|former|ex|retired|old)[\s-]+(?:an?\s+)?(?:army\s+)?"
            r"soldiers?\b"
        ),
        " war veteran ",
    ),
    # processing someone's papers is paperwork (not farm produce processing)
    (
        re.compile(
            r"\bprocess(?:es|ed|ing)?\s+(?:my|our|his|her|their|the|a|an)\s+(?:[\w'-]+\s+){0,2}?"
            r"(?:papers?|documents?|applications?|certificates?|files?|permits?|registrations?|"
            r"requests?|dossiers?)\b"
        ),
        " paperwork ",
    ),
    # "meeting the ... requirement": passing a standard, not a village meeting
    (
        re.compile(
            r"\bmeet(?:s|ing)?\b(?=(?:\s+[\w'-]+){0,4}?\s+(?:requirement|standard|criteri|target|norm|threshold|benchmark))"
        ),
        " ",
    ),
    (re.compile(r"\b(?:exchange|currency|conversion) rates?\b"), " currency "),
    (re.compile(r"\binterest rates?\b"), " loan "),
    # a stamp on a paper is paperwork, a stamp on a product is traceability
    (
        re.compile(
            r"\bstamp(?:s|ed|ing)?\b(?=(?:\s+[\w'-]+){0,2}?\s+(?:paper|document|form|file|certificate|application|dossier)s?\b)"
        ),
        " paperwork ",
    ),
    (
        re.compile(
            r"\b(?:paper|document|form|file|certificate|application)s?\s+(?:\w+\s+){0,2}stamped\b"
        ),
        " paperwork ",
    ),
    (re.compile(r"\bget (?:\w+ )?stamped\b"), " paperwork "),
    # round 16: a place things happen behind or next to is where, not what is asked ("kids
    # smoking behind the cultural house", "a lot next to the commune office")
    (
        re.compile(
            r"\b(?:behind|in front of|next to|beside|opposite|across from|outside)\s+"
            r"(?:the|our|a|their|his|her|my|that)\s+(?:[\w'-]+\s+){0,2}?"
            r"(?:cultural house|culture house|community house|community hall|village hall|"
            r"commune office|commune hall|people's committee|pagoda|temple|church|market)s?\b"
        ),
        " ",
    ),
    # tracks, paths and lanes out to the fields are in-field roads
    (
        re.compile(
            r"\b(?:tracks?|paths?|lanes?|trails?)\s+(?:[\w'-]+\s+){0,2}?(?:to|into|through|across)"
            r"\s+(?:the|our|their)\s+(?:rice\s+)?(?:fields?|paddies|paddy fields?)\b"
        ),
        " field tracks ",
    ),
    # building against or according to the approved plan is the plan (criterion 1)
    (
        re.compile(
            r"\b(?:according to|in line with|against|outside|violat\w*|break\w*|follow\w*)\s+"
            r"(?:the|our|their|its|a)\s+(?:approved\s+|official\s+|commune\s+|land\s+)?plans?\b"
            r"|\b(?:the\s+)?plans?\s+(?:they|the commune|the district)\s+approved\b"
        ),
        " zoning ",
    ),
)
_WASH_RE = re.compile(r"\bWASH\b")
_TEXTING_RE = re.compile(r"(?<![\w'/-])(" + "|".join(map(re.escape, _TEXTING)) + r")(?![\w'/-])")
_MARKED_SHARE = 0.34  # at most this share of an English message's words carry Vietnamese marks
_ANY_WORD_RE = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_WORD_RE = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# Plurals and the past and -ing forms of a verb ("canals", "scammed", "flooding").
_ENDINGS = "(?:e?s|e?d|ing|[a-z]ed|[a-z]ing)?"
_TOPIC_RE = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(
        re.escape(k).replace(r"\ ", r"[\s-]+") + (_ENDINGS if k[-1].isalpha() else "")
        for k in sorted(TOPICS, key=len, reverse=True)
    )
    + r")(?![a-z0-9])"
)
_SINGULAR = {k: k for k in TOPICS}
# Typographic punctuation phones and word processors put in ("2026–2030", "commune’s"):
# plain ASCII before deciding whether a message is English.
_TYPOGRAPHY = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u00a0": " ",
        "\u00b7": " ",
    }
)
# Water for fields and crops is irrigation, not the households' clean water (whole words:
# "ruong" is not the "truong" of a school).
_FARM_WATER = ("ruong", "cay trong", "thieu nuoc tuoi")


_MISSPELT_RE = re.compile(r"(?<![\w'-])(" + "|".join(map(re.escape, _MISSPELT)) + r")(?![\w'-])")
# Pairs of neighbouring words in the topic words' Vietnamese ("gia dinh", "dinh van", "van
# hoa"), for Vietnamese typed without marks inside English; a pair of two common English
# words ("to hop") is left out.
_COMMON_ENGLISH = frozenset(
    "a an the to in on at of or and so do no go he she we me my by be is it as if up us am "
    "can man ban van tan pan ten men hen pen bin tin pin sin kit hit sit bit cut hut nut but "
    "put got not hot lot dot pot top hop map cap tap nap gap let met net set bet get long song "
    "thing ring king sing bang hang gang dong tong hi oh ok".split()
)


def _vi_pairs() -> frozenset[tuple[str, str]]:
    pairs = set()
    for value in TOPICS.values():
        tokens = value.split()
        for a, b in zip(tokens, tokens[1:], strict=False):
            if not (a in _COMMON_ENGLISH and b in _COMMON_ENGLISH) and a.isalpha() and b.isalpha():
                pairs.add((a, b))
    return frozenset(pairs)


_VI_PAIRS = _vi_pairs()


def _plain_vietnamese(lowered: str) -> list[str]:
    """Runs of two or more words of ``lowered`` that are the topic words' Vietnamese."""
    tokens = re.findall(r"[a-z]+", lowered)
    runs: list[str] = []
    run: list[str] = []
    for token in tokens:
        if run and (run[-1], token) in _VI_PAIRS:
            run.append(token)
            continue
        if len(run) >= 2:
            runs.append(" ".join(run))
        run = [token]
    if len(run) >= 2:
        runs.append(" ".join(run))
    return runs


def _unmarked(text: str) -> str | None:
    """``text`` without its words carrying Vietnamese marks, or None when they are too many
    for an English message."""
    if text.isascii():
        return text
    words = _ANY_WORD_RE.findall(text)
    marked = [w for w in words if not w.isascii()]
    if len(words) < 6 or len(marked) > _MARKED_SHARE * len(words):
        return None
    return " ".join(w for w in words if w.isascii())


def is_english(text: str) -> bool:
    """Whether ``text`` reads as English rather than Vietnamese typed without marks."""
    unmarked = _unmarked(text.translate(_TYPOGRAPHY))
    if unmarked is None:
        return False
    words = _WORD_RE.findall(unmarked.lower())
    foreign = [
        w
        for w in words
        if w in _ENGLISH_WORDS
        or (
            not w.isdigit()
            and w not in ABBREVIATIONS
            and not _VI_SYLLABLE.fullmatch(w)
            and not _VI_SYLLABLE.fullmatch(telex_clean(w))
        )
    ]
    return len(foreign) >= 2 and len(foreign) >= 0.34 * len(words)


def _topic(match: str) -> str:
    match = " ".join(match.replace("-", " ").split())
    if match in TOPICS:
        return TOPICS[match]
    for cut in (3, 2, 1):  # "canals", "ditches", "scammed", "dumping"
        if match[:-cut] in TOPICS:
            return TOPICS[match[:-cut]]
    if match.endswith(("ed", "ing")):  # "scammed", "robbing": the last letter doubled
        stem = match[:-3] if match.endswith("ing") else match[:-2]
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[:-1] in TOPICS:
            return TOPICS[stem[:-1]]
    return ""


# Topic words that only frame a question ("which criterion", "how many", "what share").
_FRAME_WORDS = frozenset(("tieu chi", "bao nhieu", "ty le", "muc dat", "dat", ""))


def english_topics(text: str) -> str:
    """``text`` with English replaced by the catalog's Vietnamese topic words when it reads
    as English; otherwise unchanged."""
    if not is_english(text):
        return text
    out = _translate(text)
    clause = asking_clause(text)
    if clause is None:
        return out
    asked = _translate(clause)
    if not _substantive(asked):
        # "does that count?", "who do we complain to?": the question points back at the
        # scene, or names nothing a criterion covers by itself; the whole message is read.
        return out
    # The scene's things (the road widened, the cultural house, the merger) are where and
    # when; the question's own topic words alone are read.
    return asked


# Topic words that name no criterion on their own: a complaint, a house, the merger, an
# allowance, a title. A question asking only about these leans on the scene told before it.
_WEAK_WORDS = frozenset(("phan anh kien nghi", "nha o", "sap nhap xa", "tro cap", "danh hieu"))


def _substantive(topics: str) -> bool:
    """Whether ``topics`` names a thing, not only the question's frame ("tieu chi", "ty le")."""
    rest = f" {topics} "
    for frame in sorted(_FRAME_WORDS | _WEAK_WORDS, key=len, reverse=True):
        if frame:
            rest = rest.replace(f" {frame} ", " ")
    return bool(rest.split())


def _translate(text: str) -> str:
    plain = _WASH_RE.sub("water sanitation hygiene", text.translate(_TYPOGRAPHY))
    lowered = _TEXTING_RE.sub(lambda m: _TEXTING[m.group(1)], plain.lower())
    lowered = _MISSPELT_RE.sub(lambda m: _MISSPELT[m.group(1)], lowered)
    for pattern, replacement in _REWRITES:
        lowered = pattern.sub(replacement, lowered)
    words = [_topic(m.group(0)) for m in _TOPIC_RE.finditer(lowered)]
    # Vietnamese typed without marks inside English ("the thon gives out gia dinh van hoa
    # papers"): runs of two or more words whose pairs are pairs of the topic words' own
    # Vietnamese are kept.
    words += _plain_vietnamese(lowered)
    # Vietnamese words in lower case ("xã", "nhà văn hóa"), not names ("Bến Tre"), beside an
    # English topic or two or more of them ("tổ khuyến nông"): one alone ("a good phở place")
    # does not make the message about a criterion.
    marked = [fold(w) for w in _ANY_WORD_RE.findall(plain) if not w.isascii() and w.islower()]
    if any(words) or len(marked) >= 2:
        words += marked
    # "criterion" beside a topic only frames the question, and it misleads the Vietnamese
    # reading: "tieu chi mot cua" is criterion 1, "cho ... tieu chi" asks for the list.
    if "tieu chi" in words and any(w not in _FRAME_WORDS for w in words):
        words = [w for w in words if w != "tieu chi"]
    out = " ".join(w for w in words if w)
    if "nuoc sach" in out and any(re.search(rf"\b{f}\b", out) for f in _FARM_WATER):
        out = out.replace("nuoc sach", "tuoi tieu")
    return out


@dataclass(frozen=True)
class EnglishTexts:
    """A criterion's name and what the village and a household do, in English."""

    name: str
    village: str
    household: str


@lru_cache(maxsize=1)
def _english_texts() -> dict[tuple[str, int], EnglishTexts]:
    raw = resources.files(__package__).joinpath("english_texts.yaml").read_text(encoding="utf-8")
    return {
        (code, int(number)): EnglishTexts(**texts)
        for code, criteria in yaml.safe_load(raw).items()
        for number, texts in criteria.items()
    }


def english_texts(set_code: str, number: int) -> EnglishTexts | None:
    """The English version of a national criterion's name and texts, if there is one."""
    return _english_texts().get((set_code, number))
