"""Chatter that names a topic word (criteria round 8): questions to the bot about itself
("người thật hay máy") and festive cooking recipes are not about the criteria; a trade or a
product named with them still is."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex


@pytest.mark.parametrize(
    "text",
    [
        "bạn là người thật hay là máy vậy",
        "ad là bot hay người thế",
        "công thức gói bánh ú sao cho đẹp",
        "nau xoi gac cho do dep the nao",
    ],
)
def test_chatter(index: CriteriaIndex, text: str) -> None:
    for set_code in ("ntm-2021-2025", "ntm-2026-2030"):
        assert index.ask(text, set_code).kind == "offtopic", set_code


def test_a_trade_named_with_festive_food_is_still_asked(index: CriteriaIndex) -> None:
    result = index.ask("học nghề làm bánh chưng bán tết ở đâu", "ntm-2021-2025")
    assert result.kind == "match" and result.best is not None and result.best.number == 12
    result = index.ask("công thức tính thu nhập bình quân thế nào", "ntm-2021-2025")
    assert result.kind == "match" and result.best is not None and result.best.number == 10
