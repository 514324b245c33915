"""Reading what people type for an amount, and writing amounts back.

Money: ``500000``, ``500.000``, ``500,000đ``, ``500k``, ``1tr``, ``1tr5``, ``1,5 triệu``,
``2 triệu rưỡi``, ``1.2tr``, ``hai triệu``, ``năm trăm nghìn``, ``1 triệu 200 nghìn``.
Labour: ``3 ngày``, ``3 công``. Materials: ``2 khối cát``, ``50 bao xi măng``. Land: ``100 m2``.

Every amount is an integer in its unit (đồng, days, the material's unit, m²); anything
else raises :class:`InvalidAmount` with a reason the handler turns into a polite message
with an example. The parser never raises anything else, whatever it is given."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, format_decimal

from bot.services.errors import DomainError
from bot.services.vntext import strip_diacritics

MAX_MONEY = 10_000_000_000  # 10 tỷ: above it, a typo rather than a pledge
MAX_QUANTITY = 1_000_000
MAX_INPUT = 100


class InvalidAmount(DomainError):
    """reason: "empty" | "unreadable" | "zero" | "negative" | "too_large" | "fraction"
    | "no_material"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Quantity:
    """A non-money amount: ``amount`` of ``unit`` (of ``material`` for materials)."""

    amount: int
    unit: str
    material: str = ""


_DIGITS = {
    "khong": 0, "mot": 1, "mốt": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "lam": 5,
    "nham": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
}  # fmt: skip
_MULTIPLIERS = {
    "k": 1_000, "nghin": 1_000, "ngan": 1_000, "ng": 1_000, "ngin": 1_000,
    "tr": 1_000_000, "trieu": 1_000_000, "cu": 1_000_000,
    "ty": 1_000_000_000, "ti": 1_000_000_000,
}  # fmt: skip
_CURRENCY = {"d", "dong", "vnd", "vnđ", "đ"}
_FILLER = {"linh", "le", "va"}
_TOKEN = re.compile(r"\s*(?:(\d+(?:[.,]\d+)*)|([a-z]+)|(-))", re.ASCII)
_THOUSANDS = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)[: MAX_INPUT * 2]
    text = text.replace("₫", " d ").replace("\u00a0", " ").replace("\u202f", " ")
    return strip_diacritics(text).lower().strip()


def _number(token: str) -> Decimal:
    """``500.000`` and ``500,000`` group thousands; ``1,5`` and ``1.2`` are decimals."""
    if _THOUSANDS.fullmatch(token):
        return Decimal(re.sub(r"[.,]", "", token))
    if token.count(".") + token.count(",") > 1:
        raise InvalidAmount("unreadable")
    return Decimal(token.replace(",", "."))


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise InvalidAmount("unreadable")
        tokens.append(match.group(match.lastindex or 0))
        position = match.end()
    return tokens


def _evaluate(tokens: list[str]) -> Decimal:
    """A small Vietnamese number grammar: digits and number words, ``mươi``/``trăm``,
    multipliers (k, nghìn, triệu, tỷ), ``rưỡi`` (and a half) and ``1tr5`` (1.5 million)."""
    total = Decimal(0)
    group = Decimal(0)
    pending: Decimal | None = None
    pending_digits = 0  # digits of a bare number, for the "1tr5" reading
    last_multiplier = 0
    last_was_multiplier = False
    seen_number = False
    for token in tokens:
        after_multiplier = last_was_multiplier
        last_was_multiplier = False
        if token[0].isdigit():
            if pending is not None:
                raise InvalidAmount("unreadable")
            pending = _number(token)
            pending_digits = len(token) if after_multiplier and token.isdigit() else 0
            seen_number = True
        elif token in _DIGITS:
            if pending is not None:
                raise InvalidAmount("unreadable")
            pending = Decimal(_DIGITS[token])
            pending_digits = 0
            seen_number = True
        elif token == "muoi":  # mười (ten) or mươi (tens)
            group += (pending * 10) if pending is not None else Decimal(10)
            pending = None
            seen_number = True
        elif token == "tram":
            group += (pending if pending is not None else Decimal(1)) * 100
            pending = None
        elif token in _MULTIPLIERS:
            value = group + (pending if pending is not None else Decimal(0))
            if value == 0:
                if seen_number:
                    raise InvalidAmount("zero")
                value = Decimal(1)  # "triệu" alone: one million
            multiplier = _MULTIPLIERS[token]
            if last_multiplier and multiplier > last_multiplier:
                total = (total + value) * multiplier  # "một trăm nghìn triệu"
            else:
                total += value * multiplier
            group, pending = Decimal(0), None
            last_multiplier = multiplier
            last_was_multiplier = True
        elif token == "ruoi":
            if not after_multiplier:
                raise InvalidAmount("unreadable")
            total += Decimal(last_multiplier) / 2
        elif token in _CURRENCY or token in _FILLER:
            continue
        elif token == "-" or token == "am":
            raise InvalidAmount("negative")
        else:
            raise InvalidAmount("unreadable")
    if pending is not None and pending_digits and last_multiplier and group == 0:
        # "1tr5", "2k5", "1 triệu 250": the digits continue the last multiplier.
        total += pending * Decimal(last_multiplier) / (Decimal(10) ** pending_digits)
    else:
        total += group + (pending if pending is not None else Decimal(0))
    if not seen_number and last_multiplier == 0:
        raise InvalidAmount("unreadable")
    return total


