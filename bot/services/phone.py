"""Phone numbers in one normal form, so ``+84 912 000 002``, ``84912000002`` and
``0912000002`` are the same person."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d+")


def normalize_phone(raw: str | int | None) -> str | None:
    """Return the Vietnamese national form (``0912000002``), ``+<digits>`` for a foreign
    number, or None when ``raw`` is not a phone number."""
    if raw is None:
        return None
    text = str(raw).strip()
    digits = "".join(_DIGITS.findall(text))
    international = text.startswith(("+", "00"))
    if text.startswith("00"):
        digits = digits[2:]
    if digits.startswith("84") and len(digits) in (11, 12) and (international or len(digits) == 11):
        digits = "0" + digits[2:]
    elif len(digits) == 9 and not international and digits[0] in "35789":
        digits = "0" + digits  # people and spreadsheets often drop the leading zero
    if digits.startswith("0") and len(digits) in (10, 11):
        return digits
    if international and 8 <= len(digits) <= 15:
        return "+" + digits
    return None
