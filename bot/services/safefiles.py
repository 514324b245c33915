"""Spreadsheets in and out, safely.

Out: every cell a user could have typed goes through :func:`neutralize` (CSV) or
:func:`append_row` (XLSX), so a name like ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0``
is text, never a formula, when a treasurer opens the file in Excel (OWASP's
CSV-injection guidance: cells starting with ``= + - @``, tab or carriage return).

In: every XLSX, XLS or CSV the bot or the CLI reads goes through :func:`read_table`. What
can go wrong is a file built to hurt the reader: a zip whose entries unpack to
gigabytes (a shared-strings bomb), a sheet declaring a million rows by sixteen
thousand columns (a dimension bomb), XML entities that expand exponentially (billion
laughs), a link to another workbook, a 200 KB cell. So before openpyxl parses
anything the zip's directory and XML are checked against :class:`Limits`; the parse
itself runs in openpyxl's read-only mode, in a child process with an address-space
cap and a deadline, so neither a bomb that slips through nor a slow file can take
the bot's memory or hold up anyone else's reply. A refusal is a :class:`FileRefused`
with a reason (and the row and column when one cell is at fault), one localized line
through :func:`refusal_text`.

Old Excel files are read too, because many banks' internet banking still exports them: a
real BIFF8 workbook (the OLE2 ``.xls`` of Excel 97-2003) is read with xlrd, one sheet on
demand, after its sheet count and the sheet's declared DIMENSIONS are checked; a web
page saved with a ``.xls`` name (an HTML table, what several banks' "Excel" button
gives) is read with the standard library's tokenizing ``html.parser``, which keeps no
tree (deep nesting costs nothing), expands no DTD entities (a page declaring any is
refused) and is cut off at the row, column and cell limits as it goes."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = 5 * 1024 * 1024  # the file as sent
    max_entries: int = 200  # zip members
    max_unzipped: int = 40 * 1024 * 1024  # all members together, unpacked
    max_shared_strings: int = 10 * 1024 * 1024  # xl/sharedStrings.xml unpacked
    max_rows: int = 5000
    max_columns: int = 60
    max_cell: int = 2000  # characters
    max_sheets: int = 50  # sheets in an old .xls workbook (only one is read)
    memory_mb: int = 400  # the child's address space, a backstop behind the checks
    seconds: float = 30.0


class FileRefused(ValueError):
    """reason: too_big | unreadable | unzipped_too_big | too_many_entries | entities |
    external_links | dimensions | too_many_rows | too_many_columns | cell_too_long |
    too_many_sheets | encrypted | old_format | too_slow | memory."""

    def __init__(self, reason: str, row: int = 0, column: int = 0, limit: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row
        self.column = column
        self.limit = limit


def column_letter(number: int) -> str:
    """1 → A, 27 → AA: the column as Excel shows it."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# writing


