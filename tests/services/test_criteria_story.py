"""Long household stories (issue 19, criteria round 8): the sentence that asks is ranked on
its own when the whole story, diluted by its narrative words, gave no match."""

from __future__ import annotations

import pytest

from bot.services.criteria import Catalog, CriteriaIndex
from bot.services.criteria.story import question_part

STORIES = [
    (
        "Nhà tôi có ba đứa con, đứa lớn đi làm ở Đồng Nai, đứa giữa lấy chồng xa, còn thằng út "
        "mới mười lăm tuổi. Năm ngoái nó thi trượt rồi ở nhà phụ bố mẹ nuôi gà, tôi buồn lắm. "
        "Cho hỏi học sinh nghỉ học giữa chừng thì xã có vận động đi học lại không?",
        14,
        5,
    ),
    (
        "Vợ chồng em cưới nhau được ba năm, em làm công nhân may, anh nhà chạy xe ôm, con gái "
        "hai tuổi gửi bà ngoại. Cuộc sống cũng vất vả nhưng vui. Em hỏi chút: muốn đi học lớp "
        "may công nghiệp buổi tối thì đăng ký ở đâu ạ?",
        12,
        4,
    ),
]


@pytest.mark.parametrize(("story", "old", "new"), STORIES)
def test_the_question_in_a_story_is_found(
    index: CriteriaIndex, story: str, old: int, new: int
) -> None:
    for set_code, number in (("ntm-2021-2025", old), ("ntm-2026-2030", new)):
        result = index.rules(story, set_code)
        assert result.kind == "match", (set_code, result.kind)
        assert result.best is not None and result.best.number == number


def test_question_part() -> None:
    story = STORIES[0][0]
    assert question_part(story) == (
        "Cho hỏi học sinh nghỉ học giữa chừng thì xã có vận động đi học lại không?"
    )
    assert question_part("đường thôn bao giờ làm? ai lo?") is None  # short: one thought
    long_one = "tôi muốn hỏi về con đường đi qua nhà văn hóa thôn mình mà mãi chưa ai sửa cả"
    assert question_part(long_one) is None  # one sentence


def test_a_long_message_takes_the_models_pick_sooner(index: CriteriaIndex) -> None:
    """Chatter is short: in a long message the rules' "not about the criteria" gives way to
    a model 60% sure (90% in a short one)."""
    from bot.services.criteria.blending import blend
    from bot.services.criteria.ranking import MatchResult

    criteria_set = Catalog.builtin().get("ntm-2021-2025")
    offtopic = MatchResult("offtopic", None, (), 0.1)
    probs = [(7, 0.7), (0, 0.2), (5, 0.1)]
    long_text = (
        "tôi bán rau mười năm nay, trời mưa bùn lầy, ban quản lý thu phí đều mà chẳng sửa "
        "mái che, nhà vệ sinh cũng không có"
    )
    result = blend(offtopic, probs, criteria_set, long_text)
    assert result.kind == "match" and result.best is not None and result.best.number == 7
    assert blend(offtopic, probs, criteria_set, "rau hôm nay rẻ ghê").kind == "offtopic"
