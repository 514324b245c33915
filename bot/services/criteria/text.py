"""Text normalisation for matching residents' questions against the criteria.

Everything works on folded text (lower case, no diacritics, see :func:`vntext.fold`):
abbreviations are expanded, Telex/VNI leftovers are cleaned, and criterion numbers
written as digits or Vietnamese words are recognised.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.services.vntext import fold, strip_diacritics

from .dialect import standard_words  # regional words; re-exported for the ablation switch

# Folded abbreviation or chat spelling -> folded expansion. Only unambiguous ones.
ABBREVIATIONS: dict[str, str] = {
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "bh": "bao hiem",
    "htx": "hop tac xa",
    "ntm": "nong thon moi",
    "nt": "nong thon",
    "ntn": "nhu the nao",
    "k": "khong",
    "ko": "khong",
    "kg": "khong",
    "khg": "khong",
    "hok": "khong",
    "hk": "khong",
    "kh": "khong",
    "vs": "voi",
    "dc": "duoc",
    "dk": "duoc",
    "j": "gi",
    "z": "vay",
    "r": "roi",
    "ns": "noi",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "nhiu": "nhieu",
    "ngeo": "ngheo",
    "ng": "nguoi",
    "nguoi": "nguoi",
    "mng": "moi nguoi",
    "trg": "truong",
    "wa": "qua",
    "nc": "nuoc",
    "ubnd": "uy ban nhan dan",
    "attp": "an toan thuc pham",
    "vsattp": "ve sinh an toan thuc pham",
    "vstp": "ve sinh thuc pham",
    "vsmt": "ve sinh moi truong",
    "bvmt": "bao ve moi truong",
    "gt": "giao thong",
    "gtnt": "giao thong nong thon",
    "tc": "tieu chi",
    "mttq": "mat tran to quoc",
    "thcs": "trung hoc co so",
    "thpt": "trung hoc pho thong",
    "pccc": "phong chay chua chay",
    "pctt": "phong chong thien tai",
    "csvc": "co so vat chat",
    "nvh": "nha van hoa",
    "dqtv": "dan quan tu ve",
    "antt": "an ninh trat tu",
    "cds": "chuyen doi so",
    "dvc": "dich vu cong",
    "tthc": "thu tuc hanh chinh",
    "bvtv": "bao ve thuc vat",
    "hgd": "ho gia dinh",
    "tnbq": "thu nhap binh quan",
    "kdc": "khu dan cu",
    "kddc": "khu dan cu",
    "vietgap": "vietgap",
    "tmdt": "thuong mai dien tu",
    "cccd": "can cuoc cong dan",
    "vneid": "vneid",
    "ytx": "y te xa",
    "tyt": "tram y te",
    "kcb": "kham chua benh",
    "hn": "ho ngheo",
    "hcn": "ho can ngheo",
    "atvstp": "an toan ve sinh thuc pham",
    "ptnt": "phat trien nong thon",
    "nn": "nong nghiep",
    "ktxh": "kinh te xa hoi",
    "khcn": "khoa hoc cong nghe",
    "khkt": "khoa hoc ky thuat",
    "mk": "minh",
    "mik": "minh",
    "mn": "moi nguoi",
    "e": "em",
    "a": "anh",
    "bq": "binh quan",
    "xkld": "xuat khau lao dong",
    "ld": "lao dong",
    "nvqs": "nghia vu quan su",
    "gd": "giao duc",
    "hs": "hoc sinh",
    "sv": "sinh vien",
    "sp": "san pham",
    "dt": "dien thoai",
    "dthoai": "dien thoai",
    "tk": "tai khoan",
    "xd": "xay dung",
    "sd": "su dung",
    "gp": "giay phep",
    "qg": "quoc gia",
    "clb": "cau lac bo",
    "hd": "hoat dong",
    "tn": "thanh nien",
    "vh": "van hoa",
    "cn": "chu nhat",
    "hnay": "hom nay",
    "hqua": "hom qua",
    "lm": "lam",
    "nhìu": "nhieu",
    "nhju": "nhieu",
    "bik": "biet",
    "bjo": "bay gio",
    "ntnao": "nhu the nao",
    "v": "vay",
    "h": "gio",
    "wc": "ve sinh",
    "dg": "duong",
    "ttkdtm": "thanh toan khong dung tien mat",
    "dvcc": "dich vu cong",
    # round 6 (issue 19): more chat spellings
    "mun": "muon",
    "hc": "hoc",
    "trc": "truoc",
    "vc": "viec",
    "ms": "moi",
    "cty": "cong ty",
    "ktra": "kiem tra",
    "tgian": "thoi gian",
    "dky": "dang ky",
    "dki": "dang ky",
    "cx": "cung",
    "dzay": "vay",
    "zay": "vay",
    "dzo": "vao",
    "cmnd": "chung minh nhan dan",
    "ncs": "nguoi cao tuoi",
}

# Function words that say nothing about the topic.
STOPWORDS: frozenset[str] = frozenset(
    """
    a ah ak ai anh bac ban be biet bi cac cai can cho chi chiu chua co con cu cua cung
    da dang dau day de den di do duoc em gi giup gium ha hay hoi hoi hom ho hu khi khong kia la lai
    lam luon ma may minh mot nao nay ne neu nghe nhe nhi nhieu nhu nhung noi o oi ong phai qua
    ra rang rat roi sao se so ta tai the thi thoi toi tren tu tui tuc va vay ve vi voi vo
    xin u uh um ok oke okay alo vang da dum nhat
    baonhieu baogio thenao odau lamsao taisao nhuthenao baygio gio luc
    ngaymai homnay homqua toinay toiqua sangnay chieunay demqua tuannay tuantoi thangnay
    namnay namngoai anhhuong moinguoi hangxom canha truonghop
    """.split()
)

# People and forms of address: never a topic ("bác" typed "bac" is not "cờ bạc", which
# is caught as a phrase by the concept map below).
PRONOUNS: frozenset[str] = frozenset(
    """
    toi tui minh mk mik bac chau chu co di anh chi em ong ba ad admin bot mn thua
    con nha ho chung chungtoi bon may tao ny
    """.split()
) - frozenset(("con", "nha", "ho", "ba", "co", "chi", "may"))

STOPWORDS = (
    STOPWORDS
    | PRONOUNS
    | frozenset(
        """
    muon nen thang bi phai vui long cam on xin hoi cho hoi oi a oh uh ah nhe nha
    dum giup gium voi thoi chu hong hem ak ha ho z v chiutrachnhiem
    """.split()
    )
    - frozenset(("nha", "ho", "thang", "cam"))  # "cam" (orange) is a garden product
)

# Question, negation and personal words: an n-gram containing one is boilerplate
# ("bat_buoc_khong", "nha_toi").
QUESTION_WORDS: frozenset[str] = frozenset(
    """
    khong chua gi nao sao duoc co baonhieu baogio thenao odau lamsao taisao nhuthenao baygio gio a ha
    nhi nhe vay ne di ah hong bi phai muon nen toi tui minh bac chau ad thua oi anh thi
    chiutrachnhiem
    """.split()
)

_NUMBER_WORDS: dict[str, int] = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}

# A criterion is named with one of these, then optionally "so"/"thu".
_MARKER_RE = re.compile(r"\b(?:tieu chi|tieuchi|tieu ch|t chi|tc|chi tieu|chitieu|ct)\b")
_CODE_RE = re.compile(r"(?<![\d.,])(\d{1,2})\s*[.,]\s*(\d{1,2})(?![\d.,])")
_GLUED_RE = re.compile(r"\b(tc|tieuchi|ct)(\d{1,2})\b")
_UNIT_WORDS = frozenset("trieu tr k nghin ngan dong d vnd phan tram kg m km ha nam thang".split())

_TELEX_TONE = frozenset("sfrxj")
_TELEX_PAIRS = (
    ("aa", "a"),
    ("aw", "a"),
    ("ee", "e"),
    ("oo", "o"),
    ("ow", "o"),
    ("uw", "u"),
    ("dd", "d"),
)


def fold_keep_dots(text: str) -> str:
    """Like :func:`vntext.fold` but keeps ``.`` and ``,`` between digits (``17.1``)."""
    text = strip_diacritics(unicodedata.normalize("NFC", text)).lower()
    text = re.sub(r"(?<=\d)\s*([.,])\s*(?=\d)", r"\1", text)
    text = re.sub(r"[^\w\s.,]", " ", text)
    text = re.sub(r"(?<!\d)[.,]|[.,](?!\d)", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# Abbreviations whose meaning depends on the word before: "nha vs" is "nhà vệ sinh",
# elsewhere "vs" is "với"; "gd" after "gia" ... is handled by the plain table.
_CONTEXT_ABBREVIATIONS: dict[tuple[str, str], str] = {
    ("nha", "vs"): "ve sinh",
    ("nha", "wc"): "ve sinh",
    ("nha", "vsinh"): "ve sinh",
    ("ve", "sinh"): "ve sinh",
    ("nha", "vh"): "van hoa",
    ("tre", "e"): "em",
    ("truong", "mn"): "mam non",
    ("trg", "mn"): "mam non",
}


# Abbreviations that mean something else at the very end of a message: "ăn gì bh" is
# "bây giờ", while "bh xe máy", "mua bh" ... keep "bảo hiểm".
_FINAL_ABBREVIATIONS: dict[str, str] = {"bh": "bay gio", "bjo": "bay gio"}


def expand_abbreviations(tokens: list[str]) -> list[str]:
    """Replace chat abbreviations (``bhyt``, ``ko``, ``dc``...) by their words."""
    out: list[str] = []
    for i, token in enumerate(tokens):
        if i == len(tokens) - 1 and i and token in _FINAL_ABBREVIATIONS:
            out.extend(_FINAL_ABBREVIATIONS[token].split())
            continue
        if i and (tokens[i - 1], token) in _CONTEXT_ABBREVIATIONS:
            out.extend(_CONTEXT_ABBREVIATIONS[(tokens[i - 1], token)].split())
            continue
        expansion = ABBREVIATIONS.get(token)
        if expansion is None:
            out.append(token)
        else:
            out.extend(expansion.split())
    return out


def telex_clean(token: str) -> str:
    """Undo Telex keystrokes left in a word: ``truowngf`` -> ``truong``, ``tieeu`` -> ``tieu``."""
    word = token
    if len(word) > 2 and word[-1] in _TELEX_TONE and any(v in word[:-1] for v in "aeiouy"):
        word = word[:-1]
    for pair, single in _TELEX_PAIRS:
        word = word.replace(pair, single)
    return word


def vni_clean(token: str) -> str:
    """Drop VNI tone digits inside a word: ``tie6u`` -> ``tieu``."""
    if token.isdigit() or not any(ch.isdigit() for ch in token):
        return token
    return "".join(ch for ch in token if not ch.isdigit())


def parse_number_words(tokens: list[str], start: int) -> tuple[int | None, int]:
    """Read a number written in Vietnamese words (or digits) from ``tokens[start:]``.

    Returns the number and how many tokens it used; ``(None, 0)`` when there is none.
    Handles ``muoi bay`` (17), ``hai muoi`` (20), ``hai muoi mot`` (21), ``muoi lam`` (15).
    """
    if start >= len(tokens):
        return None, 0
    first = tokens[start]
    if first.isdigit():
        return int(first), 1
    if first not in _NUMBER_WORDS or first == "khong":
        return None, 0
    value = _NUMBER_WORDS[first]
    used = 1
    nxt = tokens[start + 1] if start + 1 < len(tokens) else ""
    if value == 10:
        unit = _NUMBER_WORDS.get(nxt)
        if unit is not None and 0 < unit < 10:
            return 10 + unit, 2
        return 10, 1
    if nxt == "muoi":
        value *= 10
        used = 2
        after = tokens[start + 2] if start + 2 < len(tokens) else ""
        unit = _NUMBER_WORDS.get(after)
        if unit is not None and 0 < unit < 10:
            return value + unit, 3
    return value, used


@dataclass(frozen=True)
class NumberMention:
    """A criterion (and maybe indicator) number the user wrote explicitly."""

    criterion: int
    indicator: str | None = None


def find_number_mentions(text: str) -> list[NumberMention]:
    """Criterion numbers named in ``text``: "tiêu chí 17", "TC 17", "tc17",
    "tiêu chí số mười bảy", "chỉ tiêu 17.1". Plain numbers without a marker are ignored
    (they are usually money, dates or counts)."""
    folded = fold_keep_dots(text)
    folded = _GLUED_RE.sub(r"\1 \2", folded)
    mentions: list[NumberMention] = []
    for match in _MARKER_RE.finditer(folded):
        rest = folded[match.end() :].split()
        i = 0
        while i < len(rest) and rest[i] in ("so", "thu", "muc"):
            i += 1
        if i < len(rest):
            code = re.fullmatch(r"(\d{1,2})[.,](\d{1,2})", rest[i])
            if code:
                mentions.append(
                    NumberMention(int(code.group(1)), f"{int(code.group(1))}.{int(code.group(2))}")
                )
                continue
        value, used = parse_number_words(rest, i)
        if value is not None and used and 0 < value < 100:
            mentions.append(NumberMention(value))
    if not mentions:
        for code in _CODE_RE.finditer(folded):
            after = folded[code.end() :].split()
            if after and after[0] in _UNIT_WORDS:
                continue
            crit, sub = int(code.group(1)), int(code.group(2))
            if 0 < crit < 30 and 0 < sub < 20:
                mentions.append(NumberMention(crit, f"{crit}.{sub}"))
    return mentions


_QUESTION_PHRASES = re.compile(
    r"\b(bao nhieu|bao gio|bay gio|nhu the nao|the nao|o dau|lam sao|tai sao"
    r"|ngay mai|hom nay|hom qua|toi nay|toi qua|sang nay|chieu nay|dem qua|tuan nay|tuan toi"
    r"|thang nay|nam nay|nam ngoai|anh huong|chiu trach nhiem|truong hop)\b"
)
# Compounds whose syllables are function words or pronouns on their own ("bác sĩ",
# "cờ bạc", "trẻ em"): kept as one token in questions and catalogs alike.
_COMPOUNDS = (
    re.compile(r"\b(bac si)\b"),
    re.compile(r"\b(co bac|tre em|danh bac)\b"),
    # "mọi người", "hàng xóm", "cả nhà": people addressed or mentioned, never a topic
    # ("nhà hàng xóm" is not "nhà hàng", "mọi người" is not "mới").
    re.compile(r"\b(moi nguoi|hang xom|ca nha)\b"),
)


def join_compounds(folded: str) -> str:
    """Question phrases and compounds of folded text written as one token each
    (``bao nhieu`` -> ``baonhieu``, ``moi nguoi`` -> ``moinguoi``)."""
    joined = _QUESTION_PHRASES.sub(lambda m: m.group(1).replace(" ", ""), folded)
    for compound in _COMPOUNDS:
        joined = compound.sub(lambda m: m.group(1).replace(" ", ""), joined)
    return joined


def basic_tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` with abbreviations expanded.

    Question phrases become one (stop)word - ``bao nhieu`` -> ``baonhieu`` - so that their
    syllables (``bao`` also means storm, bag, report) do not count as topic words.
    """
    return list(_basic_tokens(text))


@lru_cache(maxsize=256)
def _basic_tokens(text: str) -> tuple[str, ...]:
    # Cached: one question is tokenised five to ten times (rules, its story sentence, the
    # chatter check, FAQ questions), and the catalog's FAQ questions for every question.
    # Small on purpose: it holds the question in hand and the FAQs, not earlier questions.
    folded = fold(standard_words(text))
    folded = _GLUED_RE.sub(r"\1 \2", folded)
    tokens = expand_abbreviations(folded.split())
    return tuple(join_compounds(" ".join(tokens)).split())


def bigrams(tokens: list[str]) -> list[str]:
    """Adjacent pairs joined by ``_``: ``["moi", "truong"]`` -> ``["moi_truong"]``."""
