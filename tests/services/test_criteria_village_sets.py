"""Issue 11, item 4: questions naming a village-level set (kiểu mẫu, thông minh, vườn mẫu),
or asked in a village that follows one, are answered from that set, with the commune's
national criterion named."""

from __future__ import annotations

import pytest

from bot.services.criteria import Catalog, CriteriaIndex

INDEX = CriteriaIndex(Catalog.builtin())


@pytest.mark.parametrize(
    ("question", "set_code"),
    [
        ("khu dân cư thông minh là gì", "ha-tinh-kdc-thong-minh"),
        ("thon thong minh gom nhung tieu chi nao", "ha-tinh-kdc-thong-minh"),
        ("vườn mẫu cần gì", "ha-tinh-vuon-mau"),
        ("khu dân cư kiểu mẫu cần những tiêu chí gì", "ha-tinh-kdc-kieu-mau"),
    ],
)
def test_naming_only_the_set_lists_it(question: str, set_code: str) -> None:
    for commune_set in ("ntm-2021-2025", "ntm-2026-2030"):
        result = INDEX.ask_any(question, commune_set)
        assert (result.kind, result.set_code) == ("list", set_code)


@pytest.mark.parametrize(
    ("question", "set_code", "number", "national_2021"),
    [
        ("thôn thông minh cần mấy camera", "ha-tinh-kdc-thong-minh", 2, 19),
        ("vườn mẫu phải có hàng rào xanh không", "ha-tinh-vuon-mau", 4, 17),
        ("khu dan cu kieu mau thi hang rao phai trong cay gi", "ha-tinh-kdc-kieu-mau", 3, None),
    ],
)
def test_a_topic_inside_a_named_set(
    question: str, set_code: str, number: int, national_2021: int | None
) -> None:
    result = INDEX.ask_any(question, "ntm-2021-2025")
    assert result.kind == "match" and (result.best.set_code, result.best.number) == (
        set_code,
        number,
    )
    if national_2021 is not None:
        assert result.national is not None and result.national.number == national_2021


def test_a_village_following_a_village_set_gets_it_and_the_national_criterion() -> None:
    question = "bóng đèn ngõ xóm cháy rồi ai thay"
    plain = INDEX.ask_any(question, "ntm-2021-2025")
    assert plain.best is not None and plain.best.set_code == "ntm-2021-2025"
    layered = INDEX.ask_any(question, "ntm-2021-2025", ["ha-tinh-kdc-kieu-mau"])
    assert (layered.best.set_code, layered.best.number) == ("ha-tinh-kdc-kieu-mau", 6)
    assert layered.national is not None and layered.national.number == 4


def test_everyday_words_do_not_name_a_set() -> None:
    result = INDEX.ask_any("điện thoại thông minh của mẹ em bị hỏng loa", "ntm-2021-2025")
    assert result.best is None or result.best.set_code == "ntm-2021-2025"
    assert INDEX.named_set("mua điện thoại thông minh ở đâu") is None
    assert INDEX.named_set("xã nông thôn mới kiểu mẫu là gì") is None  # a commune-level title
