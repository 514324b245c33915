"""Words that set the scene of a question rather than name its topic.

Since the 2025 reorganisation residents often start with the administrative change ("sau
sáp nhập", "xã mới", "bỏ cấp huyện", "tỉnh mới", "xã cũ") and then ask about anything:
the health station, the officials, the cooperative, the cemetery. Those words are also
the planning criterion's vocabulary ("sáp nhập xã" is one of its keywords), so left alone
they pull every such question to planning. When a question names something besides the
change, the change's words weigh little and never count as a phrase match; a question
about the change alone ("sáp nhập xã rồi quy hoạch sao") keeps them whole.
"""

from __future__ import annotations

import re

_CONTEXT_WEIGHT = 0.15

_MERGER = (
    r"(?:sau |khi |da |vua |viec |chuyen |dot )?"
    r"(?:(?:sap nhap|sat nhap|xap nhap|hop nhat)(?: lai)?"
    r"(?: (?:\d+|hai|ba|bon|nam|cac|may) (?:xa|thon|huyen|tinh))?"
    r"(?: (?:xa|thon|xom|ap|ban|huyen|tinh|don vi hanh chinh|dvhc|dia gioi|bo may|to chuc bo may))?"
    r"|(?:sap xep|xep)(?: lai)?(?: (?:\d+|hai|ba|bon|nam|cac|may))?"
    r" (?:xa|thon|xom|ap|huyen|tinh|don vi hanh chinh|dvhc|bo may|to chuc bo may))"
    r"(?: (?:cu|moi))?(?: (?:thanh|vao|voi) (?:\d+|mot|1|xa|thon)(?: xa| thon)?(?: moi)?)?"
    r"|(?:sau|khi|da|vua|dot) (?:sap xep|xep lai)(?: lai)?"
    r"|(?<!nong )(?<!nong thon )(?<!ntm )(?:xa|tinh|thon|ap|huyen) (?:moi|cu)(?! moi)"
    r"|(?:tru so|trung tam|uy ban|ubnd|ub) (?:xa )?(?:moi|cu)"
    r"|(?:bo|xoa|khong con|giai the)(?: cap)? huyen"
    r"|chinh quyen (?:dia phuong )?(?:2|hai) cap"
)
_MERGER_RE = re.compile(rf"\b(?:{_MERGER})\b")
# Only these make a phrase a scene-setting one: "xã" alone is everywhere.
_CORE = frozenset("sap sat xap nhap hop nhat xep gop moi cu huyen cap tru so trung tam".split())


def context_words(folded: str) -> set[int]:
    """Positions (word indexes of ``folded``) of the words that set the scene."""
    out: set[int] = set()
    for match in _MERGER_RE.finditer(folded):
        words = match.group(0).split()
        if not any(w in _CORE for w in words):
            continue
        first = len(folded[: match.start()].split())
        out.update(range(first, first + len(words)))
    return out


# Units named with the change: a term with one of them and a topic word is the topic's
# ("hợp tác xã" after "xã mới"), one with a word of the change itself is the change's.
_UNITS = frozenset("xa thon xom ap ban huyen tinh to chuc don vi hanh chinh".split())


def is_scene(parts: list[str], scene: set[str]) -> bool:
    """Whether a term (its words ``parts``) belongs to the scene words ``scene``."""
    return all(p in scene for p in parts) or any(p in scene and p not in _UNITS for p in parts)


