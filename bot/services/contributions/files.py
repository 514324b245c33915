"""Spreadsheets and pictures: the export (XLSX and CSV), reading a bank statement or
the treasurer's receipts sheet, the transparency chart and the campaign's QR poster.

Amounts are numbers in the files (so sums work in Excel), shown in the VND format."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.services import safefiles
from bot.services.contributions.amounts import InvalidAmount, parse_money
from bot.services.safefiles import Limits, append_row, csv_row
from bot.services.vntext import fold

VND_FORMAT = '#,##0 "₫"'
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

PLEDGE_HEADERS = [
    "Mã cam kết", "Người đóng góp", "Hộ", "Loại", "Số lượng", "Đơn vị", "Vật liệu",
    "Đã nhận", "Trạng thái", "Công khai tên", "Ghi chú", "Ngày cam kết",
]  # fmt: skip
RECEIPT_HEADERS = ["Mã phiếu", "Mã cam kết", "Số tiền", "Ngày nhận", "Số phiếu thu", "Hình thức"]
KIND_NAMES = {"money": "Tiền", "labour": "Ngày công", "material": "Vật liệu", "land": "Đất"}
STATUS_NAMES = {
    "pledged": "Đã cam kết",
    "partly_received": "Đã nhận một phần",
    "received": "Đã nhận đủ",
    "overdue": "Quá hạn",
    "cancelled": "Đã hủy",
}
METHOD_NAMES = {"cash": "Tiền mặt", "transfer": "Chuyển khoản"}


class SheetInvalid(ValueError):
    """reason: "too_big" | "unreadable" | "no_header"; for "no_header", the columns
    the sheet has (``found``) and those it lacks (``needed``)."""

    def __init__(self, reason: str, found: Sequence[str] = (), needed: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.found = list(found)
        self.needed = list(needed)


@dataclass(frozen=True, slots=True)
class ExportRow:
    pledge_id: int
    name: str
    household: str
    kind: str
    amount: int
    unit: str
    material: str
    received: int
    status: str
    show_name: bool
    note: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExportReceipt:
    receipt_id: int
    pledge_id: int
    amount: int
    received_on: date
    number: str
    method: str


def _pledge_values(row: ExportRow, timezone: str) -> list[object]:
    return [
        row.pledge_id, row.name, row.household, KIND_NAMES.get(row.kind, row.kind), row.amount, row.unit,
        row.material, row.received, STATUS_NAMES.get(row.status, row.status), "Có" if row.show_name else "Không",
        row.note, local_date(row.created_at, timezone),
    ]  # fmt: skip


def local_date(moment: datetime, timezone: str) -> date:
    """The day in the village of a stored (UTC) moment."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(ZoneInfo(timezone)).date()


def export_xlsx(
    title: str,
    pledges: Sequence[ExportRow],
    receipts: Sequence[ExportReceipt],
    timezone: str = "Asia/Ho_Chi_Minh",
) -> bytes:
    """Typed cells (money and counts are numbers, dates are dates); every text a user
    typed is written as text, never a formula (:mod:`bot.services.safefiles`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cam kết"
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(PLEDGE_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in pledges:
        append_row(sheet, _pledge_values(row, timezone))
        if row.kind == "money":
            for column in ("E", "H"):
                sheet[f"{column}{sheet.max_row}"].number_format = VND_FORMAT
        sheet[f"L{sheet.max_row}"].number_format = "DD/MM/YYYY"
    for column, width in zip(
        "ABCDEFGHIJKL", (10, 28, 12, 12, 16, 12, 16, 16, 18, 12, 30, 14), strict=True
    ):
        sheet.column_dimensions[column].width = width
    second = workbook.create_sheet("Phiếu thu")
    second.append(RECEIPT_HEADERS)
    for cell in second[1]:
        cell.font = Font(bold=True)
    for receipt in receipts:
        append_row(
            second,
            [
                receipt.receipt_id,
                receipt.pledge_id,
                receipt.amount,
                receipt.received_on,
                receipt.number,
                METHOD_NAMES.get(receipt.method, receipt.method),
            ],
        )
        second[f"C{second.max_row}"].number_format = VND_FORMAT
        second[f"D{second.max_row}"].number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_csv(pledges: Sequence[ExportRow], timezone: str = "Asia/Ho_Chi_Minh") -> bytes:
    """UTF-8 with a BOM, so Excel opens the Vietnamese headers correctly; a cell that
    Excel would run as a formula starts with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PLEDGE_HEADERS)
    for row in pledges:
        values = _pledge_values(row, timezone)
        values[-1] = values[-1].strftime("%d/%m/%Y")  # type: ignore[attr-defined]
        writer.writerow(csv_row(values))
    return buffer.getvalue().encode("utf-8-sig")


