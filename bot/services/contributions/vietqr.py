"""VietQR: the EMVCo merchant-presented QR payload every Vietnamese bank app scans.

We build it ourselves: the PyPI packages for it are one-release projects with no
users to speak of, and the format is small. A payload is a list of TLV fields (two
digit id, two digit length, value); field 38 carries NAPAS's GUID ``A000000727``, the
beneficiary's bank BIN and account and the service ``QRIBFTTA`` (transfer to an
account); 54 the amount in đồng; 62/08 the memo; 63 a CRC-16/CCITT-FALSE over the
whole payload including ``6304``. Bank apps show the memo as the transfer's content,
so it is plain ASCII (no diacritics) and short (≤ 25 characters in field 62/08)."""

from __future__ import annotations

import io
import re
import secrets

from bot.services.vntext import strip_diacritics

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
CURRENCY_VND = "704"
MAX_MEMO = 25


class VietQRError(ValueError):
    pass


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial 0xFFFF, no reflection, no final xor."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def tlv(tag: str, value: str) -> str:
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"bad tag {tag!r}")
    if len(value) > 99:
        raise VietQRError(f"field {tag} longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def memo_text(text: str) -> str:
    """ASCII letters, digits and single spaces, at most 25 characters."""
    ascii_text = strip_diacritics(text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^A-Za-z0-9 ]+", " ", ascii_text)
    return re.sub(r" +", " ", cleaned).strip()[:MAX_MEMO].strip()


CHECK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: read aloud, typed by hand


def new_memo_check() -> str:
    """Five random letters (24^5, about 8 million): a pledge's memo cannot be derived
    from a neighbour's, whose number is one less."""
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(5))


def pledge_memo(campaign_code: str, pledge_id: int, check: str = "") -> str:
    """``DG <campaign> <pledge id> <check>``: what a bank statement line is matched on
    (at most 25 characters: 8 + a pledge number up to 7 digits + 5)."""
    return memo_text(f"DG {campaign_code} {pledge_id} {check}")


def payload(bank_bin: str, account: str, amount: int | None = None, memo: str = "") -> str:
    """The VietQR string for a transfer to ``account`` at the bank with NAPAS BIN ``bank_bin``."""
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise VietQRError("the bank BIN is six digits")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account or ""):
        raise VietQRError("the account number is 1 to 19 letters or digits")
    if amount is not None and not (0 < amount <= 9_999_999_999_999):
        raise VietQRError("the amount must be positive")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    fields = [
        tlv("00", "01"),
        tlv("01", "12" if amount else "11"),  # 12: for one transaction, 11: reusable
        tlv("38", merchant),
        tlv("53", CURRENCY_VND),
    ]
    if amount:
        fields.append(tlv("54", str(int(amount))))
    fields.append(tlv("58", "VN"))
    memo = memo_text(memo)
    if memo:
        fields.append(tlv("62", tlv("08", memo)))
    body = "".join(fields) + "6304"
    return body + f"{crc16_ccitt_false(body.encode('ascii')):04X}"


def parse(text: str) -> dict[str, str]:
    """The top-level TLV fields of a payload; raises VietQRError when malformed or the CRC is wrong."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(text):
        if position + 4 > len(text) or not text[position : position + 4].isdigit():
            raise VietQRError("malformed TLV")
        tag, length = text[position : position + 2], int(text[position + 2 : position + 4])
        value = text[position + 4 : position + 4 + length]
        if len(value) != length:
            raise VietQRError("truncated field")
        fields[tag] = value
        position += 4 + length
    crc = fields.get("63")
    if crc is None or not text.endswith(crc):
        raise VietQRError("no CRC")
    expected = crc16_ccitt_false(text[:-4].encode("ascii"))
    if crc.upper() != f"{expected:04X}":
        raise VietQRError("CRC mismatch")
    return fields


def sub_fields(value: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    position = 0
    while position + 4 <= len(value):
        tag, length = value[position : position + 2], int(value[position + 2 : position + 4])
        fields[tag] = value[position + 4 : position + 4 + length]
        position += 4 + length
    return fields


def png(text: str, scale: int = 8) -> bytes:
    """The QR code as PNG bytes (segno), with a quiet zone bank apps scan reliably."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
