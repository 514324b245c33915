"""The amount parser: what residents type, its errors, and properties (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.contributions.amounts import (
    MAX_MONEY,
    InvalidAmount,
    Quantity,
    format_money,
    guess_kind,
    parse_labour,
    parse_land,
    parse_material,
    parse_money,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500000", 500_000),
        ("500.000", 500_000),
        ("500,000đ", 500_000),
        ("500k", 500_000),
        ("500K", 500_000),
        ("1tr", 1_000_000),
        ("1tr5", 1_500_000),
        ("1tr25", 1_250_000),
        ("1,5 triệu", 1_500_000),
        ("2 triệu rưỡi", 2_500_000),
        ("2 trieu ruoi", 2_500_000),
        ("1.2tr", 1_200_000),
        ("hai triệu", 2_000_000),
        ("năm trăm nghìn", 500_000),
        ("nam tram nghin", 500_000),
        ("1 triệu 200 nghìn", 1_200_000),
        ("1tr 5k", 1_005_000),
        ("2k5", 2_500),
        ("mười lăm nghìn", 15_000),
        ("hai mươi mốt nghìn", 21_000),
        ("một trăm năm mươi nghìn", 150_000),
        ("1 tỷ 2 trăm triệu", 1_200_000_000),
        ("10 tỷ", 10_000_000_000),
        ("1.500.000 ₫", 1_500_000),
        ("500.000 VNĐ", 500_000),
        ("  300 ngàn ", 300_000),
    ],
)
def test_money_as_people_type_it(text: str, expected: int) -> None:
    assert parse_money(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("0", "zero"),
        ("0đ", "zero"),
        ("-500k", "negative"),
        ("âm 5 triệu", "negative"),
        ("11 tỷ", "too_large"),
        ("10000000001", "too_large"),
        ("1.5", "fraction"),
        ("abc", "unreadable"),
        ("500k!", "unreadable"),
        ("5 6", "unreadable"),
        ("1.2.3", "unreadable"),
    ],
)
def test_money_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAmount) as error:
        parse_money(text)
    assert error.value.reason == reason


def test_labour_materials_land() -> None:
    assert parse_labour("3 ngày") == Quantity(3, "ngày công")
    assert parse_labour("3 công") == Quantity(3, "ngày công")
    assert parse_labour("ba ngày") == Quantity(3, "ngày công")
    assert parse_material("2 khối cát") == Quantity(2, "khối", "cát")
    assert parse_material("50 bao xi măng") == Quantity(50, "bao", "xi măng")
    assert parse_material("2 tấm tôn") == Quantity(2, "tấm", "tôn")
    assert parse_land("100 m2") == Quantity(100, "m²")
    assert parse_land("100m²") == Quantity(100, "m²")
    assert parse_land("250 mét vuông") == Quantity(250, "m²")
    for bad, parser in [("3 con gà", parse_labour), ("cát", parse_material), ("0 ngày", parse_labour),
                        ("2 khối", parse_material), ("-5 m2", parse_land)]:  # fmt: skip
        with pytest.raises(InvalidAmount):
            parser(bad)


def test_guess_kind_for_a_pledge_typed_in_one_go() -> None:
    assert guess_kind("500k") == ("money", 500_000, "đ", "")
    assert guess_kind("3 ngày") == ("labour", 3, "ngày công", "")
    assert guess_kind("100 m2") == ("land", 100, "m²", "")
    assert guess_kind("2 khối cát") == ("material", 2, "khối", "cát")
    with pytest.raises(InvalidAmount):
        guess_kind("0")
    with pytest.raises(InvalidAmount):
        guess_kind("xin chào")


def test_format_is_babel_vnd() -> None:
    assert format_money(1_500_000) == "1.500.000\xa0₫"


amounts = st.integers(min_value=1, max_value=MAX_MONEY)


@given(amounts)
def test_format_then_parse_gives_the_amount(amount: int) -> None:
    assert parse_money(format_money(amount)) == amount
    assert parse_money(format_money(amount, "en")) == amount
    assert parse_money(str(amount)) == amount
    assert parse_money(f"{amount:,}") == amount
    assert parse_money(f"{amount:,}đ".replace(",", ".")) == amount


@given(st.integers(min_value=1, max_value=MAX_MONEY // 1000))
def test_thousands_shorthand(thousands: int) -> None:
    assert parse_money(f"{thousands}k") == thousands * 1000
    assert parse_money(f"{thousands} nghìn") == thousands * 1000


@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=0, max_value=9))
def test_millions_with_a_tenth(millions: int, tenth: int) -> None:
    expected = millions * 1_000_000 + tenth * 100_000
    assert parse_money(f"{millions}tr{tenth}") == expected
    assert parse_money(f"{millions},{tenth} triệu") == expected


@settings(max_examples=300)
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    for parser in (parse_money, parse_labour, parse_material, parse_land):
        try:
            value = parser(text)
        except InvalidAmount:
            continue
        amount = value if isinstance(value, int) else value.amount
        assert amount > 0