# reading sheets


STATEMENT_LIMITS = Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS)


async def read_table(content: bytes, filename: str) -> list[list[str]]:
    """Rows of cells as text, from an XLSX or a CSV (comma, semicolon or tab), read
    within :data:`STATEMENT_LIMITS` off the event loop; raises ``FileRefused``."""
    return await safefiles.read_table(content, filename, STATEMENT_LIMITS)


def parse_date(text: str) -> date | None:
    text = text.strip()
    for pattern, order in (
        (r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", "dmy"),
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
    ):
        match = re.match(pattern, text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            try:
                return date(c, b, a) if order == "dmy" else date(a, b, c)
            except ValueError:
                return None
    return None


def _find_columns(
    rows: list[list[str]], wanted: dict[str, tuple[str, ...]], required: set[str]
) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:30]):
        folded = [fold(cell) for cell in row]
        found: dict[str, int] = {}
        for key, names in wanted.items():
            for column, cell in enumerate(folded):
                if column not in found.values() and any(
                    cell == n or cell.startswith(n) for n in names
                ):
                    found[key] = column
                    break
        if required <= set(found):
            return index, found
    raise SheetInvalid("no_header")


def _cells(row: list[str], columns: dict[str, int]) -> Callable[[str], str]:
    def cell(key: str) -> str:
        column = columns.get(key)
        return row[column].strip() if column is not None and column < len(row) else ""

    return cell


# the treasurer's receipts sheet


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    row: int
    pledge_id: int
    amount: int
    on: date
    number: str
    method: str


RECEIPT_COLUMNS = {
    "pledge": ("ma cam ket", "cam ket", "pledge"),
    "amount": ("so tien", "so luong", "amount"),
    "on": ("ngay nhan", "ngay", "date"),
    "number": ("so phieu thu", "so phieu", "receipt"),
    "method": ("hinh thuc", "method"),
}


def receipt_rows(
    rows: list[list[str]], pledge_ids: set[int], today: date
) -> tuple[list[ReceiptRow], list[tuple[int, str]]]:
    """Valid rows, and refused rows with why ("pledge", "amount", "date", "method")."""
    header, columns = _find_columns(rows, RECEIPT_COLUMNS, {"pledge", "amount"})
    good: list[ReceiptRow] = []
    refused: list[tuple[int, str]] = []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        if not any(cell.strip() for cell in row):
            continue
        cell = _cells(row, columns)
        raw_id = cell("pledge").lstrip("#")
        if not raw_id.isdigit() or int(raw_id) not in pledge_ids:
            refused.append((number, "pledge"))
            continue
        try:
            amount = parse_money(cell("amount"))
        except InvalidAmount:
            refused.append((number, "amount"))
            continue
        on = parse_date(cell("on")) if cell("on") else today
        if on is None or on > today:
            refused.append((number, "date"))
            continue
        method_text = fold(cell("method"))
        if method_text in ("", "tien mat", "cash", "tm"):
            method = "cash"
        elif method_text in ("chuyen khoan", "transfer", "ck"):
            method = "transfer"
        else:
            refused.append((number, "method"))
            continue
        good.append(ReceiptRow(number, int(raw_id), amount, on, cell("number")[:64], method))
    return good, refused


# pictures


def poster(title: str, subtitle: str, link: str, fmt: str = "png") -> bytes:
    """An A4 poster with the campaign's QR code (segno) to print for the cultural house."""
    import segno

    # Text drawn as typed ("$\\foo$" is no formula), wrapped here: matplotlib's own
    # wrap=True measures words as mathtext whatever parse_math says.
    from bot.services.charts import pyplot, wrapped_text

    plt = pyplot()

    matrix = [
        [0 if cell else 1 for cell in row]
        for row in segno.make(link, error="h").matrix_iter(scale=1, border=4)
    ]
    figure = plt.figure(figsize=(8.27, 11.69), dpi=150)
    try:
        figure.text(
            0.5, 0.895, wrapped_text(title, 30, 2), ha="center", va="bottom", fontsize=26,
            fontweight="bold",
        )  # fmt: skip
        figure.text(0.5, 0.875, wrapped_text(subtitle, 60, 2), ha="center", va="top", fontsize=16)
        axes = figure.add_axes((0.15, 0.22, 0.7, 0.55))
        axes.imshow(matrix, cmap="gray", interpolation="nearest", vmin=0, vmax=1)
        axes.axis("off")
        figure.text(0.5, 0.15, link, ha="center", fontsize=14, family="monospace")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="pdf" if fmt == "pdf" else "png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
