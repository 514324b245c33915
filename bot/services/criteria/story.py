"""Long messages: the question in a household's story.

A resident often tells the story first ("Tôi bán rau ở chợ xã đã 10 năm. Chợ không có chỗ
rửa … Cho hỏi chợ ở xã nông thôn mới phải có những gì?"). Ranked as a whole, the story's
words (years, children, weather, feelings) dilute the share of the message the topic
explains, and a clear question reads as chatter. The sentence that asks is ranked on its
own when the whole message gave no match.
"""

from __future__ import annotations

import re
import unicodedata

from bot.services.vntext import fold

from .text import STOPWORDS

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


# Round 15: "Năm nay hạn hán, … vậy tôi hỏi trường mầm non …", "The storm …, but my question
# is about the clinic: …": a clause that says "I ask" turns from what the resident mentions in
# passing (weather, the merger, an app, a cooperative) to what is asked. The words after it
# are the question; the ones before only set the scene.
_PIVOT_RE = re.compile(
    r"\b(?:(?:toi|chau|em|minh|tui|con) (?:chi |muon |xin |dang )?hoi(?: ve)?|"
    r"(?:muon|xin|cho) (?:duoc )?hoi(?: ve)?|cho (?:toi|chau|em|minh|tui|con) hoi(?: ve)?|"
    r"(?:nhung|ma) (?:toi|chau|em|minh|tui|con) (?:chi )?muon biet(?: ve)?|"
    r"my question is(?: about)?|what i (?:want|need|would like) to (?:know|ask) is|"
    r"i (?:want|would like|d like) to (?:ask|know)(?: about)?)\b"
)
_PIVOT_BEFORE = 3  # words the scene before the pivot needs (else the pivot opens the message)
_PIVOT_AFTER = 4  # words the question after it needs
_PUNCT = ".,;:!?…\"'()"
# "việc này", "does this count": the asked part refers to what came before it.
_BACK_WORDS = frozenset({"này", "đó", "ấy", "this", "that", "it", "these", "those"})
_NOT_PIVOT = frozenset({"ai", "han", "thu", "lai", "them", "tham", "y", "kien", "who", "whom"})


def asked_part(text: str) -> str | None:
    """The words of ``text`` after its last "tôi hỏi" / "cho hỏi" / "my question is" when a
    scene of a few words comes before it and a question of a few words after it, else None."""
    words = text.split()
    folded = [fold(w).lower() for w in words]
    # position of each word's start in the folded text, to map a match back to the words
    starts, at = [], 0
    for f in folded:
        starts.append(at)
        at += len(f) + 1
    joined = " ".join(folded)
    found = None
    for m in _PIVOT_RE.finditer(joined):
        found = m
    if found is None:
        return None
    end = found.end()
    after = [i for i, s in enumerate(starts) if s >= end and folded[i]]
    before = [i for i, s in enumerate(starts) if s + len(folded[i]) <= found.start() and folded[i]]
    if len(before) < _PIVOT_BEFORE or len(after) < _PIVOT_AFTER:
        return None
    if folded[after[0]] in _NOT_PIVOT:
        return None  # "hỏi ai" (ask whom), "hỏi thăm", "hỏi lại": not the question's turn
    typed = [unicodedata.normalize("NFC", w).lower().strip(_PUNCT) for w in words]
    pivot = [i for i, s in enumerate(starts) if found.start() <= s < end]
    if any(folded[i] == "hoi" and typed[i] not in ("hỏi", "hoi") for i in pivot):
        return None  # "tôi hơi sợ" folds alike but does not ask
    scene = [folded[i] for i in before if folded[i] not in STOPWORDS]
    if len(scene) < _PIVOT_BEFORE:
        return None  # "à ừ thì cho hỏi …": fillers, no scene
    if any(typed[i] in _BACK_WORDS for i in after):
        return None  # "cho hỏi việc này đánh giá ra sao": the question points back at the scene
    return " ".join(words[after[0] :])


def asks_alone(part: str | None) -> bool:
    """Whether ``part`` (a story's question sentence, question_part) ends in "?" and names
    its own topic in enough words, not pointing back at the story ("việc này", "như vậy", "thế thì")."""
    if part is None or not part.rstrip().endswith("?") or len(part.split()) < _ALONE_WORDS:
        return False  # "Học có mất tiền không?": a short question leans on the story
    typed = [unicodedata.normalize("NFC", w).lower().strip(_PUNCT) for w in part.split()]
    return not any(w in _BACK_WORDS or w in _BACK_VI for w in typed)


_ALONE_WORDS = 8
_BACK_VI = frozenset({"vậy", "thế", "kia", "đây", "nó", "họ", "trên"})
