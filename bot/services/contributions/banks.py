"""Banks by name: the NAPAS member list (``data/banks.yaml``, with its source) and
what a treasurer types for the village fund's bank — "Agribank", "VCB",
"Vietcombank", "BIDV", a misspelt "Viettinbank", or the six-digit BIN. Residents are
always shown the bank's short name, never a BIN."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from bot.services.vntext import fold

DATA = Path(__file__).resolve().parent / "data" / "banks.yaml"
FUZZY_SCORE = 85


@dataclass(frozen=True, slots=True)
class Bank:
    bin: str
    short_name: str
    full_name: str
    names: tuple[str, ...]  # compact folded names it answers to


def _key(text: str) -> str:
    """ "Viet Capital Bank" → "vietcapital": lower case, no diacritics, no spaces or
    punctuation, without a trailing "bank"/"ngan hang" that people add or drop."""
    compact = re.sub(r"[^a-z0-9]", "", fold(text))
    compact = re.sub(r"^nganhang", "", compact)
    return re.sub(r"bank$", "", compact) or compact


@cache
def all_banks() -> tuple[Bank, ...]:
    entries = yaml.safe_load(DATA.read_text(encoding="utf-8"))["banks"]
    return tuple(
        Bank(
            str(entry["bin"]),
            str(entry["short"]),
            str(entry["full"]),
            tuple(
                dict.fromkeys(
                    _key(name) for name in [entry["short"], entry["full"], *entry.get("also", [])]
                )
            ),
        )
        for entry in entries
    )


def by_bin(bank_bin: str) -> Bank | None:
    return next((bank for bank in all_banks() if bank.bin == bank_bin), None)


def resolve_bank(text: str) -> Bank | None:
    """The bank a person means: its BIN, its name or abbreviation in any case and with or
    without diacritics, or a near spelling of one; None when nothing is close enough."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{6}", text):
        return by_bin(text)
    key = _key(text)
    if not key or len(key) > 80:
        return None
    for bank in all_banks():
        if key in bank.names:
            return bank
    from rapidfuzz import fuzz

    scored = [
        (fuzz.ratio(key, name), bank)
        for bank in all_banks()
        for name in bank.names
        if len(name) >= 4 and len(key) >= 4
    ]
    score, bank = max(scored, key=lambda pair: pair[0], default=(0, None))
    return bank if score >= FUZZY_SCORE else None


def shown_name(bank_bin: str, bank_name: str = "") -> str:
    """What residents see for a campaign's bank: its stored name, else the short name
    its BIN has in the list; never the BIN itself."""
    if bank_name.strip():
        return bank_name.strip()
    bank = by_bin(bank_bin)
    return bank.short_name if bank else ""


@dataclass(frozen=True, slots=True)
class BankAccount:
    bank: Bank
    account: str
    holder: str


def parse_account_line(text: str) -> BankAccount | None:
    """``Agribank 3600205123456 QUY THON NAM BAC THANH``, ``MB Bank 0123… HOLDER`` or
    ``970405 3600205123456 HOLDER``: the bank (everything before the account number),
    the account (the first word with digits) and the holder (the rest)."""
    words = (text or "").split()
    for index, word in enumerate(words):
        if index == 0 and re.fullmatch(r"\d{6}", word) and len(words) > 1:
            continue  # a BIN first, the account after it
        if any(char.isdigit() for char in word) and index > 0:
            bank = resolve_bank(" ".join(words[:index]))
            holder = " ".join(words[index + 1 :])
            if bank is None or not holder:
                return None
            return BankAccount(bank, word, holder[:120])
    return None
