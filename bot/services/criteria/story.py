"""Long messages: the question in a household's story.

A resident often tells the story first ("Tôi bán rau ở chợ xã đã 10 năm. Chợ không có chỗ
rửa … Cho hỏi chợ ở xã nông thôn mới phải có những gì?"). Ranked as a whole, the story's
words (years, children, weather, feelings) dilute the share of the message the topic
explains, and a clear question reads as chatter. The sentence that asks is ranked on its
own when the whole message gave no match.
"""

from __future__ import annotations

import re

from bot.services.vntext import fold

_SPLIT_RE = re.compile(r"(?<=[.!?;…])\s+|\n+")
_ASK_RE = re.compile(
    r"\b(?:hoi|cho hoi|xin hoi|co phai|co duoc|khong|ko|chua|bao gio|bao nhieu|the nao|"
    r"ra sao|lam sao|o dau|ai|gi|nao|hong|hem|rang|mo|chi|what|how|who|where|when|why|is|are|"
    r"does|do|can|will|should)\b"
)
_MIN_WORDS = 14  # shorter messages are one thought
_MIN_PART = 3  # a "sentence" of fewer words is a greeting or an aside


def question_part(text: str) -> str | None:
    """The sentence of a long, several-sentence ``text`` that asks (the last one ending in
    "?" or, failing that, the last with a question word), or None for a short message."""
    if len(text.split()) < _MIN_WORDS:
        return None
    parts = [p.strip() for p in _SPLIT_RE.split(text.strip()) if len(p.split()) >= _MIN_PART]
    if len(parts) < 2:
        return None
    asking = [p for p in parts if p.rstrip().endswith("?")]
    if not asking:
        asking = [p for p in parts if _ASK_RE.search(fold(p).lower())]
    return asking[-1] if asking else None
