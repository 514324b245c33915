"""Scene-setting words (issue 19, round 6): "sau sáp nhập", "xã mới", "bỏ cấp huyện" say when
a question is asked, not what about; the topic wins unless the question is about the
reorganisation or planning itself."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.context import context_words


@pytest.mark.parametrize(
    ("question", "old", "new"),
    [
        ("xã mới sau sắp xếp thì hợp tác xã có phải đổi tên không", 13, 3),
        ("sau sap nhap xa em nghia trang cu co con chon duoc khong", 17, 8),
        ("sau sáp nhập xã, trạm y tế cũ còn khám bảo hiểm y tế không", 15, 5),
    ],
)
def test_the_topic_wins_over_the_merger(
    index: CriteriaIndex, question: str, old: int, new: int
) -> None:
    for set_code, number in (("ntm-2021-2025", old), ("ntm-2026-2030", new)):
        result = index.ask(question, set_code)
        assert result.kind == "match"
        assert result.best is not None and result.best.number == number
        assert 1 not in [c.number for c in result.candidates]


def test_planning_after_a_merger_stays_planning(index: CriteriaIndex) -> None:
    result = index.ask("sáp nhập xã rồi quy hoạch chung có phải lập lại không", "ntm-2026-2030")
    assert result.kind == "match" and result.best is not None and result.best.number == 1


def test_scene_words_are_found_and_new_countryside_is_not_one() -> None:
    folded = "sau sap nhap 3 xa thanh 1 thi tram y te"
    assert [
        folded.split()[i] for i in sorted(context_words(folded))
    ] == "sau sap nhap 3 xa thanh 1".split()
    assert not context_words("xa nong thon moi can gi")
    assert not context_words("dong gop lam duong")


def test_a_topic_named_again_after_o_is_not_a_place(index: CriteriaIndex) -> None:
    """ "ở" usually names where something asked about is ("wifi ở nhà văn hóa"); when the
    words after it repeat the topic ("nghĩa trang … chôn ở nghĩa trang chung"), they stay
    the topic."""
    question = "nghĩa trang xóm cũ bị đóng, giờ phải chôn ở nghĩa trang chung xa lắm"
    assert "nghia_trang" not in index._analyse(question).place_terms
    result = index.rules(question, "ntm-2021-2025")
    assert result.kind == "match" and result.best is not None and result.best.number == 17
    assert 2 not in [c.number for c in result.candidates]  # not a road question


def test_a_long_start_before_co_is_not_a_place(index: CriteriaIndex) -> None:
    """ "trạm y tế xã có wifi không": a short named place, then the thing asked about. A long
    start is the topic itself, and "có thể" (can) is no "có" (has): the asker's own
    wish to get fibre at home is not a place."""
    question = (
        "nhà tôi muốn lắp wifi cáp quang mà nhà mạng chưa kéo dây tới xóm, tôi có thể kiến "
        "nghị lên xã không"
    )
    assert "wifi" not in index._analyse(question).place
    result = index.ask(question, "ntm-2021-2025")
    assert result.kind == "match" and result.best is not None and result.best.number == 8
    assert index._analyse("trạm y tế xã có wifi không").place == {"tram", "y", "te", "xa"}


def test_a_phrase_split_by_a_word_or_two_still_counts(index: CriteriaIndex) -> None:
    """A catalog phrase whose two words stand one or two words apart ("đường thì hẹp":
    đường hẹp) counts, at 0.3 of its words' weight; further apart it does not."""
    terms = index._analyse("đường liên thôn thì hẹp quá").terms
    assert "duong_hep" not in terms  # three words apart
    terms = index._analyse("đường thì hẹp quá").terms
    assert 0 < terms["duong_hep"] < terms["duong"]
    question = "con bé nhà tôi sáu tuổi chưa đi học lớp một, xã có bắt phải đi không"
    result = index.ask(question, "ntm-2021-2025")
    assert result.kind == "match" and result.best is not None and result.best.number == 14
