"""Issue 15 item 4: banks by name. The NAPAS list ships with its source; the wizard's
bank step takes a name, an abbreviation, a misspelling or the BIN; residents see the
bank's short name, never a BIN."""

from __future__ import annotations

import pytest

from bot.services.contributions import banks


def test_the_list_has_the_banks_villages_use_with_unique_bins_and_its_source() -> None:
    listed = banks.all_banks()
    assert len(listed) >= 45
    assert len({bank.bin for bank in listed}) == len(listed)
    assert all(len(bank.bin) == 6 and bank.bin.isdigit() for bank in listed)
    assert "Source:" in banks.DATA.read_text(encoding="utf-8")
    for bin_, short in [("970405", "Agribank"), ("970436", "Vietcombank"), ("970418", "BIDV"),
                        ("970415", "VietinBank"), ("970407", "Techcombank"), ("970422", "MBBank"),
                        ("970416", "ACB"), ("970432", "VPBank"), ("970403", "Sacombank"),
                        ("970449", "LPBank")]:  # fmt: skip
        assert banks.by_bin(bin_).short_name == short


def test_bins_and_names_as_napas_has_them_now() -> None:
    """CIMB's VietQR BIN is 422589 (api.vietqr.io/v2/banks); the banks taken over in
    2024–2025 go by their new names, and their old ones still find them."""
    assert banks.by_bin("422589").short_name == "CIMB"
    assert banks.by_bin("970459") is None
    for bin_, short, old in [("970414", "MBV", "OceanBank"), ("970444", "VCBNeo", "CBBank"),
                             ("970406", "Vikki Bank", "DongA Bank")]:  # fmt: skip
        assert banks.by_bin(bin_).short_name == short
        assert banks.resolve_bank(old).bin == bin_ and banks.resolve_bank(short).bin == bin_
    assert banks.resolve_bank("HSBC").bin == "458761" and banks.resolve_bank("KBank").bin == "668888"


@pytest.mark.parametrize(
    ("typed", "bin_"),
    [
        ("Agribank", "970405"),
        ("agribank", "970405"),
        ("VCB", "970436"),
        ("Vietcombank", "970436"),
        ("BIDV", "970418"),
        ("Viettinbank", "970415"),
        ("Vietin Bank", "970415"),
        ("MB Bank", "970422"),
        ("Ngân hàng Nông nghiệp", "970405"),
        ("LienVietPostBank", "970449"),
        ("Lien Viet", "970449"),
        ("Techcom bank", "970407"),
        ("970405", "970405"),
        ("vp bank", "970432"),
    ],  # fmt: skip
)
def test_a_bank_by_what_people_type(typed: str, bin_: str) -> None:
    bank = banks.resolve_bank(typed)
    assert bank is not None and bank.bin == bin_


@pytest.mark.parametrize("typed", ["", "xyz", "ngân hàng", "123456", "$x$", "<b>", "a" * 500])
def test_nonsense_is_no_bank(typed: str) -> None:
    assert banks.resolve_bank(typed) is None


def test_the_wizard_line_and_what_residents_see() -> None:
    line = banks.parse_account_line("Viettinbank 108000123456 QUY THON NAM BAC THANH")
    assert line is not None
    assert (line.bank.short_name, line.account, line.holder) == (
        "VietinBank", "108000123456", "QUY THON NAM BAC THANH",
    )  # fmt: skip
    assert banks.parse_account_line("MB Bank 0123456789 NGUYEN VAN A").bank.bin == "970422"
    assert banks.parse_account_line("970405 3600205123456 QUY").bank.short_name == "Agribank"
    assert banks.parse_account_line("Agribank 3600205123456") is None  # no holder
    assert banks.parse_account_line("Ngân hàng XYZ 123 ABC") is None
    assert banks.shown_name("970405") == "Agribank"  # a campaign stored with its BIN only
    assert banks.shown_name("999999") == ""  # never the BIN
    assert (
        banks.shown_name("970405", "Agribank chi nhánh Cẩm Xuyên") == "Agribank chi nhánh Cẩm Xuyên"
    )
