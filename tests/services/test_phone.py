import pytest

from bot.services.phone import normalize_phone


@pytest.mark.parametrize("raw", ["+84 912 000 002", "84912000002", "0912000002", "0912.000.002", "(+84) 912-000-002", "912000002", "0084912000002"])
def test_one_normal_form(raw: str) -> None:
    assert normalize_phone(raw) == "0912000002"


@pytest.mark.parametrize("raw", ["", "abc", "12345", "091200000212345678", None])
def test_not_a_phone(raw: str | None) -> None:
    assert normalize_phone(raw) is None


def test_foreign_number_keeps_country_code() -> None:
    assert normalize_phone("+1 650 555 1234") == "+16505551234"
