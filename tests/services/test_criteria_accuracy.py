"""Top-1 accuracy of the criteria matcher on its TRAINING question files (a fit check).

Every file in ``tests/data/training`` is in the learned model's corpus and the rules were
tuned on them, so these figures say the matcher still fits what it was built from; they are
no estimate for unseen questions. Unseen questions are the hold-outs in
``tests/data/holdout`` (``bench/score_holdout.py``; see ``test_criteria_holdout.py`` for the
protocol). Run with ``-s`` to see each accuracy and the misses.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.services.criteria import CriteriaIndex, MatchResult

TRAINING = Path(__file__).resolve().parents[1] / "data" / "training"
# file -> the fit it must keep (what it reached minus a margin)
FILES = {
    "r1_dev.yaml": 0.97,
    "r1_tune.yaml": 0.97,
    "r1_styles.yaml": 0.96,
    "r2_fresh.yaml": 0.95,
    "r3_fresh2.yaml": 0.95,
    "r4_fresh3.yaml": 0.93,
    "r5_round12.yaml": 0.94,
    "r6_round13.yaml": 0.91,
    "r7_round14_vi.yaml": 0.93,
}


def load_questions(name: str) -> list[dict]:
    return yaml.safe_load((TRAINING / name).read_text(encoding="utf-8"))


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


def test_every_training_file_is_checked() -> None:
    assert {p.name for p in TRAINING.glob("*.yaml")} == set(FILES)


@pytest.mark.parametrize("name", sorted(FILES))
def test_training_file_is_clean(name: str) -> None:
    questions = load_questions(name)
    assert len(questions) >= 100
    assert sum(1 for q in questions if q["expect"] is None) >= 10
    texts = [q["q"].lower() for q in questions]
    assert len(set(texts)) == len(texts), "duplicate questions"


@pytest.mark.parametrize("name", sorted(FILES))
def test_training_fit(index: CriteriaIndex, name: str) -> None:
    questions = load_questions(name)
    misses: list[str] = []
    for item in questions:
        result = index.ask(item["q"], item["set"])
        if not is_correct(item["expect"], result):
            misses.append(
                f"  [{item['set']}] {item['q']!r}: expected {item['expect']}, got {describe(result)}"
                f" (score {result.score:.2f})"
            )
    accuracy = 1 - len(misses) / len(questions)
    print(f"\ntraining fit on {name}: {accuracy:.1%} (required {FILES[name]:.0%})")
    if misses:
        print("misses:\n" + "\n".join(misses))
    assert accuracy >= FILES[name], "\n".join(misses)
