"""Issue 11, item 6: English questions about the common topics are understood."""

from __future__ import annotations

import pytest

from bot.services.criteria import Catalog, CriteriaIndex
from bot.services.criteria.english import english_topics

INDEX = CriteriaIndex(Catalog.builtin())

CASES = [
    # question, 2021–2025 criterion, 2026–2030 criterion
    ("how wide must the village road be", 2, 2),
    ("the road to my house is full of potholes, who repairs it", 2, 2),
    ("is the tap water in our village clean", 17, 8),
    ("who collects the garbage and how often", 17, 8),
    ("how much does health insurance cost for my family", 15, 5),
    ("when will the school get new classrooms", 5, 2),
    ("there is a power cut every evening, who do I call", 4, 2),
    ("is there internet in the village", 8, 7),
    ("how do I get fibre broadband at home", 8, 7),
]


@pytest.mark.parametrize(("question", "old", "new"), CASES)
def test_english_questions_on_common_topics(question: str, old: int, new: int) -> None:
    for set_code, number in (("ntm-2021-2025", old), ("ntm-2026-2030", new)):
        result = INDEX.ask(question, set_code)
        offered = [c.number for c in ((result.best,) if result.best else ()) + result.candidates]
        assert result.kind == "match" and result.best.number == number, (
            set_code,
            result.kind,
            offered,
        )


def test_vietnamese_without_diacritics_is_left_alone() -> None:
    for text in ("duong thon bao gio lam xong", "cho em hoi ve nuoc sach", "tieu chi 17 la gi"):
        assert english_topics(text) == text
    assert english_topics("what is the road criteria") == "duong giao thong tieu chi"
