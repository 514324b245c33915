"""Top-1 accuracy of the criteria matcher over the resident-style dev questions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.services.criteria import Catalog, CriteriaIndex, MatchResult

DATA = Path(__file__).resolve().parents[1] / "data" / "criteria_questions.yaml"
REQUIRED_ACCURACY = 0.95


def load_questions() -> list[dict]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def is_correct(expect: object, result: MatchResult) -> bool:
    """Off-topic counts only as "offtopic", a list request only as "list", a number
    only as a "match" whose best criterion has that number."""
    if expect is None:
        return result.kind == "offtopic"
    if expect == "list":
        return result.kind == "list"
    return result.kind == "match" and result.best is not None and result.best.number == expect


def describe(result: MatchResult) -> str:
    if result.kind == "match" and result.best is not None:
        return f"match {result.best.number}"
    if result.kind == "unsure":
        return "unsure " + ",".join(str(c.number) for c in result.candidates)
    return result.kind


@pytest.fixture(scope="module")
def index() -> CriteriaIndex:
    return CriteriaIndex(Catalog.builtin())


def test_dev_set_is_big_enough() -> None:
    questions = load_questions()
    assert len(questions) >= 150
    assert sum(1 for q in questions if q["expect"] is None) >= 20
    sets = {q["set"] for q in questions}
    assert {"ntm-2021-2025", "ntm-2026-2030"} <= sets
    assert len(sets) >= 4


def test_top1_accuracy(index: CriteriaIndex) -> None:
    questions = load_questions()
    misses: list[str] = []
    for item in questions:
        result = index.ask(item["q"], item["set"])
        if not is_correct(item["expect"], result):
            misses.append(
                f"  [{item['set']}] {item['q']!r}: expected {item['expect']}, got {describe(result)}"
                f" (score {result.score:.2f})"
            )
    accuracy = 1 - len(misses) / len(questions)
    print(
        f"\ncriteria top-1 accuracy: {accuracy:.1%} ({len(questions) - len(misses)}/{len(questions)})"
    )
    if misses:
        print("misses:\n" + "\n".join(misses))
    assert accuracy >= REQUIRED_ACCURACY, "\n".join(misses)
