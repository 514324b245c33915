"""Criteria round 14 (issue 19), English: development and NGO wording, British and American
variants, typos, other senses of topic words, Vietnamese typed without marks inside English,
and "criterion" read as a number. Written in new wording (no dev or hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.english import english_topics

OLD, NEW = "ntm-2021-2025", "ntm-2026-2030"


def _answers(index: CriteriaIndex, text: str, set_code: str, number: int) -> None:
    result = index.ask(text, set_code)
    assert result.kind == "match" and result.best is not None, (text, result.kind)
    assert result.best.number == number, (text, result.best.number)


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        # "criterion" translated as "tieu chi" and followed by "mot cua" read as criterion 1
        ("which criterion deals with the one-stop desk and late paperwork?", NEW, 9),
        ("which criterion looks after conciliation and law and order in villages?", NEW, 10),
    ],
)
def test_criterion_followed_by_a_topic_is_not_a_criterion_number(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


def test_water_at_a_school_is_clean_water_not_irrigation() -> None:
    # "ruong" (rice field) was found inside "truong" (school)
    words = english_topics("is there safe drinking water for the children at the primary school?")
    assert "nuoc sach" in words and "tuoi tieu" not in words


def test_wash_the_acronym_is_water_and_sanitation_wash_the_verb_is_not() -> None:
    assert "nuoc sach" in english_topics("our NGO runs a WASH project in three hamlets")
    assert english_topics("the kids wash their bikes in the pond every sunday") == ""


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("they opened a brand new bridge over the canal", "ocop"),
        ("is our commune close to meeting the standard for roads?", "hop thon"),
        ("i waited two weeks for the commune to stamp my land papers", "tem truy xuat"),
        ("what is the exchange rate for dollars at the bank today?", "ty le"),
    ],
)
def test_other_senses_of_topic_words(text: str, absent: str) -> None:
    assert absent not in english_topics(text)


@pytest.mark.parametrize(
    ("text", "set_code"),
    [
        ("which bank gives the best exchange rate for dollars this week?", OLD),
        ("my cousin bought a brand new motorbike, so jealous lol", NEW),
    ],
)
def test_chatter_with_a_topic_like_word_is_chatter(
    index: CriteriaIndex, text: str, set_code: str
) -> None:
    assert index.ask(text, set_code).kind == "offtopic"


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("the enviroment around my wifes village is filthy, does ntm check that", OLD, 17),
        ("electricty in the hamlet is so weak the fan barely turns, is that in ntm", OLD, 4),
        ("the irigation in my dads village is hopeless, is that an ntm thing", OLD, 3),
        ("cant afford helth insurence for my parents, does the commune get marked down", OLD, 15),
    ],
)
def test_common_misspellings_of_topic_words(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


def test_vietnamese_typed_without_marks_inside_english_is_kept() -> None:
    assert "ho ngheo" in english_topics("does the ho ngheo list in our thon matter for the commune")
    assert "gia dinh van hoa" in english_topics(
        "my parents got the gia dinh van hoa plaque again, what is it for"
    )


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("Is the environment part of the assessment of a commune?", OLD, 17),
        ("Our WASH programme works in five hamlets. Which criterion is that?", OLD, 17),
        ("We support the livelihoods of smallholder farmers. Which criterion is that?", OLD, 10),
        ("Which criterion covers DRR and preparedness?", OLD, 3),
        ("How much farmland has to be irrigated for the commune to pass?", OLD, 3),
        ("Does the programme look at telecoms and ICT in the commune?", OLD, 8),
        ("Are production linkages between farmers and companies a criterion?", OLD, 13),
        ("Is access to justice for villagers part of any criterion?", OLD, 18),
        ("Which of the new criteria covers the accountability of commune leaders?", NEW, 9),
        ("Does the new set reward electronic payments in the village?", NEW, 7),
        ("Which new criterion covers TVET and upskilling for rural youth?", NEW, 4),
        ("Is the rural landscape judged in the 2026-2030 set?", NEW, 8),
    ],
)
def test_development_and_ngo_wording(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


def test_relatives_by_marriage_are_not_the_law() -> None:
    for text in (
        "my father-in-law grows coffee and sells it to traders, does that count as income?",
        "my in laws run a noodle stall in the market, is the market checked?",
    ):
        assert "phap luat" not in english_topics(text)
    assert "phap luat" in english_topics("is the new law on land explained to villagers?")


def test_rain_coming_into_a_house_is_a_leaking_roof_not_clean_water() -> None:
    words = english_topics("water leaks into my aunt's bedroom whenever there is a storm")
    assert "nuoc sach" not in words and "nha dot" in words
    assert "nuoc sach" in english_topics("we need clean water coming into our house")


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("is there a rule that each hamlet has somewhere the children can play?", OLD, 6),
        ("the old folks have nowhere to exercise in the evening, is that in ntm?", OLD, 6),
    ],
)
def test_somewhere_to_play_or_exercise_is_a_place(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("honestly the football pitch in my village is trash", "san bong", "rac thai"),
        (
            "grandpa used to be a soldier, does the commune look after him?",
            "nguoi co cong",
            "bo doi",
        ),
        ("the commune took two months to process my birth registration", "thu tuc hanh chinh", "-"),
    ],
)
def test_casual_and_past_senses(text: str, present: str, absent: str) -> None:
    words = english_topics(text)
    assert present in words and absent not in words


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("do girls get treated equally in the village, is that in ntm?", OLD, 18),
        ("does the new set count tourists coming to the village?", NEW, 3),
        ("must every teen finish middle school for the commune to pass?", OLD, 14),
        ("is the soccer field in the hamlet something ntm checks?", OLD, 6),
    ],
)
def test_american_and_everyday_words(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        # "cho nong thon tieu chi" read as "cho ... tieu chi": show me the list
        ("Which criterion covers markets?", OLD, 7),
        ("which criterion is the one about rural markets?", OLD, 7),
    ],
)
def test_which_criterion_covers_a_topic_is_not_a_list_request(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


def test_the_list_of_criteria_is_still_a_list(index: CriteriaIndex) -> None:
    assert index.ask("what are all the criteria?", OLD).kind == "list"


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        ("r there rules abt how many ppl need bhyt in the new set", NEW, 5),
        ("does my uncles htx count for anything in ntm", OLD, 13),
        ("does the commune need a vsmt team for ntm", OLD, 17),
    ],
)
def test_vietnamese_abbreviations_inside_english(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)
