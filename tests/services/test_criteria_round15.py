"""Criteria round 15 (issue 19): a message that mentions one topic in passing and then turns
with "tôi hỏi" / "cho hỏi" / "my question is" to what it asks is answered by what follows
the turn. Written in new wording (no dev, probe or hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.story import asked_part


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        # a drought mentioned, the primary school asked
        (
            "Đợt hạn hán vừa rồi ruộng nứt nẻ hết, nhưng tôi muốn hỏi về trường tiểu học: "
            "phòng học phải đạt chuẩn thế nào?",
            "ntm-2021-2025",
            5,
        ),
        # a cooperative mentioned, legal aid asked
        (
            "Anh tôi vừa góp vốn vào hợp tác xã cam, cho tôi hỏi người dân muốn được trợ "
            "giúp pháp lý miễn phí thì đến đâu?",
            "ntm-2026-2030",
            10,
        ),
        # an online shop mentioned, the health station asked
        (
            "Thôn tôi mở gian hàng bán miến trên sàn thương mại điện tử, tôi muốn hỏi trạm "
            "y tế xã phải có mấy y sĩ mới đạt chuẩn?",
            "ntm-2026-2030",
            5,
        ),
    ],
)
def test_the_question_after_the_turn_is_answered(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    result = index.ask(text, set_code)
    assert result.kind == "match" and result.best is not None
    assert result.best.number == number


def test_asked_part_finds_the_turn() -> None:
    scene = "Hợp tác xã nấm của xóm tôi đang lãi, nhưng "
    assert asked_part(scene + "tôi xin hỏi mái nhà dột thì có đạt không?") == (
        "mái nhà dột thì có đạt không?"
    )
    english = (
        "The flood cut the bridge, but my question is about the clinic: how many nurses are needed"
    )
    assert asked_part(english) == "the clinic: how many nurses are needed"


@pytest.mark.parametrize(
    "text",
    [
        "Cho hỏi trạm y tế xã có mấy bác sĩ vậy ạ?",  # the turn opens the message: no scene
        "à ừ thì cho hỏi trạm y tế xã có mấy bác sĩ",  # fillers are no scene
        "Ngoài chợ người ta toàn hơi sợ mưa, tôi hơi lo cái chợ xã xuống cấp quá",  # "hơi" is no "hỏi"
        "Con đường bị sạt sau mưa lũ, tôi muốn hỏi ai để báo cho xã biết",  # ask whom
        "Nhà tôi thuê máy cày của hợp tác xã, cho hỏi việc này có được tính không?",  # points back
    ],
)
def test_no_turn(text: str) -> None:
    assert asked_part(text) is None


# The second stage: a fairly confident rules match (0.75) gives way to a criterion both models
# and the stage are sure of only in a long message, where a side mention is what made the rules
# confident; a short question keeps the rules' match.
_LONG = (
    "khu chợ tạm ven đường cái mỗi sáng họp đông người bán cá bán rau lầy lội bẩn thỉu "
    "thì xã có dự định xây chợ mới cho bà con không"
)
_SHORT = "xe chạy ầm ĩ ngoài ngõ mỗi tối"


def _overrule(text: str, words: int | None = None) -> int:
    from bot.services.criteria import Catalog, MatchResult
    from bot.services.criteria.reranker import Stage

    national = Catalog.builtin().get("ntm-2021-2025")
    road, market = national.criterion(2), national.criterion(7)
    rules = MatchResult("match", road, (market,), 0.75)
    nb = [(7, 0.93), (2, 0.05), (0, 0.02)]
    lr = [(7, 0.9), (2, 0.08), (0, 0.02)]
    result = Stage.load().ranker.rank(rules, nb, lr, national, text, words)
    assert result.kind == "match" and result.best is not None
    return result.best.number


def test_a_long_message_lets_the_models_overrule_a_fair_rules_match() -> None:
    assert _overrule(_LONG) == 7


def test_a_short_question_keeps_the_rules_match() -> None:
    assert _overrule(_SHORT) == 2
    # the resident's message length counts, not the models' (shorter) text
    assert _overrule(_LONG, words=10) == 2
