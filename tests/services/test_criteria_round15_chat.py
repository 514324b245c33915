"""Criteria round 15 (issue 19): a resident who shares news, a wish or an invitation that
names a topic word (the cultural house, a road, the sports ground, the cooperative, the rain,
livestock, a festival) asks nothing and gets the chatter answer; the same words in a real
question, a request without a question mark or a complaint still get their criterion.
Written in the engineer's own wording (no dev or hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.small_talk import sharing_only

NTM = "ntm-2021-2025"
NEW = "ntm-2026-2030"

SHARING = [
    # wishes and congratulations
    ("Chúc hội người cao tuổi của xóm mừng thọ thật vui nhé", NTM),
    ("chuc mung doi bong da thieu nien cua thon vo dich giai he", NTM),
    ("Congratulations to the cooperative on its first rice export", NEW),
    # invitations
    ("Kính mời bà con tới nhà văn hóa dự lễ khai giảng lớp múa lân tối chủ nhật", NTM),
    ("Everyone is welcome to the tug of war at the sports ground on Sunday", NTM),
    # news and small talk with an exclamation
    ("Sáng nay trâu nhà ông Sáu xổng chuồng chạy ra tận đường liên xã, buồn cười ghê", NTM),
    ("toi qua mua to that, san bong thanh ao ca", NEW),
    ("Hợp tác xã mới trồng hai hàng phượng dọc đường vào thôn, đẹp lắm!", NEW),
    ("The lion dance at the village festival was wonderful", NTM),
]

ASKING = [
    # a question form
    ("Sân bóng của thôn có được tính là khu thể thao không", NTM, 6),
    ("Does the cultural house need a stage to meet the standard", NTM, 6),
    # a request without a question mark
    ("xin hỏi hợp tác xã cần bao nhiêu thành viên để được tính cho tiêu chí sản xuất", NTM, 13),
    ("Please tell me the rule for the commune market", NTM, 7),
    # a complaint, told like news
    ("Tối qua mưa to, đường bê tông vào xóm lại ngập hết rồi", NTM, 2),
    ("đêm qua chuồng bò nhà hàng xóm bị trộm mất hai con", NTM, 19),
]


@pytest.mark.parametrize(("text", "set_code"), SHARING)
def test_sharing_news_or_wishes_is_chatter(index: CriteriaIndex, text: str, set_code: str) -> None:
    assert sharing_only(text)
    assert index.ask(text, set_code).kind == "offtopic"


@pytest.mark.parametrize(("text", "set_code", "number"), ASKING)
def test_asking_about_the_same_things_is_not_chatter(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    assert not sharing_only(text)
    result = index.ask(text, set_code)
    assert result.kind != "offtopic"
    offered = ([result.best] if result.best else []) + list(result.candidates)
    assert number in [c.number for c in offered if c is not None]


@pytest.mark.parametrize(
    "text",
    [
        "lễ hội chùa làng năm nay đông vui quá",  # "chùa" is no "chưa", "hội" no "hỏi"
        "đội văn nghệ của thôn hát hay quá",  # "văn" is no "vẫn"
        "mấy đứa nhỏ chơi ở sân thể thao vui ghê",  # "nhỏ" is no "nhờ"
    ],
)
def test_words_that_only_look_like_asking_when_folded(text: str) -> None:
    assert sharing_only(text)


@pytest.mark.parametrize(
    "text",
    [
        "le hoi nam nay vui qua nhung duong vao chua lam xong",  # "nhưng", "chưa"
        "mừng quá, mà sao đèn đường vẫn chưa sáng",  # "sao", "vẫn", "chưa"
        "the festival was fun but the road is still muddy",  # but, still
        "nice road, does it count for the transport criterion",  # does it
        "hàng rào cây xanh đẹp quá, tư vấn giúp em loại cây nên trồng",  # a request
    ],
)
def test_a_sign_of_asking_outweighs_a_sign_of_sharing(text: str) -> None:
    assert not sharing_only(text)


@pytest.mark.parametrize(
    "text",
    [
        "Cô giáo mới về trường làng vừa dọn đến ở cạnh nhà văn hóa",  # "vừa": just happened
        "ruong lua nha chu Hai nam nay tot lam",  # "tốt lắm" written without diacritics
        "Lễ hội thả đèn trên sông đẹp ơi là đẹp",  # "đẹp ơi là đẹp"
        "the cooperative's new calves are so cute",
    ],
)
def test_more_signs_of_sharing(text: str) -> None:
    assert sharing_only(text)
