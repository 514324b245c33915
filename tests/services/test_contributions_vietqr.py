"""VietQR payloads against strings published by other implementations (CRC included)."""

from __future__ import annotations

import pytest

from bot.services.contributions.vietqr import (
    VietQRError,
    crc16_ccitt_false,
    parse,
    payload,
    pledge_memo,
    png,
    sub_fields,
)

# Published examples: subiz/vietqr README (Go), a Kotlin checkout sample, a React sample.
SUBIZ = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)
CHECKOUT = (
    "00020101021238570010A000000727012700069704220113VQRQACLNP26800208QRIBFTTA"
    "530370454061000005802VN62270823Thanh toan don hang ABC6304CE4C"
)
STATIC = (
    "00020101021138540010A00000072701240006970422011099999991480208QRIBFTTA53037045802VN63047b49"
)


def test_crc_check_value() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value


def test_builds_published_payloads_byte_for_byte() -> None:
    assert payload("970415", "0011001932418", 120_000, "ủng hộ lũ lụt") == SUBIZ
    assert payload("970422", "VQRQACLNP2680", 100_000, "Thanh toan don hang ABC") == CHECKOUT
    assert payload("970422", "9999999148") == STATIC[:-4] + "7B49"  # hex digits upper-case


@pytest.mark.parametrize("published", [SUBIZ, CHECKOUT, STATIC])
def test_published_payloads_parse_and_their_crc_holds(published: str) -> None:
    fields = parse(published)
    merchant = sub_fields(fields["38"])
    assert merchant["00"] == "A000000727"
    assert merchant["02"] == "QRIBFTTA"
    assert fields["53"] == "704" and fields["58"] == "VN"


def test_a_changed_character_breaks_the_crc() -> None:
    tampered = SUBIZ.replace("120000", "920000")
    with pytest.raises(VietQRError):
        parse(tampered)


def test_pledge_payload_carries_account_amount_and_memo() -> None:
    memo = pledge_memo("nvh26", 42)
    assert memo == "DG nvh26 42"
    text = payload("970405", "1500201234567", 1_500_000, memo)
    fields = parse(text)
    bank = sub_fields(sub_fields(fields["38"])["01"])
    assert bank == {"00": "970405", "01": "1500201234567"}
    assert fields["54"] == "1500000"
    assert sub_fields(fields["62"]) == {"08": "DG nvh26 42"}


@pytest.mark.parametrize(
    ("bank_bin", "account", "amount"),
    [("97040", "123", 1), ("970405", "", 1), ("970405", "12 34", 1), ("970405", "123", -5)],
)
def test_bad_account_data_is_refused(bank_bin: str, account: str, amount: int) -> None:
    with pytest.raises(VietQRError):
        payload(bank_bin, account, amount)


def test_png_is_an_image() -> None:
    assert png(SUBIZ).startswith(b"\x89PNG\r\n\x1a\n")
