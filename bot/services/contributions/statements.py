"""Bank statements as the banks export them, matched to pledges.

Internet banking exports (Agribank, Vietcombank, BIDV, VietinBank, Techcombank, MB,
ACB, VPBank…) share a shape but not their words: title and account-summary rows
above the header, the header sometimes bilingual ("Có / Credit") or spread over
merged cells, money out and money in as two columns in either order ("Số tiền ghi
nợ" / "Số tiền ghi có", "Nợ TK" / "Có TK", "Phát sinh nợ" / "Phát sinh có", "Tiền
rút ra" / "Tiền gửi vào", "Số tiền ra" / "Số tiền vào", VPBank's "Số tiền chi tiêu" /
"Tăng"), or one signed amount column; amounts with a comma or a dot between thousands;
dates as text or as Excel dates, alone or with the document number in the same cell.

The rule that matters: **money in is never read from a debit column**. A header cell
is classified as a whole (it names money out, money in, or neither) before any amount
is read; a cell that names money out is never a candidate for money in, however its
words begin. Tests: tests/services/test_bank_statements.py, one fixture per bank.

Memos arrive mangled: without diacritics, upper-cased, spaces removed, prefixed by
the bank ("MBVCB.4525077405.DG…", "IBFT DG…"). A memo is matched on the pledge's
``DG <campaign> <pledge> <check>`` with all of that tolerated; the check letters
(:func:`bot.services.contributions.vietqr.pledge_memo`) make a neighbour's memo
unforgeable, and a line whose check is missing or wrong, whose amount is far below
what is owed, or whose payer is visibly someone else, is flagged so the treasurer
confirms it on its own rather than with "confirm all"."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from bot.services.contributions.files import SheetInvalid, parse_date
from bot.services.vntext import fold

HEADER_SCAN = 40

_CREDIT = (
    "ghi co", "co tk", "tk co", "phat sinh co", "so tien co", "so tien ghi co", "credit",
    "gui vao", "tien vao", "so tien vao", "tien nhan", "so tien nhan", "thu vao", "cr", "tang",
    "so tien tang", "tien tang",
)  # fmt: skip
_DEBIT = (
    "ghi no", "no tk", "tk no", "phat sinh no", "so tien no", "debit", "rut ra", "tien ra",
    "so tien ra", "tien chuyen di", "chi ra", "dr", "chi tieu", "so tien chi tieu", "giam",
    "so tien giam", "tien giam",
)  # fmt: skip
_AMOUNT = ("so tien", "amount", "so tien giao dich", "gia tri", "so tien vnd")
_MEMO = (
    "noi dung", "dien giai", "mo ta", "description", "details", "chi tiet", "remark",
    "narrative", "transaction description", "noi dung giao dich", "trich yeu", "loi nhan",
    "thong tin giao dich", "noi dung chuyen khoan", "transactions in detail",
)  # fmt: skip
_DATE = ("ngay", "date", "posting date", "transaction date", "thoi gian", "tnx date")
_REF = (
    "so tham chieu", "ma giao dich", "so but toan", "so giao dich", "so gd", "ma gd",
    "reference", "ref", "transaction no", "so ct", "so chung tu", "ma tham chieu",
)  # fmt: skip
_PAYER = ("doi tac", "ten doi ung", "nguoi chuyen", "remitter", "ten tai khoan doi ung",
          "ten nguoi chuyen", "doi ung", "ben chuyen")  # fmt: skip
# The remitter's bank or account number, not its name ("Ngân hàng đối tác / Remitter's
# bank", "NH Đối tác", "Tài khoản đích / Remitter's account number").
_NOT_PAYER = ("ngan hang", "nh", "bank", "tai khoan", "tk", "account number", "so tai khoan")
# A column saying which way each line went, beside one unsigned amount column.
_DIRECTION = (
    "no co", "co no", "debit credit", "credit debit", "dr cr", "cr dr", "d c", "c d",
    "ghi no ghi co", "ghi co ghi no", "loai giao dich", "loai gd", "transaction type",
    "no co debit credit", "tang giam",
)  # fmt: skip
# What a "Nợ/Có" column says for money in (anything else is out, or unknown).
_IN = ("co", "c", "cr", "credit", "ghi co", "tang", "thu", "+")
NEEDED = ("Ngày", "Nội dung / Diễn giải", "Ghi có / Có / Số tiền vào / Credit")


def _words(cell: str) -> str:
    """A header cell folded to plain words: "Có TK (Ghi có)" → "co tk ghi co"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(cell)).split())


