"""The matcher's text side: its weights and thresholds, the terms of a text (unigrams,
bigrams, trigrams), folding, and the courtesy, speaker and place phrases a question
is stripped of."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from bot.services.vntext import fold as _fold_text

from .concepts import concept_expansions
from .offtopic import OFFTOPIC_PHRASES
from .text import QUESTION_WORDS, STOPWORDS, basic_tokens, join_compounds

Kind = Literal["match", "unsure", "offtopic", "list"]

# Field weights of a criterion document.
_W_NAME = 3.0
_W_KEYWORD = 2.5
_W_TEXT = 1.0
_W_FAQ_Q = 1.5
_W_FAQ_A = 0.5
_W_INDICATOR = 1.0
_W_REQUIREMENT = 0.5

_K1 = 1.2
_B = 0.5
_CORRECTED_WEIGHT = 0.7
_GENERIC_WEIGHT = 0.2  # words of the set's own name ("vườn mẫu" in the garden set)
_CONCEPT_WEIGHT = 0.6
_HEAD_DECAY = 0.2  # weight lost by the last word of a question
_PLACE_WEIGHT = 0.35  # words of a place named after "ở"/"tại"/"ven" once a topic came first
_FORM_WEIGHT = 0.4  # "thủ tục", "chi phí" when the question names a topic besides
_FORM_PHRASES = frozenset(
    (
        "thu tuc",
        "ho so",
        "giay to",
        "le phi",
        "chi phi",
        "kinh phi",
        "trach nhiem",
        "dong tien",
        "chinh sach",
        # "how much / what share" is the form of a number question, not its topic
        "ty le",
        "phan tram",
        "muc dat",
        "toi thieu",
        "le ho",
        "le nguoi",
    )
)
# The way a thing is done or seen ("trên app", "quét mã QR", "qua Zalo"), not its topic,
# when the question names a topic besides ("xem quy hoạch trên app"): weighed as a form.
_MEDIUM_PHRASES = frozenset(
    (
        "ung dung",
        "ma qr",
        "quet ma",
        "tren mang",
        "qua mang",
        "dien thoai",
        "truc tuyen",
        "cong dich",
        "trang web",
    )
)
_MEDIUM_WEIGHT = 0.15
_MEDIUM_WORDS = frozenset("app qr online zalo facebook tiktok web website dvc vneid".split())
_FAQ_SHOW = 0.5  # the closest FAQ is shown first only from this similarity (issue 19)
_NUMBER_ASK_RE = re.compile(
    r"\b(?:baonhieu|bao nhieu|ty le|phan tram|muc dat|muc nao|toi thieu|may met|rong may)\b"
)


def asks_number(folded: str) -> bool:
    """Whether a folded question asks "how much / what share"."""
    return _NUMBER_ASK_RE.search(folded) is not None


# Words of a number question's frame ("tỷ lệ hộ … phải đạt bao nhiêu"): they never make
# an FAQ close to a question, whose topic may be another.
_FRAME_WORDS = frozenset(
    "ty le phan tram muc dat chuan toi thieu duoi tren phai baonhieu bao nhieu may ho nguoi dan".split()
)
_DIRECTION_WORDS = frozenset(("len", "vao", "ra"))  # not "toi": tối, tôi
_MARKET_EXPANSION = "cho cho nong thon cho xa ha tang thuong mai"
_LOCATIVE_WORDS = frozenset(("o", "ven", "quanh"))  # not "tai"/"canh": tài, tai nạn, cảnh
_EXPLAINED_SHARE = 0.3  # of a topic-map unigram counted in the normaliser
_OTHER_WORD_WEIGHT = 0.35  # same folded word, other diacritics than the criterion uses  # catalog words added by the topic map (not counted in the normaliser)

# Decision thresholds on the confidence (share of the query explained, 0..1).
_OFFTOPIC_BELOW = 0.08
_WEAK_MATCH_FROM = 0.12  # enough when the best criterion is far ahead of the others
_MATCH_FROM = 0.2
_SURE_FROM = 0.35
_CLOSE_RATIO = 0.8
_CLEAR_RATIO = 1.4

_SINGLE_WORD_PENALTY = 0.6  # several words asked, only single syllables matched
_FAQ_MIN = 0.3
_PHRASE_MAX_DF = 0.25  # an n-gram found in more documents than this is not specific
_MIN_INFORMATION = 3.0  # idf mass below which a query is too vague to be sure

_OFFTOPIC_FORMS = {form for p in OFFTOPIC_PHRASES for form in (p, join_compounds(p))}
_OFFTOPIC_RE = re.compile(
    r"\b(?:"
    + "|".join(re.escape(p) for p in sorted(_OFFTOPIC_FORMS, key=len, reverse=True))
    + r")\b"
)
_SYLLABLE_RE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
    r"(?:[aeiouy]{1,3})(?:ch|ng|nh|[cmnpt])?$"
)
_LIST_RE = re.compile(
    r"\b(?:baonhieu|bao nhieu|may|nhung|cac|tat ca|danh sach|liet ke|gom|co nhung|toan bo|ca)\s+"
    r"(?:cai\s+)?(?:tieu chi|chi tieu)\b"
    r"|\b(?:danh sach|liet ke)\b"
    r"|\bbo tieu chi\b.*\b(?:gom|co nhung|la gi|nhuthenao|thenao|baonhieu)\b"
    r"|\b(?:tieu chi|chi tieu)\s+(?:gom|co)\s+(?:nhung|cac)\b"
)
_NUMBER_WORDS = frozenset(
    "mot hai ba bon tu nam lam sau bay tam chin muoi muoi mot linh le".split()
)


def _terms(tokens: list[str]) -> list[str]:
    """Content unigrams, bigrams and trigrams of ``tokens``.

    Unigrams skip stopwords and digits. An n-gram is kept when it has a content word and
    no question word ("khong", "gi", "nao"...): so "nha_van_hoa", "3_sach" and "doi_so"
    survive while question boilerplate such as "bat_buoc_khong" does not. A trigram must
    also start and end with a content word.
    """
    out = [t for t in tokens if t not in STOPWORDS and not t.isdigit()]
    for a, b in zip(tokens, tokens[1:], strict=False):
        if (a in STOPWORDS and b in STOPWORDS) or a in QUESTION_WORDS or b in QUESTION_WORDS:
            continue
        out.append(f"{a}_{b}")
    for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False):
        if a in STOPWORDS or c in STOPWORDS or b in QUESTION_WORDS:
            continue
        out.append(f"{a}_{b}_{c}")
    return out


def _text_terms(text: str) -> list[str]:
    return _terms(basic_tokens(text))


_WORD_RE = re.compile(r"\w+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """:func:`vntext.fold`, cached: the same words are folded again and again."""
    return _fold_text(text)


_NEED_WORDS = frozenset(
    "can yeu cau phai dat gom noi dung the nao nhu sao ra sao dieu kien".split()
)
_PLACE_WORDS = r"(?:thon|xom|lang|ban|khu dan cu|kdc|khu|cum dan cu|to dan pho)"
_VILLAGE_SET_PATTERNS = (
    ("vuon mau", re.compile(r"\bvuon mau\b")),
    ("thong minh", re.compile(rf"\b{_PLACE_WORDS}\s+(?:nong thon moi\s+|ntm\s+)?thong minh\b")),
    ("kieu mau", re.compile(rf"\b{_PLACE_WORDS}\s+(?:nong thon moi\s+|ntm\s+)?kieu mau\b")),
)


def _accented_words(text: str) -> set[str]:
    """Lower-case words of ``text`` that carry Vietnamese diacritics."""
    words = _WORD_RE.findall(unicodedata.normalize("NFC", text).lower())
    return {w for w in words if not w.isascii()}


def _name_share(name: frozenset[str], content: frozenset[str]) -> float:
    """Share of a criterion name's words present in the query (0 for an empty name)."""
    return len(name & content) / len(name) if name else 0.0


