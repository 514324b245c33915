"""Spreadsheets and pictures: the export (XLSX and CSV), reading a bank statement or
the treasurer's receipts sheet, the transparency chart and the campaign's QR poster.

Amounts are numbers in the files (so sums work in Excel), shown in the VND format."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.services.contributions.amounts import InvalidAmount, parse_money
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
    """reason: "too_big" | "unreadable" | "no_header"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


def _pledge_values(row: ExportRow) -> list[object]:
    return [
        row.pledge_id, row.name, row.household, KIND_NAMES.get(row.kind, row.kind), row.amount, row.unit,
        row.material, row.received, STATUS_NAMES.get(row.status, row.status), "Có" if row.show_name else "Không",
        row.note, row.created_at.strftime("%d/%m/%Y"),
    ]  # fmt: skip


def export_xlsx(
    title: str, pledges: Sequence[ExportRow], receipts: Sequence[ExportReceipt]
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Cam kết"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(PLEDGE_HEADERS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in pledges:
        sheet.append(_pledge_values(row))
        if row.kind == "money":
            for column in ("E", "H"):
                sheet[f"{column}{sheet.max_row}"].number_format = VND_FORMAT
    for column, width in zip(
        "ABCDEFGHIJKL", (10, 28, 12, 12, 16, 12, 16, 16, 18, 12, 30, 14), strict=True
    ):
        sheet.column_dimensions[column].width = width
    second = workbook.create_sheet("Phiếu thu")
    second.append(RECEIPT_HEADERS)
    for cell in second[1]:
        cell.font = Font(bold=True)
    for receipt in receipts:
        second.append(
            [
                receipt.receipt_id,
                receipt.pledge_id,
                receipt.amount,
                receipt.received_on,
                receipt.number,
                METHOD_NAMES.get(receipt.method, receipt.method),
            ]
        )
        second[f"C{second.max_row}"].number_format = VND_FORMAT
        second[f"D{second.max_row}"].number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_csv(pledges: Sequence[ExportRow]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Vietnamese headers correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PLEDGE_HEADERS)
    for row in pledges:
        writer.writerow(_pledge_values(row))
    return buffer.getvalue().encode("utf-8-sig")


# reading sheets


def read_table(content: bytes, filename: str) -> list[list[str]]:
    """Rows of cells as text, from an XLSX or a CSV (comma, semicolon or tab)."""
    if len(content) > MAX_BYTES:
        raise SheetInvalid("too_big")
    if filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = []
            for index, row in enumerate(sheet.iter_rows(values_only=True)):
                if index >= MAX_ROWS:
                    break
                rows.append([_cell_text(value) for value in row])
            workbook.close()
            return rows
        except Exception as error:  # a broken or foreign file is the user's, not a bug
            raise SheetInvalid("unreadable") from error
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1258", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [
        row for _, row in zip(range(MAX_ROWS), csv.reader(io.StringIO(text), dialect), strict=False)
    ]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


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


# bank statements


@dataclass(frozen=True, slots=True)
class StatementLine:
    row: int
    on: date | None
    amount: int
    memo: str
    ref: str


@dataclass(frozen=True, slots=True)
class StatementMatch:
    line: StatementLine
    pledge_id: int
    source_ref: str


STATEMENT_COLUMNS = {
    "memo": (
        "noi dung",
        "dien giai",
        "mo ta",
        "description",
        "chi tiet giao dich",
        "noi dung giao dich",
    ),
    "amount": ("so tien ghi co", "ghi co", "so tien", "credit", "amount", "phat sinh co"),
    "on": ("ngay giao dich", "ngay", "date", "transaction date", "ngay hieu luc"),
    "ref": ("so tham chieu", "ma giao dich", "so but toan", "reference", "ref"),
}
_MEMO = re.compile(r"\bDG\s*[-_:]?\s*([a-z0-9]{4,16})\s*[-_:]?\s*(\d{1,10})\b", re.IGNORECASE)


def statement_lines(rows: list[list[str]]) -> list[StatementLine]:
    header, columns = _find_columns(rows, STATEMENT_COLUMNS, {"memo", "amount"})
    lines = []
    for offset, row in enumerate(rows[header + 1 :], start=header + 2):
        cell = _cells(row, columns)
        try:
            amount = parse_money(cell("amount"))
        except InvalidAmount:
            continue  # debits, totals and blank lines
        lines.append(
            StatementLine(offset, parse_date(cell("on")), amount, cell("memo"), cell("ref"))
        )
    return lines


def memo_pledge(memo: str, campaign_code: str) -> int | None:
    for match in _MEMO.finditer(fold(memo)):
        if match.group(1).lower() == campaign_code.lower():
            return int(match.group(2))
    return None


def match_statement(
    lines: Iterable[StatementLine], campaign_code: str, pledge_ids: set[int]
) -> list[StatementMatch]:
    """Lines whose memo names one of the campaign's pledges (``DG <code> <id>``)."""
    matches = []
    for line in lines:
        pledge_id = memo_pledge(line.memo, campaign_code)
        if pledge_id is None or pledge_id not in pledge_ids:
            continue
        identity = line.ref or f"{line.on}|{line.amount}|{line.memo}"
        digest = hashlib.sha256(identity.encode()).hexdigest()[:32]
        matches.append(StatementMatch(line, pledge_id, f"stmt:{campaign_code}:{digest}"))
    return matches


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
