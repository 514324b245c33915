"""The village-level set a resident's question names ("khu dân cư thông minh", "vườn mẫu",
"thôn kiểu mẫu"), found before the question is matched."""

from __future__ import annotations

import re
import unicodedata

from .catalog import Catalog
from .query_text import _VILLAGE_SET_PATTERNS, fold

_WORD_RE = re.compile(r"\w+")


def named_village_set(catalog: Catalog, text: str) -> tuple[str, str] | None:
    """The village-level set a question names ("khu dân cư thông minh", "vườn mẫu",
    "thôn kiểu mẫu"), if the catalog has it, and the question without its name."""
    spans = list(_WORD_RE.finditer(unicodedata.normalize("NFC", text)))
    words = [fold(m.group()) for m in spans]
    folded = " ".join(words)
    for key, pattern in _VILLAGE_SET_PATTERNS:
        found = pattern.search(folded)
        if found is None:
            continue
        for criteria_set in catalog.sets():
            if criteria_set.level != "commune" and key in fold(criteria_set.name):
                first = len(folded[: found.start()].split())
                last = first + len(found.group().split())
                source = unicodedata.normalize("NFC", text)
                rest = source[: spans[first].start()] if first else ""
                rest += " " + (source[spans[last - 1].end() :] if last <= len(spans) else "")
                return criteria_set.code, rest.strip()
    return None
