"""Issue 19, round 7: every 2021–2025 topic has a home in the 2026–2030 set.

The 2026–2030 set has 10 broad criteria; each 2021–2025 criterion lists where its topics
went (``successors``). Asked in the 2026–2030 set, the name and every keyword of a
2021–2025 criterion must land on one of its successors: as the answer for nearly all, and
among the choices offered for all but a few. (The keywords are training data: this is a
fit check of the mapping, not an accuracy estimate.) The exceptions are topics the new
set files elsewhere on purpose (drones and greenhouses are science and technology now).
"""

from __future__ import annotations

from bot.services.criteria import Catalog, CriteriaIndex


def test_old_topics_land_on_their_new_home() -> None:
    catalog = Catalog.builtin()
    index = CriteriaIndex(catalog)
    asked = top = among = 0
    misses = []
    for criterion in catalog.get("ntm-2021-2025").criteria:
        assert criterion.successors, criterion.number
        for text in (criterion.name, *criterion.keywords):
            result = index.ask(text, "ntm-2026-2030")
            offered = [c.number for c in (result.best, *result.candidates) if c is not None]
            asked += 1
            if result.kind == "match" and result.best.number in criterion.successors:
                top += 1
            else:
                misses.append((criterion.number, text, result.kind, offered))
            among += any(n in criterion.successors for n in offered)
    assert asked > 600
    assert top / asked >= 0.95, misses
    assert among / asked >= 0.96, misses
