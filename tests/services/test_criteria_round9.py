"""Everyday words of issue 19, round 9: the northern mountains' customs and simple planning
words, leaf-roofed houses, playgrounds named by their swings, modified motorbikes, the hungry
months before the harvest, crafts dying out, pre-school; and calling out or asking what the
bot can do is chatter."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex


@pytest.mark.parametrize(
    ("question", "set_code", "number"),
    [
        ("nhà tôi lợp mái lá dừa, mưa là dột, xã có giúp không", "ntm-2021-2025", 9),
        ("tối nào ngoài đường làng cũng có xe nẹt pô ầm ĩ", "ntm-2021-2025", 19),
        ("thôn không có cầu trượt xích đu gì cả", "ntm-2021-2025", 6),
        ("tháng giáp hạt nhà tôi thiếu gạo ăn", "ntm-2026-2030", 6),
        ("bản tôi muốn giữ phong tục lễ cúng rừng", "ntm-2021-2025", 16),
        ("nghề đan lát của làng sắp mất nghề rồi", "ntm-2021-2025", 13),
        ("xã vẽ lại chỗ nào được làm nhà chưa", "ntm-2021-2025", 1),
        ("mương thoát nước thải trong xóm bị tắc, ai nạo vét", "ntm-2026-2030", 8),
        # the carrier ("nhà mạng") is who brings the internet, not chatter about a phone
        (
            "nhà mạng nói chưa kéo cáp quang lên xóm em, xã có đề nghị giúp không",
            "ntm-2021-2025",
            8,
        ),
    ],
)
def test_everyday_words_find_the_topic(
    index: CriteriaIndex, question: str, set_code: str, number: int
) -> None:
    result = index.ask(question, set_code)
    assert result.best is not None and result.best.number == number, result


@pytest.mark.parametrize(
    "question", ["a lô a lô", "a lô có ai không", "bạn có biết hát không", "bot biết làm thơ không"]
)
def test_calling_out_and_asking_the_bot_is_chatter(index: CriteriaIndex, question: str) -> None:
    for set_code in ("ntm-2021-2025", "ntm-2026-2030"):
        assert index.ask(question, set_code).kind == "offtopic"


def test_a_leaf_roof_is_not_a_race(index: CriteriaIndex) -> None:
    """'là đua xe' folds like 'lá dừa': only a roof or walls of leaves is a house."""
    result = index.ask("đua xe ban đêm ở đường làng thì báo ai", "ntm-2021-2025")
    assert result.best is not None and result.best.number == 19


@pytest.mark.parametrize(
    ("question", "set_code", "number"),
    [
        ("We want to put solar panels on the roof, who do we ask?", "ntm-2021-2025", 4),
        ("Is there a course for a drone pilot licence?", "ntm-2026-2030", 4),
        ("Can the village make one brand for our tea and print packaging?", "ntm-2026-2030", 3),
    ],
)
def test_english_new_technology_finds_what_it_is_for(
    index: CriteriaIndex, question: str, set_code: str, number: int
) -> None:
    result = index.ask(question, set_code)
    assert result.best is not None and result.best.number == number, result
