"""Malformed and hostile spreadsheets, built on the fly (no committed binaries): every
importer is run against each of them (tests/services/test_safefiles.py).

Each builder returns ``(filename, content)``; the dict :data:`BOMBS` names them all,
with the refusal reason the reader must give."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable


def plain_xlsx(rows: list[list[object]] | None = None) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows or [["Mã hộ", "Chủ hộ"], ["H01", "Nguyễn Văn A"]]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rezip(base: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """``base`` with some members replaced and others added, deflated."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            target.writestr(member.filename, replace.get(member.filename, source.read(member)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet_xml(body: str, dimension: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>{dim}<sheetData>{body}</sheetData></worksheet>'.encode()


def not_a_zip() -> tuple[str, bytes]:
    return "saoke.xlsx", b"PK\x03\x04 this was a text file renamed to .xlsx\n" * 20


def truncated() -> tuple[str, bytes]:
    content = plain_xlsx()
    return "saoke.xlsx", content[: len(content) // 2]


def billion_laughs() -> tuple[str, bytes]:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>'
        f'<sst {_NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    ).encode()
    return "saoke.xlsx", _with_strings(strings)


def _with_strings(strings: bytes) -> bytes:
    """A workbook whose A1 is the first of ``strings`` (xl/sharedStrings.xml)."""
    sheet = _sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    base = plain_xlsx()
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        present = "xl/sharedStrings.xml" in archive.namelist()
    if present:
        return rezip(base, {SHEET: sheet, "xl/sharedStrings.xml": strings})
    return rezip(base, {SHEET: sheet}, {"xl/sharedStrings.xml": strings})


def dimension_bomb() -> tuple[str, bytes]:
    """5 KB that declares A1:XFD1048576 and puts one cell in its far corner."""
    sheet = _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hộ</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        "A1:XFD1048576",
    )
    return "ho.xlsx", rezip(plain_xlsx(), {SHEET: sheet})


def undeclared_dimension_bomb() -> tuple[str, bytes]:
    """The same corner cell with no <dimension> to warn of it."""
    sheet = _sheet_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã hộ</t></is></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    )
    return "ho.xlsx", rezip(plain_xlsx(), {SHEET: sheet})


def shared_strings_bomb(megabytes: int = 60) -> tuple[str, bytes]:
    """A few hundred KB that unpack to ``megabytes`` MB of shared strings."""
    one = "<si><t>" + "A" * 1000 + "</t></si>"
    count = megabytes * 1024
    strings = (
        f'<?xml version="1.0"?><sst {_NS} count="{count}" uniqueCount="{count}">'
        + one * count
        + "</sst>"
    ).encode()
    return "saoke.xlsx", _with_strings(strings)


def million_rows_csv() -> tuple[str, bytes]:
    return "saoke.csv", b"a,b\n" + b"1,2\n" * 1_000_000


def million_rows_xlsx() -> tuple[str, bytes]:
    body = "<row><c><v>1</v></c></row>" * 1_000_000
    return "saoke.xlsx", rezip(plain_xlsx(), {SHEET: _sheet_xml(body)})


def big_cell_csv() -> tuple[str, bytes]:
    return "saoke.csv", ("Ngày,Nội dung,Ghi có\n01/03/2026," + "x" * 200_000 + ",100000\n").encode()


def big_cell_xlsx() -> tuple[str, bytes]:
    return "saoke.xlsx", plain_xlsx([["Ngày", "Nội dung"], ["01/03/2026", "x" * 200_000]])


def external_link() -> tuple[str, bytes]:
    link = f'<?xml version="1.0"?><externalLink {_NS}><externalBook/></externalLink>'.encode()
    return "saoke.xlsx", rezip(plain_xlsx(), {}, {"xl/externalLinks/externalLink1.xml": link})


def too_many_entries() -> tuple[str, bytes]:
    extra = {f"xl/media/image{i}.png": b"x" for i in range(400)}
    return "saoke.xlsx", rezip(plain_xlsx(), {}, extra)


BOMBS: dict[str, tuple[Callable[[], tuple[str, bytes]], set[str]]] = {
    "not_a_zip": (not_a_zip, {"unreadable"}),
    "truncated": (truncated, {"unreadable"}),
    "billion_laughs": (billion_laughs, {"entities"}),
    "dimension_bomb": (dimension_bomb, {"dimensions"}),
    "undeclared_dimension_bomb": (undeclared_dimension_bomb, {"too_many_rows"}),
    "shared_strings_bomb": (shared_strings_bomb, {"unzipped_too_big"}),
    "million_rows_csv": (million_rows_csv, {"too_many_rows"}),
    "million_rows_xlsx": (million_rows_xlsx, {"too_many_rows"}),
    "big_cell_csv": (big_cell_csv, {"cell_too_long"}),
    "big_cell_xlsx": (big_cell_xlsx, {"cell_too_long"}),
    "external_link": (external_link, {"external_links"}),
    "too_many_entries": (too_many_entries, {"too_many_entries"}),
}