def parse_money(text: str) -> int:
    """Đồng as an integer; :class:`InvalidAmount` for anything that is not a sensible pledge."""
    if not isinstance(text, str):
        raise InvalidAmount("unreadable")
    normalised = _normalise(text)
    if not normalised:
        raise InvalidAmount("empty")
    if len(normalised) > MAX_INPUT:
        raise InvalidAmount("unreadable")
    if normalised.startswith(("-", "am ")):
        raise InvalidAmount("negative")
    try:
        value = _evaluate(_tokens(normalised))
    except (InvalidOperation, ValueError, ArithmeticError):
        raise InvalidAmount("unreadable") from None
    if value < 0:
        raise InvalidAmount("negative")
    if value == 0:
        raise InvalidAmount("zero")
    if value > MAX_MONEY:
        raise InvalidAmount("too_large")
    if value != value.to_integral_value():
        raise InvalidAmount("fraction")
    return int(value)


_LABOUR_UNITS = {"ngay", "cong", "ngay cong"}
_LAND_UNITS = {"m2", "m", "met vuong", "met", "m vuong"}
MATERIAL_UNITS = (
    "khoi", "m3", "bao", "tan", "ta", "kg", "vien", "xe", "cay", "thanh", "lit", "thung",
    "chuyen", "bo", "cai", "tam", "cuon", "met", "m", "hop", "can",
)  # fmt: skip


def _split_number(text: str) -> tuple[int, list[str], list[str]]:
    """The leading number (digits or words) and the words after it, folded and original."""
    original = unicodedata.normalize("NFC", text).strip()[: MAX_INPUT * 2]
    if not original:
        raise InvalidAmount("empty")
    if len(original) > MAX_INPUT:
        raise InvalidAmount("unreadable")
    if original.startswith("-"):
        raise InvalidAmount("negative")
    spaced = re.sub(r"(?<=\d)(?=[^\d\s.,])", " ", original.replace("²", "2 ").replace("³", "3 "))
    words = spaced.split()
    folded = [strip_diacritics(w).lower() for w in words]
    if folded and folded[0][:1].isdigit():
        count = 1
    else:
        count = 0
        while count < len(folded) and (
            folded[count] in _DIGITS or folded[count] in {"muoi", "tram"}
        ):
            count += 1
    if count == 0:
        raise InvalidAmount("unreadable")
    try:
        value = _evaluate(_tokens(" ".join(folded[:count])))
    except (InvalidOperation, ValueError, ArithmeticError):
        raise InvalidAmount("unreadable") from None
    if value <= 0:
        raise InvalidAmount("zero")
    if value != value.to_integral_value():
        raise InvalidAmount("fraction")
    if value > MAX_QUANTITY:
        raise InvalidAmount("too_large")
    return int(value), folded[count:], words[count:]


def parse_labour(text: str) -> Quantity:
    value, rest, _original = _split_number(text)
    if rest and " ".join(rest) not in _LABOUR_UNITS:
        raise InvalidAmount("unreadable")
    return Quantity(value, "ngày công")


def parse_land(text: str) -> Quantity:
    value, rest, _original = _split_number(text)
    if rest and " ".join(rest) not in _LAND_UNITS:
        raise InvalidAmount("unreadable")
    return Quantity(value, "m²")


def parse_material(text: str) -> Quantity:
    value, rest, original = _split_number(text)
    unit = ""
    if rest and rest[0] in MATERIAL_UNITS:
        unit, original = original[0], original[1:]
    material = " ".join(original).strip()[:120]
    if not material:
        raise InvalidAmount("no_material")
    return Quantity(value, unit[:32], material)


def guess_kind(text: str) -> tuple[str, int, str, str]:
    """For a pledge typed in one go (``500k``, ``3 ngày``, ``100 m2``, ``2 khối cát``):
    (kind, amount, unit, material); the money reading wins when it reads at all."""
    try:
        return "money", parse_money(text), "đ", ""
    except InvalidAmount as error:
        if error.reason != "unreadable":
            raise
    for kind, parser in (
        ("labour", parse_labour),
        ("land", parse_land),
        ("material", parse_material),
    ):
        try:
            quantity = parser(text)
        except InvalidAmount as error:
            if error.reason != "unreadable" or kind == "material":
                raise
            continue
        return kind, quantity.amount, quantity.unit, quantity.material
    raise InvalidAmount("unreadable")


def format_money(amount: int, locale: str = "vi") -> str:
    """``1.500.000 ₫`` (Vietnamese) with Babel; the same digits in every locale."""
    return format_currency(amount, "VND", locale=locale)


def format_number(amount: int, locale: str = "vi") -> str:
    return format_decimal(amount, locale=locale)