# "Hội Phụ nữ hỏi: ...", "Đoàn TN hỏi: ...": who asks is not what is asked about.
_SPEAKER_RE = re.compile(r"^\s*[^:?!.\n]{2,40}?\s(?:hỏi|hoi)\s*:\s*", re.IGNORECASE)


def _strip_speaker(text: str) -> str:
    """The question without a leading "<who> hỏi:" label (kept when nothing follows)."""
    match = _SPEAKER_RE.match(unicodedata.normalize("NFC", text))
    if match is None:
        return text
    rest = unicodedata.normalize("NFC", text)[match.end() :]
    return rest if rest.strip() else text


# Greetings and thanks around a question ("chào ad, cho em hỏi …, em cảm ơn ạ") say nothing
# about its topic; matched on folded words, cut from the original text.
_LEAD_RE = re.compile(
    r"^(?:da\s+)?(?:(?:em|toi|minh|chau|con)\s+)?(?:xin\s+)?(?:chao|hello|hi|alo|kinh gui|kinh thua)"
    r"(?:\s+(?:ad|admin|anh chi|anh|em|ban quan tri|quan tri|ban|bac|chu|ca nha|canha|moinguoi"
    r"|moi nguoi|mn|cac|a|oi|buoi sang|buoi toi|buoi chieu))*\s*"
    r"|^(?:ad|admin|anh|chi|bac|chu)\s+oi\s*"
    r"|^(?:cho|xin cho|cho phep|xin)\s+(?:em|toi|minh|chau|con|tui)?\s*hoi(?:\s+(?:chut|ti|tí|voi|vs|cai|nhe|a|ad)\b)*\s*"
    r"|^hoi\s+(?:chut|ti|cai)\b\s*"
)
_TAIL_RE = re.compile(
    r"\s*(?:(?:xin\s+)?tran trong\s+)?(?:(?:em|toi|minh|chau|con)\s+)?(?:xin\s+)?"
    r"(?:cam on|thanks|thank you|thank|thks|tks|camon)"
    r"(?:\s+(?:ad|admin|anh|chi|ban|nhieu|a|nha|nhe|ca nha|canha|moinguoi|mn|truoc|lam|rat))*\s*$"
)


