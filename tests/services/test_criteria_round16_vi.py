"""Criteria round 16 (issue 19), Vietnamese: what is asked beats what is mentioned. A story
that mentions one criterion's things and then asks, in its own question sentence or after
"nhưng tôi muốn biết", about another is answered by the question. Written in new wording
(no dev, probe or hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.dialect import standard_words
from bot.services.criteria.story import asked_part, asks_alone


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        # roads, drains and street lights mentioned, the kindergarten asked
        (
            "Đường liên thôn nhà tôi mới bê tông hóa, có cả rãnh thoát nước và đèn chiếu sáng "
            "hai bên đường. Lớp mẫu giáo của cháu tôi thì học nhờ nhà dân, trường mầm non "
            "phải có những phòng gì mới đạt chuẩn?",
            "ntm-2021-2025",
            5,
        ),
        # a concrete road mentioned, vocational training asked after "nhưng mà em muốn biết"
        (
            "Đường bê tông vào bản đã làm xong, xe máy đi được cả mùa mưa, nhưng mà em muốn "
            "biết con em học xong lớp 12 muốn học nghề điện dân dụng thì xã có hỗ trợ không?",
            "ntm-2026-2030",
            4,
        ),
    ],
)
def test_the_question_beats_the_story(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    result = index.ask(text, set_code)
    assert result.kind == "match" and result.best is not None
    assert result.best.number == number


def test_but_i_want_to_know_turns_to_the_question() -> None:
    text = "Nhà văn hóa xóm mới lợp lại mái, nhưng tôi muốn biết cầu qua suối bao giờ làm?"
    assert asked_part(text) == "cầu qua suối bao giờ làm?"
    # "tôi muốn biết" opening a message is not a turn from a scene
    assert asked_part("Tôi muốn biết cầu qua suối của xóm bao giờ thì làm xong?") is None


@pytest.mark.parametrize(
    "part",
    [
        "Học có mất tiền không?",  # short: leans on the story
        "Năm nay làm như vậy thì xã có được công nhận đạt chuẩn không?",  # points back
        "Trạm y tế xã phải có bao nhiêu bác sĩ mới đạt chuẩn.",  # no question mark
        None,
    ],
)
def test_a_question_sentence_that_leans_on_the_story(part: str | None) -> None:
    assert not asks_alone(part)


def test_a_question_sentence_that_stands_alone() -> None:
    assert asks_alone("Trạm y tế xã phải có bao nhiêu bác sĩ mới được công nhận đạt chuẩn?")


@pytest.mark.parametrize(
    "text",
    [
        # "ck" (chồng) and "say … đánh" without "rượu": domestic violence
        "ck e cứ nhậu say về là đánh e, có số nào gọi để được giúp k ạ",
        # a neighbour cutting one's trees: a dispute to settle
        "nhà bên sang chặt keo của tôi trồng, báo ai",
    ],
)
def test_violence_and_disputes_in_everyday_words(index: CriteriaIndex, text: str) -> None:
    result = index.rules(text, "ntm-2026-2030")
    assert result.kind == "match" and result.best is not None
    assert result.best.number == 10
    assert result.score >= 0.5


def test_the_mountain_village_people_are_no_sellers() -> None:
    assert standard_words("Người bản trên xuống chặt tre") == "Người thôn trên xuống chặt tre"
    assert standard_words("người bản địa") == "người bản địa"
    assert standard_words("người bán hàng ở chợ") == "người bán hàng ở chợ"


def test_a_growing_area_code_is_traceability(index: CriteriaIndex) -> None:
    result = index.ask("xã có hỗ trợ cấp mã số vùng trồng cho vườn bưởi không", "ntm-2026-2030")
    assert result.kind == "match" and result.best is not None
    assert result.best.number == 3