def neutralize(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, made plain text with a
    leading apostrophe (for CSV); numbers, dates and other text pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [neutralize(value) for value in values]


def append_row(sheet: Any, values: Sequence[Any]) -> None:
    """``sheet.append`` for openpyxl, with every string stored as a string: openpyxl
    would make ``=…`` a formula; it becomes text marked with Excel's quote prefix, so
    Excel shows it as typed and keeps it text when the cell is edited."""
    sheet.append(list(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            cell = sheet.cell(row=row, column=column)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True


# reading


_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode():
        number = number * 26 + ord(char) - 64
    return number


def check_xlsx(content: bytes, limits: Limits) -> None:
    """The zip's directory and every XML member, checked before openpyxl sees them."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused("unreadable") from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_entries:
            raise FileRefused("too_many_entries", limit=limits.max_entries)
        if sum(m.file_size for m in members) > limits.max_unzipped:
            raise FileRefused("unzipped_too_big")
        names = {m.filename for m in members}
        if any(name.lower().startswith("xl/externallinks/") for name in names):
            raise FileRefused("external_links")
        if "xl/workbook.xml" not in names:
            raise FileRefused("unreadable")
        for member in members:
            if member.filename == "xl/sharedStrings.xml" and (
                member.file_size > limits.max_shared_strings
            ):
                raise FileRefused("unzipped_too_big")
            if member.filename.endswith((".xml", ".rels", ".vml")):
                _check_xml(archive, member, limits)


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> None:
    seen = rows = 0
    tail = b""
    sheet = member.filename.startswith("xl/worksheets/")
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(1 << 20):
                seen += len(chunk)
                if seen > limits.max_unzipped:
                    raise FileRefused("unzipped_too_big")
                window = tail + chunk
                if _DOCTYPE.search(window):
                    raise FileRefused("entities")
                if sheet and not tail:
                    _check_dimension(window, limits)
                if sheet:
                    # counted here: openpyxl scans a sheet with no <dimension> end to end
                    rows += window.count(b"<row") - tail.count(b"<row")
                    if rows > limits.max_rows + 50:
                        raise FileRefused("too_many_rows", limit=limits.max_rows)
                tail = window[-16:]
    except FileRefused:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise FileRefused("unreadable") from None


def _check_dimension(head: bytes, limits: Limits) -> None:
    match = _DIMENSION.search(head[:65536])
    if match is None:
        return
    last_column, last_row = match.group(3) or match.group(1), match.group(4) or match.group(2)
    if (last_row and int(last_row) > limits.max_rows + 50) or (
        last_column and _column_number(last_column) > limits.max_columns
    ):
        raise FileRefused("dimensions")


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return unicodedata.normalize("NFC", str(value)).strip()


def _checked_row(values: Iterable[Any], number: int, limits: Limits) -> list[str]:
    row = [cell_text(value) for value in values]
    while row and not row[-1]:
        row.pop()
    if len(row) > limits.max_columns:
        raise FileRefused("too_many_columns", row=number, limit=limits.max_columns)
    for column, text in enumerate(row, start=1):
        if len(text) > limits.max_cell:
            raise FileRefused("cell_too_long", row=number, column=column, limit=limits.max_cell)
    return row


checked_row = _checked_row  # for bot.services.oldsheets


def is_xlsx(content: bytes, filename: str) -> bool:
    return filename.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK"


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an Excel 97-2003 .xls (BIFF8)


def read_rows(content: bytes, filename: str, limits: Limits, sheet: str = "") -> list[list[str]]:
    """The rows of the sheet named ``sheet`` (else the first) as text, in this process:
    the child of :func:`read_table`, or a one-off CLI run. What a file is comes from its
    first bytes, not its name: banks name web pages and old workbooks alike ``.xls``."""
    if len(content) > limits.max_bytes:
        raise FileRefused("too_big", limit=limits.max_bytes)
    if content[:8] == OLE2_MAGIC:
        from bot.services.oldsheets import xls_rows

        return xls_rows(content, limits, sheet)
    text = "" if content[:2] == b"PK" else _decoded(content)
    markup = _markup(text)
    if markup == "html":
        from bot.services.oldsheets import html_rows

        return html_rows(text, limits)
    if markup == "xml":
        raise FileRefused("old_format")  # Excel 2003's XML spreadsheet, or other XML
    if is_xlsx(content, filename):
        check_xlsx(content, limits)
        return _xlsx_rows(content, limits, sheet)
    return _csv_rows(text, limits)


def _xlsx_rows(content: bytes, limits: Limits, sheet_name: str) -> list[list[str]]:
    from openpyxl import load_workbook

    rows: list[list[str]] = []
    try:
        workbook = load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
        try:
            sheet = (
                workbook[sheet_name]
                if sheet_name in workbook.sheetnames
                else workbook.worksheets[0]
            )
            sheet.reset_dimensions()  # checked above; never pad rows to what it declares
            for number, values in enumerate(
                sheet.iter_rows(max_col=limits.max_columns + 1, values_only=True), start=1
            ):
                if number > limits.max_rows:
                    raise FileRefused("too_many_rows", limit=limits.max_rows)
                rows.append(_checked_row(values, number, limits))
        finally:
            workbook.close()
    except FileRefused:
        raise
    except MemoryError:
        raise FileRefused("memory") from None
    except Exception:  # openpyxl raises many kinds for a broken or foreign file
        raise FileRefused("unreadable") from None
    return rows


def _decoded(content: bytes) -> str:
    """Text as banks and Excel write it: UTF-16 with its mark (Excel's "Unicode text" and
    some web pages), UTF-8 with or without one, else the Vietnamese Windows code page
    (or the one a web page names in its <meta charset>)."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = re.search(rb"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", content[:4096])
    if declared:
        try:
            return content.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return content.decode("cp1258", errors="replace")


_HTML_START = re.compile(r"<\s*(html|table|body|head|meta|tr|td|div|style)\b|<!doctype\s+html", re.I)


_XML_SHEET = re.compile(r"<\?xml|<workbook\b|urn:schemas-microsoft-com:office:spreadsheet", re.I)


def _markup(text: str) -> str:
    """html | xml | "" (text, read as CSV), from the start of the file."""
    head = text[:2048].lstrip()
    if not head.startswith("<"):
        return ""
    if _XML_SHEET.search(head) and not re.search(r"<html\b", head, re.I):
        return "xml"  # XHTML has both; Excel 2003's spreadsheet has a <Table> of its own
    if _HTML_START.search(head):
        return "html"
    return ""  # a CSV whose first cell starts with "<"


def _csv_rows(text: str, limits: Limits) -> list[list[str]]:
    if "\x00" in text:
        raise FileRefused("unreadable")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text[:65536]))
    rows: list[list[str]] = []
    try:
        for number, values in enumerate(reader, start=1):
            if number > limits.max_rows:
                raise FileRefused("too_many_rows", limit=limits.max_rows)
            rows.append(_checked_row(values, number, limits))
    except csv.Error:  # a field over the csv module's own limit (128 KB)
        raise FileRefused("cell_too_long", row=reader.line_num, limit=limits.max_cell) from None
    return rows


def _delimiter(head: str) -> str:
    """Comma, semicolon or tab: the one that splits most of the first lines into the
    same number of fields (title rows above the header have a single field)."""
    lines = head.splitlines()[:60]
    best, best_score = ",", 0
    for candidate in (",", ";", "\t"):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=candidate) if len(row) > 1]
        except csv.Error:
            continue
        if counts:
            width = max(set(counts), key=counts.count)
            score = counts.count(width) * width
            if score > best_score:
                best, best_score = candidate, score
    return best


