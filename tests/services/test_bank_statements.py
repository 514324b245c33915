"""Issue 15 item 1 and issue 14 item 5: statements as each bank exports them; money in
is never read from a debit column; a neighbour's memo cannot be forged."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.contributions import files, statements
from bot.services.contributions.statements import Owed
from bot.services.contributions.vietqr import pledge_memo
from tests.bank_layouts import BANKS, CHECK, CODE, PAID

OWED = {7: Owed(CHECK, PAID, "Nguyễn Văn An"), 8: Owed("QWERT", 500_000, "Trần Thị Bình")}


@pytest.mark.parametrize("bank", sorted(BANKS))
async def test_each_bank_layout_matches_its_pledge_and_never_a_debit(bank: str) -> None:
    name, content = BANKS[bank]()
    lines = statements.statement_lines(await files.read_table(content, name))
    matches = statements.match_statement(lines, CODE, OWED)
    assert [(m.pledge_id, m.line.amount, m.line.on, m.flags) for m in matches] == [
        (7, PAID, date(2026, 3, 5), ())
    ]
    assert all(line.amount > 0 for line in lines)
    assert not [line for line in lines if "8" in line.memo and "QWERT" in line.memo.upper()]


def test_a_debit_column_is_never_money_in_whatever_its_words_begin_with() -> None:
    for debit in ("Số tiền ghi nợ", "Nợ TK (Ghi nợ)", "Nợ / Debit", "Phát sinh nợ", "Tiền rút ra",
                  "Số tiền ra", "Debit", "Nợ", "Số tiền chi tiêu", "Giảm"):  # fmt: skip
        assert statements.classify(debit) == "debit", debit
    for credit in ("Số tiền ghi có", "Có TK (Ghi có)", "Có / Credit", "Phát sinh có", "Tiền gửi vào",
                   "Số tiền vào", "Credit", "Có", "Ghi có", "Tăng"):  # fmt: skip
        assert statements.classify(credit) == "credit", credit
    assert statements.classify("STT/No") is None  # the line number, not "Nợ"
    assert statements.classify("Ngày GD/TNX Date\nSố CT/Doc No") == "date"
    # the remitter's bank or account is not who paid; the remitter's name is
    assert statements.classify("Ngân hàng đối tác / Remitter's bank") is None
    assert statements.classify("NH Đối tác/ Remitter Bank") is None
    assert statements.classify("Tên tài khoản đối ứng/Remitter's account name") == "payer"
    rows = [
        ["Ngày", "Nội dung", "Số tiền ghi nợ"],
        ["05/03/2026", f"DG {CODE} 7 {CHECK}", "1.500.000"],
    ]
    with pytest.raises(files.SheetInvalid) as caught:
        statements.statement_lines(rows)  # only a debit column: nothing is money in
    assert caught.value.found == ["Ngày", "Nội dung", "Số tiền ghi nợ"]
    assert "Ghi có / Có / Số tiền vào / Credit" in caught.value.needed


def test_amounts_and_dates_as_banks_write_them() -> None:
    cases = {"1,500,000": 1_500_000, "1.500.000": 1_500_000, "1 500 000": 1_500_000,
             "1500000.00": 1_500_000, "1.500.000,00": 1_500_000, "1,500,000.00": 1_500_000,
             "(150,000)": -150_000, "-150000": -150_000, "+2,000,000 VND": 2_000_000,
             "": None, "abc": None, "1,50,00": None}  # fmt: skip
    assert {text: statements.statement_amount(text) for text in cases} == cases
    assert statements.statement_date("46086") == date(2026, 3, 5)
    assert statements.statement_date("05/03/2026 08:15:02") == date(2026, 3, 5)
    assert statements.statement_date("2026-03-05") == date(2026, 3, 5)


def test_mangled_memos_still_match() -> None:
    memo = pledge_memo(CODE, 7, CHECK)
    assert memo == f"DG {CODE} 7 {CHECK}"
    for mangled in (memo.upper(), memo.replace(" ", ""), f"MBVCB.123.{memo.upper().replace(' ', '')}.CT tu",
                    f"IBFT {memo}", f"ĐG {CODE} 7 {CHECK.lower()}", f"DG-{CODE}-7-{CHECK}"):  # fmt: skip
        assert statements.memo_refs(mangled, CODE) == [(7, CHECK)], mangled


def _line(memo: str, amount: int, payer: str = "") -> statements.StatementLine:
    return statements.StatementLine(
        2, date(2026, 3, 5), amount, memo, f"ref-{memo}-{amount}", payer
    )


def test_a_forged_or_doubtful_line_is_flagged_for_one_by_one_confirmation() -> None:
    neighbour = {8: Owed("QWERT", 2_000_000, "Trần Thị Bình")}
    # The attack: 1 đ with the neighbour's sequential memo, written without the check letters.
    forged = statements.match_statement([_line(f"DG {CODE} 8", 1)], CODE, neighbour)
    assert forged[0].flags == ("check", "low")
    guessed = statements.match_statement([_line(f"DG {CODE} 8 ABCDE", 2_000_000)], CODE, neighbour)
    assert guessed[0].flags == ("check",)
    other = statements.match_statement(
        [_line(f"DG {CODE} 8 QWERT", 2_000_000, "LE VAN CUONG")], CODE, neighbour
    )
    assert other[0].flags == ("payer",)
    good = statements.match_statement(
        [_line(f"DG {CODE} 8 QWERT", 2_000_000, "TRAN THI BINH")], CODE, neighbour
    )
    assert good[0].flags == ()


async def test_excel_unicode_text_export_reads_too() -> None:
    text = "Ngày giao dịch\tSố tiền ghi nợ\tSố tiền ghi có\tNội dung\n05/03/2026\t\t1.500.000\tDG z37hwfpf 7 ABCDE\n"
    rows = await files.read_table(text.encode("utf-16"), "saoke.txt")
    lines = statements.statement_lines(rows)
    assert [(line.amount, line.memo) for line in lines] == [(1_500_000, "DG z37hwfpf 7 ABCDE")]


def test_one_unsigned_amount_column_with_a_debit_credit_column_reads_only_credits() -> None:
    """Some exports give one unsigned "Số tiền" and say "Nợ"/"Có" (or D/C) in another
    column: a line marked as money out is never a payment, an unmarked one neither."""
    rows = [
        ["Ngày", "Nội dung", "Số tiền", "Nợ/Có"],
        ["05/03/2026", f"DG {CODE} 7 {CHECK}", "1.500.000", "Có"],
        ["06/03/2026", f"DG {CODE} 8 QWERT", "500.000", "Nợ"],
        ["07/03/2026", f"DG {CODE} 8 QWERT", "500.000", "D"],
        ["08/03/2026", f"DG {CODE} 8 QWERT", "500.000", ""],
        ["09/03/2026", f"DG {CODE} 7 {CHECK}", "200.000", "C"],
    ]
    lines = statements.statement_lines(rows)
    assert [(line.row, line.amount) for line in lines] == [(2, 1_500_000), (6, 200_000)]
    english = [["Date", "Description", "Amount", "Debit/Credit"], ["05/03/2026", "x", "9", "DR"]]
    assert statements.statement_lines(english) == []
