"""Criteria round 13 (issue 19): English carrying a few Vietnamese words, texting shorthand,
and English words for topics of both sets. Written in new wording (no dev or hold-out
question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.english import english_topics, is_english


@pytest.mark.parametrize(
    "text",
    [
        "the road into our thôn turns to mud every monsoon, which criterion deals with that?",
        "my uncle in Quảng Ngãi says the xã still has no proper health station, is that judged?",
        "is the chợ in our ấp supposed to have a roof and drains for ntm?",
    ],
)
def test_english_with_a_few_vietnamese_words_reads_as_english(text: str) -> None:
    assert is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "đường thôn mình có được làm lại không",
        "xã em có trạm y tế chưa, road có đạt chưa",
        "cho hỏi nhà văn hóa thôn có cần sân thể thao không",
    ],
)
def test_vietnamese_with_marks_stays_vietnamese(text: str) -> None:
    assert not is_english(text)


def test_vietnamese_words_in_english_join_the_topic_words() -> None:
    assert "nha van hoa" in english_topics("does our nhà văn hóa need a sports yard for ntm?")
    # One Vietnamese word and no English topic is chatter ("a bowl of bún").
    assert english_topics("where can I get a good bowl of bún near the station?") == ""


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("hey can u tell me if the coop in our village matters for ntm", "ntm-2021-2025", 13),
        ("pls tell me abt the rules for the market stalls in our commune", "ntm-2021-2025", 7),
        ("wat does ur commune need for the health station lol", "ntm-2021-2025", 15),
    ],
)
def test_texting_shorthand_is_spelled_out(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


def _answers(index: CriteriaIndex, text: str, set_code: str, number: int) -> None:
    result = index.ask(text, set_code)
    assert result.kind == "match" and result.best is not None
    assert result.best.number == number


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        (
            "after the two communes merged, who draws up the new development plan?",
            "ntm-2026-2030",
            1,
        ),
        (
            "is there a zoning map showing the residential zone and the industrial park?",
            "ntm-2026-2030",
            1,
        ),
        (
            "our family still uses an outdoor pit, does a sanitary toilet count?",
            "ntm-2021-2025",
            17,
        ),
        ("who keeps public order in the hamlet at night?", "ntm-2026-2030", 10),
        ("the party branch in my hamlet meets monthly, is its work scored?", "ntm-2026-2030", 9),
        ("can my sister join a free sewing course from the commune?", "ntm-2026-2030", 4),
        (
            "an old man lives under a tarpaulin roof by the river, is his home judged?",
            "ntm-2021-2025",
            9,
        ),
        ("does the new set check social protection for lonely elderly people?", "ntm-2026-2030", 6),
        (
            "a neighbour beats his wife when drunk, which criterion deals with that?",
            "ntm-2021-2025",
            18,
        ),
    ],
)
def test_english_words_for_topics(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)
