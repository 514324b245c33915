"""English questions on the common topics: their topic words become the catalog's
Vietnamese words."""

from __future__ import annotations

import re

# English questions about the common topics ("how wide must the village road be", "is the
# tap water clean", "who collects the garbage"): their topic words become the catalog's
# Vietnamese words. Only words no Vietnamese syllable spells the same.
ENGLISH: dict[str, str] = {
    "health insurance": "bao hiem y te",
    "medical insurance": "bao hiem y te",
    "insurance card": "the bao hiem y te",
    "social insurance": "bao hiem xa hoi",
    "clean water": "nuoc sach",
    "tap water": "nuoc may nuoc sach",
    "drinking water": "nuoc sach",
    "waste water": "nuoc thai",
    "wastewater": "nuoc thai",
    "power cut": "mat dien",
    "power outage": "mat dien",
    "street light": "den duong",
    "street lights": "den duong",
    "health station": "tram y te",
    "health centre": "tram y te",
    "health center": "tram y te",
    "cultural house": "nha van hoa",
    "community hall": "nha van hoa",
    "poor household": "ho ngheo",
    "poor households": "ho ngheo",
    "vocational training": "hoc nghe",
    "land use plan": "quy hoach",
    "road": "duong giao thong",
    "roads": "duong giao thong",
    "street": "duong thon",
    "lane": "ngo xom",
    "bridge": "cau",
    "pothole": "o ga",
    "potholes": "o ga",
    "water": "nuoc sach",
    "waste": "rac thai",
    "garbage": "rac thai",
    "trash": "rac thai",
    "rubbish": "rac thai",
    "litter": "rac thai",
    "recycling": "phan loai rac",
    "school": "truong hoc",
    "schools": "truong hoc",
    "kindergarten": "truong mam non",
    "classroom": "phong hoc",
    "electricity": "dien",
    "electric": "dien",
    "blackout": "mat dien",
    "internet": "internet",
    "wifi": "wifi",
    "broadband": "internet cap quang",
    "fibre": "cap quang",
    "fiber": "cap quang",
    "clinic": "tram y te",
    "doctor": "bac si",
    "vaccination": "tiem chung",
    "poverty": "ngheo",
    "income": "thu nhap",
    "jobs": "viec lam",
    "job": "viec lam",
    "housing": "nha o",
    "irrigation": "thuy loi",
    "canal": "kenh muong",
    "flood": "bao lu",
    "floods": "bao lu",
    "market": "cho nong thon",
    "environment": "moi truong",
    "security": "an ninh trat tu",
    "theft": "trom cap",
    "police": "cong an",
    "planning": "quy hoach",
    "criteria": "tieu chi",
    "criterion": "tieu chi",
}
_ENGLISH_HINTS = frozenset(
    "the is are what how who when where which does do my our must should can need needs much many "
    "wide village commune there any about".split()
)
_ENGLISH_RE = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in sorted(ENGLISH, key=len, reverse=True)) + r")\b"
)


def english_topics(text: str) -> str:
    """``text`` with English topic words replaced by the catalog's Vietnamese words, when it
    reads as English (an English function word and a topic word); otherwise unchanged."""
    if not text.isascii():
        return text
    lowered = text.lower()
    words = set(re.findall(r"[a-z]+", lowered))
    if not words & _ENGLISH_HINTS or not _ENGLISH_RE.search(lowered):
        return text
    # Only the topic words: the other English words would be "corrected" into Vietnamese ones.
    return " ".join(ENGLISH[m.group(0)] for m in _ENGLISH_RE.finditer(lowered))
