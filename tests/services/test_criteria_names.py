"""Issue 11, item 1: a question naming a criterion, by number or by name, in any spelling,
gets that criterion, in every set. Generated from the catalog: every criterion of every
shipped set, several spellings each; the requirement is 100%."""

from __future__ import annotations

import pytest

from bot.services.criteria import Catalog, CriteriaIndex
from bot.services.vntext import fold

UNITS = ["", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def number_words(n: int) -> str:
    if n < 10:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    head = "mười" if tens == 1 else f"{UNITS[tens]} mươi"
    if unit == 0:
        return head
    return f"{head} {'lăm' if unit == 5 else 'mốt' if unit == 1 and tens > 1 else UNITS[unit]}"


def typo(name: str) -> str:
    """The name folded, with one letter dropped from its longest word (five letters or more)."""
    words = fold(name).split()
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    if len(words[longest]) >= 5:
        word = words[longest]
        words[longest] = word[:2] + word[3:]
    return " ".join(words)


def spellings(number: int, name: str) -> list[str]:
    plain = fold(name)
    out = [
        f"tiêu chí {name} là gì",
        f"tiêu chí {name.lower()} yêu cầu những gì",
        f"tieu chi {plain} gom nhung gi",
        f"cho em hỏi tiêu chí về {name.lower()} cần đạt gì ạ",
        f"cho tôi hỏi tiêu chí {name.lower()} gồm những nội dung gì hả chị",
        f"tieu chi ve {typo(name)} can nhung gi anh oi",
        f"TIÊU CHÍ {name.upper()}",
        f"tiêu chí số {number}",
        f"tieu chi {number} la gi vay ad",
        f"tc{number} gom gi",
        f"tiêu chí số {number_words(number)} là gì",
        f"cho em hỏi tiêu chí {number} ạ",
    ]
    if len(plain.replace(" va ", " ").split()) >= 3:
        out.append(f"{name.lower()} là gì vậy chị")
        out.append(f"{plain} can nhung gi")
    return out


CATALOG = Catalog.builtin()
INDEX = CriteriaIndex(CATALOG)
CASES = [
    (s.code, c.number, q)
    for s in CATALOG.sets()
    for c in s.criteria
    for q in spellings(c.number, c.name)
]


def test_there_are_many_cases_in_every_set() -> None:
    per_set = {s.code: sum(1 for code, _, _ in CASES if code == s.code) for s in CATALOG.sets()}
    assert len(per_set) == 5 and min(per_set.values()) >= 5 * 12


def test_number_words() -> None:
    assert [number_words(n) for n in (1, 5, 10, 11, 15, 17, 19)] == [
        "một",
        "năm",
        "mười",
        "mười một",
        "mười lăm",
        "mười bảy",
        "mười chín",
    ]


@pytest.mark.parametrize("set_code", [s.code for s in CATALOG.sets()])
def test_every_criterion_named_is_answered_with_it(set_code: str) -> None:
    missed = []
    for code, number, question in CASES:
        if code != set_code:
            continue
        result = INDEX.ask(question, code)
        if not (
            result.kind == "match"
            and result.best is not None
            and result.best.number == number
            and result.best.set_code == code
        ):
            got = (result.kind, result.best.number if result.best else None)
            missed.append((question, number, got))
    assert missed == []