def _has(words: str, names: Iterable[str]) -> bool:
    padded = f" {words} "
    return any(f" {name} " in padded for name in names)


def classify(cell: str) -> str | None:
    """credit | debit | direction | amount | memo | date | ref | payer | None, for one
    header cell."""
    words = _words(cell)
    if not words or len(words) > 80 or words.split()[0] == "stt":
        return None  # "STT/No" is the line number, not "Nợ"
    if words in _DIRECTION:
        return "direction"  # "Nợ/Có", "Debit/Credit": which way each line went
    debit = _has(words, _DEBIT) or words in ("no", "chi")
    credit = _has(words, _CREDIT) or words in ("co", "thu")
    if debit and credit:
        return None  # which is which cannot be known
    if debit:
        return "debit"
    if credit:
        return "credit"
    if _has(words, _MEMO):
        return "memo"
    if _has(words, ("so du", "balance")):
        return None
    if any(words.startswith(name + " ") or words == name for name in _DATE):
        return "date"  # "Ngày GD/TNX Date\nSố CT/Doc No": one cell, the date first
    if _has(words, _REF):
        return "ref"
    if _has(words, _AMOUNT):
        return "amount"
    if _has(words, _PAYER) and (_has(words, ("ten", "name")) or not _has(words, _NOT_PAYER)):
        return "payer"
    if _has(words, _DATE):
        return "date"
    return None


@dataclass(frozen=True, slots=True)
class Layout:
    header: int  # index of the header row
    columns: dict[str, int]  # kind -> column index (money in: "credit", or signed "amount")


def find_layout(rows: list[list[str]]) -> Layout:
    """The header row among the first rows, and where each needed column is; a sheet
    with none gets :class:`SheetInvalid` naming the columns found and those needed."""
    best: tuple[int, list[str]] = (-1, [])
    for index, row in enumerate(rows[:HEADER_SCAN]):
        columns: dict[str, int] = {}
        for column, cell in enumerate(row):
            kind = classify(cell)
            if kind and kind not in columns:
                columns[kind] = column
        has_money = "credit" in columns or ("amount" in columns and "debit" not in columns)
        if "memo" in columns and has_money:
            return Layout(index, columns)
        named = [cell for cell in row if cell.strip()]
        if len(columns) > best[0] and named:
            best = (len(columns), named)
    raise SheetInvalid("no_header", found=[c[:40] for c in best[1][:12]], needed=NEEDED)


_GROUPED = re.compile(r"\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*")


def statement_amount(text: str) -> int | None:
    """Đồng from a statement cell: ``1,500,000`` ``1.500.000`` ``1 500 000`` ``1500000.00``
    ``1.500.000,00`` ``(150,000)`` ``-150000`` ``+2,000,000 VND``; None when unreadable."""
    cleaned = re.sub(r"(?i)\s|vnd|vnđ|đ|₫", "", text or "")
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("()+-")
    if not cleaned:
        return None
    whole = None
    if cleaned.isdigit():
        whole = cleaned
    elif re.fullmatch(r"\d+[.,]\d{1,2}", cleaned):
        whole = re.split(r"[.,]", cleaned)[0]
    else:
        match = _GROUPED.match(cleaned)
        if match:
            rest = cleaned[match.end() :]
            separator = match.group(1)
            decimal = "," if separator == "." else "."
            if rest == "" or re.fullmatch(re.escape(decimal) + r"\d{1,2}", rest):
                whole = match.group(0).replace(separator, "")
    if whole is None or len(whole) > 15:
        return None
    value = int(whole)
    return -value if negative else value


