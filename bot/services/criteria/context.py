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