# "… hả chị", "… anh ơi", "… nhé bác": who is addressed says nothing about the topic
# ("chị" is not "chi bộ", "em" not "trẻ em"). Only after a particle or before "ơi", so
# that "các tiêu chí" keeps its last word.
_ADDRESS = r"(?:anh chi|anh em|ca nha|moi nguoi|mn|ad|admin|anh|chi|em|bac|chu|co|ban|ong|ba|di|cau|thim|mo|ac|ace)"
_ADDRESS_TAIL_RE = re.compile(
    r"\s+(?:(?:(?:ha|nhe|nha|a|vay|voi|ne|nhi|ak|ah|the|z|day|ko|khong|chua|duoc|k)\s+)+"
    + _ADDRESS
    + r"(?:\s+oi)?|"
    + _ADDRESS
    + r"\s+oi)(?:\s+(?:a|nhe|nha|voi|oi))*\s*$"
)


def _strip_courtesy(text: str) -> str:
    """``text`` without greetings at its start and thanks at its end (kept when nothing
    else is left: a bare "chào ad" is chatter)."""
    text = unicodedata.normalize("NFC", text)
    spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
    if len(spans) < 2:
        return text
    words = [fold(text[a:b]).lower() for a, b in spans]
    first, last = 0, len(words)
    for _ in range(3):  # "chào ad, cho em hỏi …"
        rest = " ".join(words[first:last])
        match = _LEAD_RE.match(rest)
        if match is None or match.end() == 0:
            break
        consumed = len(rest[: match.end()].split())
        if consumed == 0 or first + consumed >= last:
            break
        first += consumed
    rest = " ".join(words[first:last])
    match = _TAIL_RE.search(rest)
    if match is not None and match.start() > 0:
        kept = len(rest[: match.start()].split())
        if kept > 0:
            last = first + kept
    rest = " ".join(words[first:last])
    match = _ADDRESS_TAIL_RE.search(rest)
    if match is not None and match.start() > 0:
        # Keep the particle words ("không", "chưa") that end the question itself.
        cut = (
            rest[: match.start()]
            + " "
            + " ".join(
                w
                for w in rest[match.start() :].split()
                if w in ("khong", "chua", "ko", "k", "duoc")
            )
        )
        kept = len(cut.split())
        if kept > 0:
            last = first + kept
    if first == 0 and last == len(words):
        return text
    return text[spans[first][0] : spans[last - 1][1]]


def _inside_topic(folded: str, span: str) -> bool:
    """Whether chatter ``span`` is part of a longer thing of the topic map ("tiktok" in
    "ban cam tren tiktok")."""
    return any(
        span in matched and len(matched) > len(span) for matched, _ in concept_expansions(folded)
    )


def _qualifies_topic(folded: str, span: str) -> bool:
    """Whether chatter ``span`` directly follows a thing of the topic map named in two
    words or more ("ca do" + "bong da"), or is part of a longer one ("ban cam tren tiktok")."""
    at = folded.find(span)
    if at < 0:
        return False
    if _inside_topic(folded, span):
        return True
    if at == 0:
        return False
    before = folded[:at].rstrip()
    return any(
        len(matched.split()) >= 2 and before.endswith(matched)
        for matched, _ in concept_expansions(before)
    )


def _offtopic_spans(folded: str) -> list[str]:
    return _OFFTOPIC_RE.findall(folded)


def _content_words(text: str) -> list[str]:
    return [t for t in basic_tokens(text) if t not in STOPWORDS and not t.isdigit()]
