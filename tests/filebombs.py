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


# Old Excel: real .xls (BIFF8, written by xlwt and patched where a writer would refuse)
# and web pages named .xls. The statement importer is the one that reads them.


def _xls(cells: dict[tuple[int, int], object], sheets: int = 1) -> bytes:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    for number in range(sheets):
        sheet = workbook.add_sheet(f"S{number + 1}")
        if number == 0:
            for (row, column), value in cells.items():
                sheet.write(row, column, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_DIMENSIONS = b"\x00\x02\x0e\x00"  # BIFF8 DIMENSIONS record: id 0x0200, 14 bytes


def _declare(content: bytes, rows: int, columns: int) -> bytes:
    """The sheet's DIMENSIONS record rewritten in place (first row, last row + 1, first
    column, last column + 1), as a hostile writer would declare it."""
    at = content.index(_DIMENSIONS) + 4
    record = (0).to_bytes(4, "little") + rows.to_bytes(4, "little")
    record += (0).to_bytes(2, "little") + columns.to_bytes(2, "little")
    return content[:at] + record + content[at + 12 :]


def xls_many_sheets() -> tuple[str, bytes]:
    return "saoke.xls", _xls({(0, 0): "Ngày"}, sheets=60)


def xls_dimension_bomb() -> tuple[str, bytes]:
    """Two cells that declare 65,536 rows by 256 columns."""
    return "saoke.xls", _declare(_xls({(0, 0): "Ngày", (1, 0): 1}), 65536, 256)


def xls_far_cell() -> tuple[str, bytes]:
    """One cell in the last row BIFF8 allows, under a DIMENSIONS that claims 1 x 1."""
    return "saoke.xls", _declare(_xls({(0, 0): "Ngày", (65535, 0): 1}), 1, 1)


def xls_many_rows() -> tuple[str, bytes]:
    return "saoke.xls", _declare(_xls({(row, 0): row for row in range(20_000)}), 1, 1)


def xls_wide() -> tuple[str, bytes]:
    """200 columns under a DIMENSIONS that claims one."""
    return "saoke.xls", _declare(_xls({(0, column): f"C{column}" for column in range(200)}), 1, 1)


def xls_big_cell() -> tuple[str, bytes]:
    return "saoke.xls", _xls({(0, 0): "Ngày", (1, 0): "x" * 30_000})  # BIFF8 allows 32,767


def xls_truncated() -> tuple[str, bytes]:
    content = _xls({(row, 0): f"dòng {row}" for row in range(300)})
    return "saoke.xls", content[: len(content) // 2]


def xls_garbage() -> tuple[str, bytes]:
    return "saoke.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 40


def xls_encrypted() -> tuple[str, bytes]:
    """The INTERFACEHDR record after the workbook's BOF turned into a FILEPASS: what a
    password-protected workbook carries."""
    content = _xls({(0, 0): "Ngày"})
    return "saoke.xls", content.replace(b"\xe1\x00\x02\x00", b"\x2f\x00\x02\x00", 1)


_PAGE = '<html><head><meta charset="utf-8"></head><body><table>'


def html_entities() -> tuple[str, bytes]:
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    page = f'<!DOCTYPE html [<!ENTITY lol0 "lol">{entities}]>{_PAGE}<tr><td>&lol9;</td></tr>'
    return "saoke.xls", page.encode()


def html_million_rows() -> tuple[str, bytes]:
    return "saoke.xls", (_PAGE + "<tr>" * 1_200_000).encode()


def html_wide() -> tuple[str, bytes]:
    return "saoke.xls", (_PAGE + "<tr>" + "<td>x</td>" * 400_000).encode()


def html_big_cell() -> tuple[str, bytes]:
    return "saoke.xls", (_PAGE + "<tr><td>Ngày</td><td>" + "x" * 3_000_000).encode()


def html_nested_tables() -> tuple[str, bytes]:
    """A table in a cell of a table, 300,000 deep."""
    return "saoke.xls", ("<html>" + "<table><tr><td>" * 300_000).encode()


def html_unclosed_quotes() -> tuple[str, bytes]:
    """Attribute quotes never closed: html.parser alone rescans to the end for each one
    (two minutes for these 4 MB before the guard)."""
    return "saoke.xls", (_PAGE + "<tr><td>a</td></tr>" + "<a b='" * 700_000).encode()


def xml_spreadsheet() -> tuple[str, bytes]:
    """Excel 2003's XML spreadsheet, which some exports also name .xls: not read."""
    return "saoke.xls", (
        '<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        '<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">Ngày</Data>'
        "</Cell></Row></Table></Worksheet></Workbook>"
    ).encode()


OLD_EXCEL_BOMBS: dict[str, tuple[Callable[[], tuple[str, bytes]], set[str]]] = {
    "xls_many_sheets": (xls_many_sheets, {"too_many_sheets"}),
    "xls_dimension_bomb": (xls_dimension_bomb, {"dimensions"}),
    "xls_far_cell": (xls_far_cell, {"too_many_rows"}),
    "xls_many_rows": (xls_many_rows, {"too_many_rows"}),
    "xls_wide": (xls_wide, {"too_many_columns"}),
    "xls_big_cell": (xls_big_cell, {"cell_too_long"}),
    "xls_truncated": (xls_truncated, {"unreadable"}),
    "xls_garbage": (xls_garbage, {"unreadable"}),
    "xls_encrypted": (xls_encrypted, {"encrypted"}),
    "html_entities": (html_entities, {"entities"}),
    "html_million_rows": (html_million_rows, {"too_many_rows"}),
    "html_wide": (html_wide, {"too_many_columns"}),
    "html_big_cell": (html_big_cell, {"cell_too_long"}),
    "html_nested_tables": (html_nested_tables, {"too_many_rows"}),
    "html_unclosed_quotes": (html_unclosed_quotes, {"unreadable"}),
    "xml_spreadsheet": (xml_spreadsheet, {"old_format"}),
}