async def read_table(
    content: bytes, filename: str, limits: Limits | None = None, sheet: str = ""
) -> list[list[str]]:
    """:func:`read_rows` in a child process (off the event loop, with a memory cap and a
    deadline); raises :class:`FileRefused`."""
    limits = limits or Limits()
    if len(content) > limits.max_bytes:
        raise FileRefused("too_big", limit=limits.max_bytes)
    result = await run_worker(content, filename, limits, sheet)
    if "refused" in result:
        raise FileRefused(**result["refused"])
    return result["rows"]


MAX_CHILDREN = 2  # files read at once; more wait their turn (bounds memory under a flood)
_children = 0  # the event loop is single-threaded: a plain counter is enough


async def run_worker(
    content: bytes, filename: str, limits: Limits, sheet: str = ""
) -> dict[str, Any]:
    """The child's answer: ``{"rows": …, "peak_kb": …}`` or ``{"refused": {…}}``."""
    global _children
    while _children >= MAX_CHILDREN:
        await asyncio.sleep(0.05)
    _children += 1
    try:
        return await _run_child(content, filename, limits, sheet)
    finally:
        _children -= 1


async def _run_child(content: bytes, filename: str, limits: Limits, sheet: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.services.sheetworker",
        json.dumps({"filename": filename[:200], "sheet": sheet, "limits": asdict(limits)}),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        out, _err = await asyncio.wait_for(process.communicate(content), limits.seconds)
    except TimeoutError:
        process.kill()
        await process.wait()
        return {"refused": {"reason": "too_slow"}}
    try:
        return json.loads(out)
    except ValueError:  # killed by its memory cap, or crashed
        return {"refused": {"reason": "memory" if process.returncode else "unreadable"}}


def refusal_text(error: FileRefused, _: Callable[[str], str]) -> str:
    """One line saying why the file was refused, in the reader's language."""
    where = ""
    if error.row and error.column:
        where = " " + _("(row {row}, column {column})").format(
            row=error.row, column=column_letter(error.column)
        )
    elif error.row:
        where = " " + _("(row {row})").format(row=error.row)
    texts = {
        "too_big": _("That file is too big (at most {mb} MB).").format(
            mb=max(1, error.limit // (1024 * 1024)) if error.limit else 5
        ),
        "unzipped_too_big": _("That file unpacks to far more than a sheet needs, so I did not open it."),
        "too_many_entries": _("That file holds too many parts for a spreadsheet, so I did not open it."),
        "entities": _("That file contains XML entities, which a spreadsheet never needs, so I did not open it."),
        "external_links": _("That file links to other workbooks. Please copy the values into a plain sheet and send it again."),
        "dimensions": _("That sheet says it is far bigger than a village list, so I did not open it."),
        "too_many_rows": _("That sheet has more than {limit} rows.").format(limit=error.limit),
        "too_many_columns": _("That sheet has more than {limit} columns.").format(limit=error.limit)
        + where,
        "cell_too_long": _("A cell is longer than {limit} characters.").format(limit=error.limit)
        + where,
        "too_slow": _("That file took too long to read, so I stopped."),
        "too_many_sheets": _("That workbook has more than {limit} sheets, so I did not open it.").format(limit=error.limit),
        "encrypted": _("That file is protected by a password. Please open it, save it without a password and send it again."),
        "old_format": _("I cannot read this kind of Excel file (XML spreadsheet). Please open it in Excel, save it as .xlsx and send it again."),
        "memory": _("That file needs too much memory to read, so I stopped."),
    }  # fmt: skip
    return texts.get(
        error.reason, _("I could not read that file. Please send an XLSX, XLS or CSV file.")
    )
