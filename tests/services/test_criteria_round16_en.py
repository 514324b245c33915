"""Criteria round 16 (issue 19), English: a scene told in passing, then a question. The clause
that asks carries the topic; the things of the scene (a road, a cultural house, a storm) are
where and when. Written in new wording (no dev or hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.english import english_topics

OLD, NEW = "ntm-2021-2025", "ntm-2026-2030"


def _answers(index: CriteriaIndex, text: str, set_code: str, number: int) -> None:
    result = index.ask(text, set_code)
    assert result.kind == "match" and result.best is not None, (text, result.kind)
    assert result.best.number == number, (text, result.best.number)


def test_the_question_clause_alone_is_read_when_it_names_a_topic() -> None:
    words = english_topics(
        "The new road to the district opened in spring and the trucks roar past all day. "
        "What share of families must have clean water?"
    )
    assert "nuoc sach" in words and "giao thong" not in words


def test_a_question_that_points_back_reads_the_whole_message() -> None:
    words = english_topics(
        "Our hamlet finally got a proper rubbish collection twice a week. Does that count?"
    )
    assert "rac thai" in words


def test_a_question_about_a_complaint_leans_on_the_scene() -> None:
    # "complain" names no criterion by itself: the scene's topic stays
    words = english_topics(
        "The pig farm upstream drains its waste into our canal every night. Who should we report it to?"
    )
    assert "rac thai" in words or "moi truong" in words or "chat thai" in words, words


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        (
            "Since they tarred the lane last autumn the kids cycle to school in ten minutes. "
            "How many percent of homes have to be connected to the grid safely?",
            OLD,
            4,
        ),
        (
            "Our cultural house got a new roof after the typhoon. "
            "What proportion of households must have hygienic drinking water?",
            OLD,
            17,
        ),
        (
            "My cousin drives a tractor along the canal road every harvest. "
            "Is teaching grown-ups who never learned to read still part of the rules?",
            OLD,
            14,
        ),
    ],
)
def test_the_scene_does_not_outweigh_the_question(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        (
            "grandma never learned to read, are there evening classes for people like her?",
            "xoa mu chu",
        ),
        ("half the old fishermen here cannot read a form", "xoa mu chu"),
        ("the field next to ours is earmarked for a bus depot", "quy hoach"),
        ("we lose power every afternoon, is the grid part of the standard?", "dien"),
        ("does a cassava noodle workshop help the rural economy?", "phat trien kinh te"),
        ("the lanes out to the paddy fields turn to soup in june", "duong noi dong"),
        ("a karaoke bar went up right against the approved plan", "quy hoach"),
    ],
)
def test_new_english_words(text: str, word: str) -> None:
    assert word in english_topics(text)


def test_a_place_something_happens_behind_is_not_the_topic() -> None:
    words = english_topics("some lads gamble at cards behind the community hall on weekends")
    assert "nha van hoa" not in words


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        (
            "young men shoot up heroin behind our cultural house at night, is that a security issue for the xa?",
            OLD,
            19,
        ),
        (
            "my aunt's pickled bamboo group sells on facebook now. does that add to the commune's economy?",
            NEW,
            3,
        ),
        ("are the tracks to the rice fields checked too, or only the big road?", OLD, 2),
    ],
)
def test_round16_english_words_answer(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)
