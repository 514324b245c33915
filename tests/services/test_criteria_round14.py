"""Criteria round 14 (issue 19): what the question asks dominates its side details: the
flood around a road or a house, the solar lamp on a road, the drip line of a field, the
machine a course teaches, the rain of small talk. Written in new wording (no dev or
hold-out question)."""

from __future__ import annotations

import pytest

from bot.services.criteria import CriteriaIndex
from bot.services.criteria.concepts import concept_expansions
from bot.services.criteria.context import course_subject, weather_words
from bot.services.criteria.dialect import standard_words


def _answers(index: CriteriaIndex, text: str, set_code: str, number: int | None) -> None:
    result = index.ask(text, set_code)
    if number is None:
        assert result.kind == "offtopic"
        return
    assert result.kind == "match" and result.best is not None
    assert result.best.number == number


def _words(folded: str, positions: set[int]) -> list[str]:
    words = folded.split()
    return [words[i] for i in sorted(positions)]


def test_weather_around_a_road_is_a_side_detail() -> None:
    folded = "mua lu ve la duong lien xa bi nuoc cuon mat mot doan"
    assert _words(folded, weather_words(folded)) == ["mua", "lu", "ve", "nuoc", "cuon"]


@pytest.mark.parametrize(
    "folded",
    [
        "mua lu ve duong bi ngap thi de bao co du cao khong",  # the dyke is asked
        "mua bao nha cua phai chang chong the nao",  # bracing for the storm
        "cho xa mua xuong la ngap bun",  # "mưa"/"mua" at a market
        "mua lu nam nay co to khong",  # nothing built is named
    ],
)
def test_weather_stays_the_topic(folded: str) -> None:
    assert weather_words(folded) == set()


def test_a_course_names_its_machine_as_subject() -> None:
    folded = "co lop hoc lai may cay cho thanh nien xa co mo khong"
    assert _words(folded, course_subject(folded)) == ["may", "cay"]
    assert course_subject("may cay nha toi hong roi") == set()


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        # a road or a house the flood or the storm damaged: the road, the house
        (
            "Mùa lũ về là đường liên xã bị nước cuốn mất một đoạn, bao giờ mới đổ lại mặt đường?",
            "ntm-2021-2025",
            2,
        ),
        (
            "Ngõ xóm nhà tui hễ mưa bão là nước đọng lênh láng, xe đạp đi không nổi, "
            "bao giờ xã đổ bê tông?",
            "ntm-2021-2025",
            2,
        ),
        # a solar lamp along a road is street lighting, not the power grid
        (
            "Mấy cây đèn năng lượng mặt trời ven đường xóm hỏng gần hết, tối đi lại khó, "
            "xã có thay không?",
            "ntm-2021-2025",
            2,
        ),
        # drip lines and automatic pumps are irrigation (criterion 3, watering that saves water)
        (
            "Ruộng dưa của tổ hợp tác chuyển sang tưới nhỏ giọt thì diện tích đó có được tính "
            "vào tưới tiêu của xã không?",
            "ntm-2021-2025",
            3,
        ),
        (
            "Vườn bưởi của tôi muốn gắn béc tưới tự động, xã có chương trình hỗ trợ không?",
            "ntm-2021-2025",
            3,
        ),
        # a course in flying a drone is training, not technology
        (
            "Có khóa học sử dụng thiết bị bay không người lái rải phân cho nông dân không?",
            "ntm-2026-2030",
            4,
        ),
        (
            "Thanh niên thôn muốn học lái flycam để chụp ảnh đồng ruộng, xã có mở lớp không?",
            "ntm-2026-2030",
            4,
        ),
        # the rain of small talk
        ("Tối qua mưa to quá, ngủ không được luôn", "ntm-2026-2030", None),
    ],
)
def test_what_is_asked_wins_over_side_details(
    index: CriteriaIndex, text: str, set_code: str, number: int | None
) -> None:
    _answers(index, text, set_code, number)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cấy nhà ni", "cái nhà này"),  # Nghệ Tĩnh "cấy" is "cái"
        ("làng ni cấy tay", "làng này cấy tay"),  # rice planted by hand
        ("máy cấy hư rồi", "máy cấy hư rồi"),
        ("đi cấy thuê", "đi cấy thuê"),
        # "khóa học" (a course) typed with its marks is no "khoa học" (science)
        ("có khóa học lái máy cày không", "có khóa đào tạo lái máy cày không"),
        ("ứng dụng khoa học kỹ thuật", "ứng dụng khoa học kỹ thuật"),
    ],
)
def test_planting_rice_is_no_dialect_word(text: str, expected: str) -> None:
    assert standard_words(text) == expected


def test_but_after_weaving_is_no_qr_code() -> None:
    found = dict(concept_expansions("nghe dan lat may doi nay ma gio sap mai mot"))
    assert "ma qr ho gia dinh thong tin" not in found.values()
    assert "ma qr ho gia dinh thong tin" in dict(concept_expansions("dan ma len cong nha")).values()


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        # "trạm" alone is the health station ("lên trạm ngái quá": too far up to the station)
        (
            "Mệ tui đau chân, lên trạm ngái quá, trạm có cho người xuống tận nhà không rứa?",
            "ntm-2021-2025",
            15,
        ),
        # a craft dying out
        (
            "Xóm tui có nghề đan lát mấy đời nay mà giờ sắp mai một, xã có giữ nghề không?",
            "ntm-2021-2025",
            13,
        ),
    ],
)
def test_regional_and_everyday_words(
    index: CriteriaIndex, text: str, set_code: str, number: int
) -> None:
    _answers(index, text, set_code, number)


def test_loudspeakers_phone_masts_and_a_flooded_station() -> None:
    assert "loa truyen thanh thong tin" in dict(concept_expansions("loa xom re qua")).values()
    masts = dict(concept_expansions("ap toi chua co cot phat song")).values()
    assert "internet" in masts and "dien luoi dien an toan dien" not in masts
    assert weather_words("mua lu la tram y te ngap nuoc het thuoc")


def test_a_canal_beside_the_house_is_where_it_stands() -> None:
    # the house by the canal floods: the canal is where, the house is asked
    assert weather_words("nha ong tu ven kenh mua lu ve nuoc ngap lung nha co ho tro xay nha khong")
    # ... but dredging the canal asks about the canal
    assert not weather_words("mua lu ve nuoc tran qua bo kenh vao nha dan xa co nao vet kenh")


def test_walls_and_roofs_of_coconut_leaves_are_a_house() -> None:
    found = dict(concept_expansions("nha chu tui xay bang tre voi la dua ngoai bai boi"))
    assert "nha o nha dot nat" in found.values()


@pytest.mark.parametrize(
    ("text", "set_code", "number"),
    [
        (
            "Nhà ông tư dựng ven kênh bằng tre nứa, mùa lũ về nước ngập lưng nhà, "
            "có được hỗ trợ xây nhà kiên cố không?",
            "ntm-2021-2025",
            9,
        ),
        (
            "Mùa lũ về nước tràn qua bờ kênh vào nhà dân, xã có nạo vét kênh không?",
            "ntm-2021-2025",
            3,
        ),
    ],
)
def test_house_by_the_canal(index: CriteriaIndex, text: str, set_code: str, number: int) -> None:
    _answers(index, text, set_code, number)
