"""Vietnamese text helpers: folding diacritics and normalising free input."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def strip_diacritics(text: str) -> str:
    """Return ``text`` without Vietnamese tone and vowel marks (``đ`` becomes ``d``)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return stripped.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case, diacritic-free, punctuation-free text with single spaces.

    ``"Thôn  Nam-Bắc Thành!"`` becomes ``"thon nam bac thanh"``; used wherever user
    input is compared with stored names.
    """
    text = strip_diacritics(unicodedata.normalize("NFC", text)).lower()
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
