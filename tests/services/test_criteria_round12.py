"""Criteria round 12 (issue 19): closing remarks, lost animals and festive cakes are chatter;
English words for 2021–2025 topics. Written in new wording (no dev or hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.english import english_topics

SETS = ("ntm-2021-2025", "ntm-2026-2030")


@pytest.mark.parametrize("set_code", SETS)
@pytest.mark.parametrize(
    "text",
    [
        "cảm ơn chị đã chỉ tận tình, tối nay tôi nói lại với nhà tôi về chuyện sửa nhà",
        "dạ hiểu rồi, cảm ơn bot, để mai em ra trạm y tế hỏi thêm",
        "ok cam on ban, toi ve ke cho ba me nghe chuyen duong lang",
        "con trâu nhà tôi sổng chuồng chạy ra đồng từ sáng, ai thấy báo giúp",
        "con chó nhà bác Ba đi lạc ở chợ, ai thấy thì nhắn giùm",
        "gói bánh chưng bằng lá dong hay lá chuối thì xanh hơn",
    ],
)
def test_closing_remarks_and_errands_are_chatter(
    index: CriteriaIndex, text: str, set_code: str
) -> None:
    assert index.ask(text, set_code).kind == "offtopic"


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("cảm ơn ạ, nhưng đường thôn bao giờ mới đổ bê tông?", "ntm-2021-2025", 2),
        ("cảm ơn, nhà tôi dột nát thì có được hỗ trợ làm lại nhà không", "ntm-2021-2025", 9),
        ("cảm ơn, nhưng đường thôn vẫn ngập khi mưa to", "ntm-2021-2025", 2),
    ],
)
def test_thanks_before_a_question_still_asks_it(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    result = index.ask(text, set_code)
    assert result.kind == "match" and result.best is not None and result.best.number == number


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("do men and women get an equal say in the commune", "binh dang gioi"),
        ("is there much crime in our commune", "toi pham"),
        ("are semi-solid houses enough", "ban kien co"),
        ("my power meter spins too fast", "cong to dien"),
        ("who teaches farming techniques to growers", "khuyen nong"),
        ("how many administrative files are late", "thu tuc hanh chinh"),
    ],
)
def test_english_words_for_2021_2025_topics(text: str, words: str) -> None:
    assert words in english_topics(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("the lane is only 3 meters wide", "cong to dien"),
        ("we have 300 square meters of garden", "cong to dien"),
        ("solid waste piles up by the canal", "kien co"),
    ],
)
def test_english_words_do_not_take_other_senses(text: str, absent: str) -> None:
    assert absent not in english_topics(text)
