"""Criteria named in words: "tiêu chí về điện", "tieu chi quy hoach gom gi",
"cho em hỏi tiêu chí nhà ở dân cư", "thông tin và truyền thông là gì".

A resident who names a criterion must get that criterion, whatever the ranking says.
A name counts when it follows "tiêu chí" (or "tc", "chỉ tiêu") and is the whole name or
a part of it no other criterion of the set shares; the whole name of three words or
more counts anywhere. Words are compared folded, one typo allowed in words of four
letters or more.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.services.vntext import fold

from .models import CriteriaSet, Criterion

_TRIGGERS = (("tieu", "chi"), ("chi", "tieu"), ("tc",))
_SKIP_AFTER_TRIGGER = frozenset(
    ("ve", "so", "cua", "la", "ten", "noi", "van", "de", "phan", "muc", "linh", "vuc")
)
_DROPPED = frozenset(("va",))


@dataclass(frozen=True)
class _Name:
    criterion: Criterion
    words: tuple[str, ...]


def _name_words(name: str) -> tuple[str, ...]:
    return tuple(w for w in fold(name).split() if w not in _DROPPED)


def _same(typed: str, word: str) -> bool:
    if typed == word:
        return True
    if len(word) < 4 or len(typed) < 4:
        return False
    return Levenshtein.distance(typed, word, score_cutoff=1) <= 1


def _matches_at(tokens: list[str], at: int, part: tuple[str, ...]) -> bool:
    if at + len(part) > len(tokens):
        return False
    return all(_same(tokens[at + k], word) for k, word in enumerate(part))


class NameFinder:
    """Finds the criterion of one set that a question names in words."""

    def __init__(self, criteria_set: CriteriaSet) -> None:
        self._names = [_Name(c, _name_words(c.name)) for c in criteria_set.criteria]
        counts: dict[tuple[str, ...], int] = {}
        self._parts: list[tuple[tuple[str, ...], _Name]] = []
        for name in self._names:
            for part in self._parts_of(name.words):
                counts[part] = counts.get(part, 0) + 1
        for name in self._names:
            for part in self._parts_of(name.words):
                # A part is a name only when no other criterion shares it, or when it is
                # this criterion's whole name ("Văn hóa" next to "Cơ sở vật chất văn hóa").
                if counts[part] == 1 or part == name.words:
                    self._parts.append((part, name))
        # Longest first: "nha o dan cu" before "nha o".
        self._parts.sort(key=lambda item: -len(item[0]))
        self._by_first: dict[str, list[tuple[tuple[str, ...], _Name]]] = {}
        for part, name in self._parts:
            self._by_first.setdefault(part[0], []).append((part, name))
        self._first_words = tuple(self._by_first)
        self._near_cache: dict[str, list[str]] = {}

    def _near(self, token: str) -> list[str]:
        """Name words that ``token`` may be (itself, or one typo away)."""
        if token in self._by_first:
            return [token]
        if len(token) < 4:
            return []
        found = self._near_cache.get(token)
        if found is None:
            found = [w for w in self._first_words if len(w) >= 4 and _same(token, w)]
            if len(self._near_cache) < 20000:
                self._near_cache[token] = found
        return found

    @staticmethod
    def _parts_of(words: tuple[str, ...]) -> set[tuple[str, ...]]:
        parts: set[tuple[str, ...]] = {words}
        for size in range(2, len(words)):
            for start in range(len(words) - size + 1):
                parts.add(words[start : start + size])
        return parts

    def find(self, folded_texts: tuple[str, ...]) -> Criterion | None:
        """The criterion named in any of the (folded) spellings of a question, or None."""
        for folded in folded_texts:
            found = self._find(folded.split())
            if found is not None:
                return found
        return None

    def _find(self, tokens: list[str]) -> Criterion | None:
        starts: list[int] = []
        for i in range(len(tokens)):
            for trigger in _TRIGGERS:
                if tuple(tokens[i : i + len(trigger)]) == trigger:
                    j = i + len(trigger)
                    starts.append(j)
                    while j < len(tokens) and tokens[j] in _SKIP_AFTER_TRIGGER:
                        j += 1
                        starts.append(j)
        for at in starts:
            if at >= len(tokens):
                continue
            hits: dict[int, tuple[tuple[str, ...], _Name]] = {}
            candidates = [item for word in self._near(tokens[at]) for item in self._by_first[word]]
            candidates.sort(key=lambda item: -len(item[0]))
            for part, name in candidates:
                if _matches_at(tokens, at, part):
                    hits.setdefault(id(name), (part, name))
            best = self._pick(list(hits.values()))
            if best is not None:
                return best
        # A whole name of three words or more, anywhere in the question.
        long_names = [name for name in self._names if len(name.words) >= 3]
        for at, token in enumerate(tokens):
            near = self._near(token)
            if not near:
                continue
            for name in long_names:
                if name.words[0] in near and _matches_at(tokens, at, name.words):
                    return name.criterion
        return None

    @staticmethod
    def _pick(hits: list[tuple[tuple[str, ...], _Name]]) -> Criterion | None:
        if not hits:
            return None
        # The longest part wins; among equals, the one that is more of its name.
        hits.sort(key=lambda h: (-len(h[0]), -len(h[0]) / len(h[1].words)))
        if len(hits) > 1:
            a, b = hits[0], hits[1]
            if len(a[0]) == len(b[0]) and len(a[0]) / len(a[1].words) == len(b[0]) / len(
                b[1].words
            ):
                return None
        return hits[0][1].criterion
