"""Spreadsheets and pictures: export, statement matching, receipts sheets, chart, poster."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from bot.services.contributions import files, statements
from bot.services.safefiles import FileRefused

ROWS = [
    files.ExportRow(7, "Bà Tư", "NBT-001", "money", 1_500_000, "đ", "", 500_000, "partly_received", True, "", datetime(2026, 3, 2, tzinfo=UTC)),
    files.ExportRow(8, "Ông Ba", "", "material", 2, "khối", "cát", 0, "pledged", False, "ghi chú", datetime(2026, 3, 3, tzinfo=UTC)),
]  # fmt: skip


def test_xlsx_export_has_vietnamese_headers_and_numbers_in_vnd_format() -> None:
    content = files.export_xlsx(
        "Nhà văn hóa", ROWS, [files.ExportReceipt(1, 7, 500_000, date(2026, 3, 2), "PT01", "cash")]
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Cam kết"]
    assert [c.value for c in sheet[2]] == files.PLEDGE_HEADERS
    assert sheet["E3"].value == 1_500_000 and sheet["H3"].value == 500_000
    assert sheet["E3"].number_format == files.VND_FORMAT
    assert (
        sheet["D4"].value == "Vật liệu"
        and sheet["G4"].value == "cát"
        and sheet["E4"].number_format == "General"
    )
    receipts = workbook["Phiếu thu"]
    assert [c.value for c in receipts[2]][:3] == [1, 7, 500_000] and receipts[
        "F2"
    ].value == "Tiền mặt"


async def test_csv_export_opens_in_excel() -> None:
    content = files.export_csv(ROWS)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = await files.read_table(content, "x.csv")
    assert rows[0] == files.PLEDGE_HEADERS and rows[1][4] == "1500000"


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_statement_lines_are_matched_on_the_memo() -> None:
    content = _xlsx(
        [
            ["SAO KÊ TÀI KHOẢN"],
            ["Ngày giao dịch", "Số tham chiếu", "Nội dung", "Ghi nợ", "Ghi có"],
            ["02/03/2026", "FT1", "NGUYEN VAN A chuyen tien DG-abcd1234-7", None, 1_000_000],
            ["02/03/2026", "FT2", "DG abcd1234 99", None, 300_000],  # no such pledge
            ["03/03/2026", "FT3", "DG zzzz9999 7", None, 300_000],  # another campaign
            ["03/03/2026", "FT4", "rut tien", 500_000, None],
            ["04/03/2026", "FT5", "dg abcd1234 8 ong ba", None, "200.000"],
        ]
    )
    lines = statements.statement_lines(await files.read_table(content, "saoke.xlsx"))
    assert [line.amount for line in lines] == [1_000_000, 300_000, 300_000, 200_000]
    owed = {7: statements.Owed("", 1_000_000, ""), 8: statements.Owed("", 200_000, "")}
    matches = statements.match_statement(lines, "abcd1234", owed)
    assert [(m.pledge_id, m.line.amount, m.line.on) for m in matches] == [
        (7, 1_000_000, date(2026, 3, 2)),
        (8, 200_000, date(2026, 3, 4)),
    ]
    assert len({m.source_ref for m in matches}) == 2
    assert all(m.flags == ("check",) for m in matches)  # memos made before check letters
    again = statements.match_statement(
        statements.statement_lines(await files.read_table(content, "x.xlsx")), "abcd1234", owed
    )
    assert [m.source_ref for m in again] == [m.source_ref for m in matches]  # stable: recorded once


async def test_statement_without_a_header_is_refused() -> None:
    with pytest.raises(files.SheetInvalid):
        statements.statement_lines(await files.read_table(b"a,b\n1,2\n", "x.csv"))
    with pytest.raises(FileRefused):
        await files.read_table(b"PK\x03\x04 not really a zip", "x.xlsx")


async def test_receipt_sheet_reports_every_refused_row() -> None:
    csv_text = (
        "Mã cam kết;Số tiền;Ngày nhận;Số phiếu thu;Hình thức\n"
        "7;500.000;02/03/2026;PT01;Tiền mặt\n"
        "99;100.000;02/03/2026;PT02;Tiền mặt\n"
        "8;không biết;02/03/2026;PT03;\n"
        "8;100k;31/12/2099;PT04;\n"
        "8;100k;02/03/2026;PT05;séc\n"
        ";;;;\n"
        "#8;1tr;;PT06;chuyển khoản\n"
    )
    good, refused = files.receipt_rows(
        await files.read_table(csv_text.encode(), "r.csv"), {7, 8}, date(2026, 3, 5)
    )
    assert refused == [(3, "pledge"), (4, "amount"), (5, "date"), (6, "method")]
    assert [(r.row, r.pledge_id, r.amount, r.on, r.method) for r in good] == [
        (2, 7, 500_000, date(2026, 3, 2), "cash"),
        (8, 8, 1_000_000, date(2026, 3, 5), "transfer"),
    ]


def test_poster_is_an_image() -> None:
    link = "https://t.me/villagebot?start=dg_abcd1234"
    assert files.poster("Nhà văn hóa thôn", "Quét mã để đóng góp", link).startswith(b"\x89PNG")
    assert files.poster("Nhà văn hóa thôn", "Quét mã để đóng góp", link, "pdf").startswith(b"%PDF")
