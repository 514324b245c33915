"""Everyday words of criteria round 10: Nam Bộ speech, a change of trade (not digital
transformation), street lights under roads, an upset stomach after a meal as food safety,
crops dying, a flickering internet; wishes and testing the bot are chatter; English passive
violence and makeshift houses."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex


@pytest.mark.parametrize(
    ("question", "set_code", "number"),
    [
        ("đèn đường trong xóm hư cả tuần rồi", "ntm-2021-2025", 2),
        ("hộ mất ruộng muốn chuyển đổi nghề có được hỗ trợ học không", "ntm-2026-2030", 4),
        ("đi ăn giỗ về nôn ói, có phải ngộ độc không", "ntm-2021-2025", 17),
        ("mấy thằng nhỏ nhậu xỉn rồi đánh lộn ngoài lộ", "ntm-2021-2025", 19),
        ("nước heo xả ra kênh thúi quá", "ntm-2021-2025", 17),
        ("rẫy tiêu nhà tôi bị chết hết, có được hỗ trợ giống không", "ntm-2021-2025", 13),
        ("sóng wifi ở xóm chập chờn suốt, con học online không được", "ntm-2021-2025", 8),
        ("nhà tui cất tạm bằng lá, mưa dột hết, xã có hỗ trợ cất lại hông", "ntm-2021-2025", 9),
        ("my neighbour is beaten by her husband every week", "ntm-2026-2030", 10),
        ("grandpa lives in a makeshift house, can the commune help", "ntm-2021-2025", 9),
    ],
)
def test_everyday_words_find_the_topic(
    index: CriteriaIndex, question: str, set_code: str, number: int
) -> None:
    result = index.ask(question, set_code)
    assert result.best is not None and result.best.number == number, result


@pytest.mark.parametrize(
    "question", ["chúc cả xóm an khang thịnh vượng", "test thử bot có chạy không nè"]
)
def test_wishes_and_testing_the_bot_are_chatter(index: CriteriaIndex, question: str) -> None:
    for set_code in ("ntm-2021-2025", "ntm-2026-2030"):
        assert index.ask(question, set_code).kind == "offtopic"