def statement_date(text: str) -> date | None:
    """A date as text (``05/03/2026``, ``05/03/2026 10:21:07``, ``2026-03-05``) or as an
    Excel serial number (``46086``)."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        serial = int(float(text))
        if 30000 < serial < 80000:
            return date(1899, 12, 30) + timedelta(days=serial)
        return None
    return parse_date(text.split()[0]) if text else None


@dataclass(frozen=True, slots=True)
class StatementLine:
    row: int  # as Excel numbers it
    on: date | None
    amount: int
    memo: str
    ref: str
    payer: str = ""


def statement_lines(rows: list[list[str]]) -> list[StatementLine]:
    """Money-in lines: the credit column's positive amounts (or, when the bank has a
    single amount column, its positive ones, or those its "Nợ/Có" column marks as
    money in); debits never."""
    layout = find_layout(rows)
    columns = layout.columns
    money = "credit" if "credit" in columns else "amount"
    signed = money == "amount" and "direction" not in columns

    def cell(row: list[str], kind: str) -> str:
        column = columns.get(kind)
        return row[column].strip() if column is not None and column < len(row) else ""

    lines = []
    for number, row in enumerate(rows[layout.header + 1 :], start=layout.header + 2):
        amount = statement_amount(cell(row, money))
        if amount is None or amount <= 0:
            continue
        if money == "amount" and not signed and _words(cell(row, "direction")) not in _IN:
            continue  # marked as money out, or not marked: never a payment
        lines.append(
            StatementLine(
                number,
                statement_date(cell(row, "date")),
                amount,
                cell(row, "memo"),
                cell(row, "ref"),
                cell(row, "payer"),
            )
        )
    return lines


# matching memos


def _compact(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", fold(text).upper())


def memo_refs(memo: str, campaign_code: str) -> list[tuple[int, str]]:
    """``(pledge id, the five letters after it)`` for each mention of the campaign's
    pledges in a memo, however the bank mangled it."""
    code = re.escape(campaign_code.upper())
    spaced = re.sub(r"[^A-Z0-9]+", " ", fold(memo).upper())
    found = [
        (int(m.group(1)), m.group(2) or "")
        for m in re.finditer(rf"DG ?{code} ?(\d{{1,10}})(?: ?([A-Z]{{5}}))?(?![A-Z0-9])", spaced)
    ]
    if found:
        return found
    compact = _compact(memo)
    return [
        (int(m.group(1)), m.group(2))
        for m in re.finditer(rf"DG{code}(\d{{1,10}})([A-Z]{{0,5}})", compact)
    ]


@dataclass(frozen=True, slots=True)
class Owed:
    """What the matcher knows of a pledge."""

    check: str  # the five letters of its memo ("" for a pledge made before them)
    owed: int  # still to receive
    payer: str  # the contributor's name, to compare with the statement's payer


@dataclass(frozen=True, slots=True)
class StatementMatch:
    line: StatementLine
    pledge_id: int
    source_ref: str
    flags: tuple[str, ...] = ()  # check | low | payer: confirm one by one


LOW_SHARE = 0.5  # below half of what is still owed is "far below the pledge"


def _same_person(statement_name: str, pledger: str) -> bool:
    """Whether the payer the bank shows can be the pledger: their given name (the last
    word) appears in it. An account number or an empty cell proves nothing."""
    shown, names = fold(statement_name).split(), fold(pledger).split()
    if not names or not shown or _compact(statement_name).isdigit():
        return True
    return names[-1] in shown


def match_statement(
    lines: Iterable[StatementLine], campaign_code: str, pledges: Mapping[int, Owed]
) -> list[StatementMatch]:
    """Lines whose memo names one of the campaign's pledges, each with its flags."""
    matches = []
    for line in lines:
        for pledge_id, check in memo_refs(line.memo, campaign_code):
            pledge = pledges.get(pledge_id)
            if pledge is None:
                continue
            flags = []
            if not pledge.check or check != pledge.check:
                flags.append("check")
            if line.amount < pledge.owed * LOW_SHARE:
                flags.append("low")
            if line.payer and not _same_person(line.payer, pledge.payer):
                flags.append("payer")
            identity = line.ref or f"{line.on}|{line.amount}|{line.memo}"
            digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
            matches.append(
                StatementMatch(line, pledge_id, f"stmt:{campaign_code}:{digest}", tuple(flags))
            )
            break
    return matches


def chosen(stored: list[dict[str, object]], index: int) -> list[dict[str, object]]:
    """The stored matches a button takes: one line by its index, or for "confirm all"
    (index -1) every line that is not flagged; a flagged line is only ever taken alone."""
    if index == -1:
        return [match for match in stored if not match.get("flags")]
    return stored[index : index + 1] if 0 <= index < len(stored) else []