# Weather and floods as the circumstance of a question about a built thing: "mùa lũ đường
# vào thôn ngập", "mưa bão là mái nhà dột" ask about the road and the house, not about the
# irrigation and disaster criterion that "lũ", "bão", "ngập" would otherwise pull them to.
# "lũ" only in a flood phrase ("lũ trẻ" are children), "bão" never alone ("bao giờ", "báo").
_WEATHER = (
    r"(?:mua|con|tran|dot|nam) (?:lu|lut|bao|mua|nuoc noi|nuoc len|nuoc lon|nuoc ngap)"
    r"(?: (?:lon|to|ve|len|xuong|dau|nay))?"
    r"|(?:mua|gio) (?:to|lon|dam|bao|xuong|keo dai|rao|lon keo dai|to gio lon)"
    r"|(?:lu|lut) (?:lut|ve|len|lon|quet|xuong|loi)|lu lut|bao (?:lu|lut|to|lon|so \w+)"
    r"|nuoc (?:lu|noi|len|lon|dong|ngap|cuon|tran|song len|ngap lut)"
    r"|ngap(?: (?:lut|lui|ung|nuoc|sau|nang|lenh lang|chim|het))?|chim trong nuoc|lut loi"
)
_WEATHER_RE = re.compile(rf"\b(?:{_WEATHER})\b")
# What is built and asked about, whatever the weather did to it ("đường ống" is a pipe).
_BUILT_RE = re.compile(
    r"\b(?:duong(?! ong| nuoc| dien)|ngo xom|ngo|hem|mat duong|cau (?:treo|tam|khi|cong)"
    r"|mai (?:nha|ton|ngoi|la)|vach|tuong nha|nen nha|nha (?:o|cua|tranh|la|go|dot nat|xuong cap|ton)"
    r"|sua nha|lam nha|xay nha|dung nha|lam lai nha|xay lai nha|dung lai nha|truong (?:hoc|mam non|mau giao|tieu hoc)|phong hoc|lop hoc"
    r"|nha van hoa|tram y te|tram xa)\b"
)
# ... unless the question asks about the disaster itself: dykes, canals, pumping, warning,
# evacuation, bracing the house, relief.
_DISASTER_ASKED_RE = re.compile(
    r"\b(?:de (?:dieu|bao|bien|song|vo|sat|yeu)|bo de|bo bao|ke (?:song|bien|chong)"
    # a canal where the house stands ("nhà ven kênh") is where, not what is asked
    r"|(?<!ven )(?<!canh )(?<!ben )(?<!gan )(?<!sat )(?<!doc )(?<!bo )(?:kenh|muong)"
    r"|thuy loi|tram bom|may bom|thien tai|phong chong|chang chong|gia co|so tan|di doi|di tan"
    r"|cuu ho|cuu nan|cuu tro|canh bao|ung pho|du bao|sat lo|sut lo|chong lu|chong bao"
    r"|tranh lu|tranh bao|ho dap|dap (?:nuoc|tran|thuy loi)|tieu ung|tieu nuoc|tuoi|thiet hai|boi thuong)\b"
)

# "mưa" folds like "mua" (to buy): at a market the rain is no side word to weigh down.
_MARKET_RE = re.compile(
    r"\b(?:nha long|cho (?:xa|thon|tam|coc|phien|dem|que|ap|nong thon)|mua ban|ban hang|tieu thuong)\b"
)


def weather_words(folded: str) -> set[int]:
    """Positions of the weather and flood words of a question about a built thing (a road,
    a house, a school) that does not ask about the disaster itself; else nothing."""
    if (
        not _BUILT_RE.search(folded)
        or _DISASTER_ASKED_RE.search(folded)
        or _MARKET_RE.search(folded)
    ):
        return set()
    out: set[int] = set()
    for match in _WEATHER_RE.finditer(folded):
        first = len(folded[: match.start()].split())
        out.update(range(first, first + len(match.group(0).split())))
    return out


# "lớp học lái máy bay phun thuốc", "tập huấn sử dụng máy cấy": a course in handling a machine
# asks about the course (training), the machine and what it does are its subject.
_COURSE_RE = re.compile(
    r"\b(?:lop|khoa|hoc|day|tap huan|dao tao|mo lop) (?:\w+ ){0,3}?"
    r"(?:lai|dieu khien|van hanh|su dung|sua chua|sua) (?=(?:\w+ ){0,2}(?:may|drone|flycam|thiet bi))"
)
_COURSE_END = frozenset("xa co thi ma nhung o tai cho hay chua".split())


def course_subject(folded: str) -> set[int]:
    """Positions of the machine (and its use) a course question names; else nothing."""
    match = _COURSE_RE.search(folded)
    if match is None:
        return set()
    words = folded.split()
    start = len(folded[: match.end()].split())
    out: set[int] = set()
    for i in range(start, min(len(words), start + 8)):
        if words[i] in _COURSE_END:
            break
        out.add(i)
    return out
