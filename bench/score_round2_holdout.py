"""Score the round-2 hold-out file: ``python bench/score_round2_holdout.py``.

Prints only the aggregate figures (top-1 and "right criterion among the offered
choices"), never the individual misses: the file is scored twice per round, at the
start and at the end, and is never tuned on.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services.criteria import Catalog, CriteriaIndex  # noqa: E402

FILE = ROOT / "tests" / "data" / "criteria_questions_round2_holdout.yaml"


def outcome(item: dict, result: object) -> tuple[bool, bool]:
    """(top-1 right, right among what the resident is offered)."""
    expect = item["expect"]
    want_set = item.get("expect_set", item["set"])
    if expect is None:
        ok = result.kind == "offtopic"
        return ok, ok
    offered = (result.best,) if result.kind == "match" else ()
    offered += tuple(result.candidates)
    top = result.kind == "match" and result.best is not None
    top = top and result.best.number == expect and result.best.set_code == want_set
    among = any(c is not None and c.number == expect and c.set_code == want_set for c in offered)
    return top, top or among


def main() -> None:
    items = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    index = CriteriaIndex(Catalog.builtin())
    ask = getattr(index, "ask_any", None) or index.ask
    tops = among = 0
    for item in items:
        top, inside = outcome(item, ask(item["q"], item["set"]))
        tops += top
        among += inside
    n = len(items)
    print(f"round-2 hold-out: {n} questions, top-1 {tops / n:.1%}, among choices {among / n:.1%}")


if __name__ == "__main__":
    main()
