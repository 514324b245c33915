"""Old Excel files, read within :class:`bot.services.safefiles.Limits`.

Banks' internet banking still exports statements as ``.xls``, and that name covers two
different files: a real Excel 97-2003 workbook (BIFF8 in an OLE2 container) and a web
page whose table Excel opens when the file is named ``.xls``. Both are read here, in
the child process of :func:`bot.services.safefiles.read_table` (memory cap, deadline).

- BIFF: xlrd, one sheet on demand, never padding ragged rows, formatting ignored (so a
  MERGEDCELLS range is never expanded); the workbook's sheet count and the sheet's
  declared DIMENSIONS are checked before any cell is read; a formula gives its cached
  value, never runs. xlrd writes its warnings to a ``logfile`` that defaults to stdout,
  the child's answer channel: it gets a sink instead.
- HTML: the standard library's ``html.parser``, a tokenizer that keeps no tree (deep
  nesting costs nothing), expands only HTML's own character references (a page that
  declares entities is refused) and is cut off at the row, column and cell limits as it
  goes. Every ``<tr>`` of every table is a row, in document order, as Excel shows the
  page; ``colspan`` and ``rowspan`` keep the columns where Excel puts them; text outside
  tables (a title in a ``<div>``) is a row of one cell, as in Excel."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from bot.services.safefiles import FileRefused, Limits, checked_row


class _Sink:
    def write(self, _text: str) -> None:
        pass


def xls_rows(content: bytes, limits: Limits, sheet_name: str = "") -> list[list[str]]:
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=content,
            on_demand=True,
            ragged_rows=True,
            formatting_info=False,
            logfile=_Sink(),
            verbosity=0,
        )
    except MemoryError:
        raise FileRefused("memory") from None
    except Exception as error:  # xlrd raises many kinds for a broken or foreign file
        if "encrypt" in str(error).lower():
            raise FileRefused("encrypted") from None
        raise FileRefused("unreadable") from None
    try:
        if book.nsheets > limits.max_sheets:
            raise FileRefused("too_many_sheets", limit=limits.max_sheets)
        if book.nsheets == 0:
            raise FileRefused("unreadable")
        names = book.sheet_names()
        sheet = book.sheet_by_index(names.index(sheet_name) if sheet_name in names else 0)
        if sheet._dimnrows > limits.max_rows + 50 or sheet._dimncols > limits.max_columns:
            raise FileRefused("dimensions")
        if sheet.nrows > limits.max_rows:
            raise FileRefused("too_many_rows", limit=limits.max_rows)
        return [
            checked_row(_xls_values(book, sheet, index, limits), index + 1, limits)
            for index in range(sheet.nrows)
        ]
    except FileRefused:
        raise
    except MemoryError:
        raise FileRefused("memory") from None
    except Exception:
        raise FileRefused("unreadable") from None
    finally:
        book.release_resources()


def _xls_values(book: Any, sheet: Any, index: int, limits: Limits) -> list[Any]:
    import xlrd

    width = min(sheet.row_len(index), limits.max_columns + 1)
    values: list[Any] = []
    for kind, value in zip(
        sheet.row_types(index, 0, width), sheet.row_values(index, 0, width), strict=True
    ):
        if kind == xlrd.XL_CELL_DATE:
            try:
                value = xlrd.xldate_as_datetime(value, book.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                pass  # the serial number stays, as Excel shows a date it cannot
        elif kind == xlrd.XL_CELL_BOOLEAN:
            value = bool(value)
        elif kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            value = None
        values.append(value)
    return values


_BLOCK = frozenset(("div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "li", "center"))
_HIDDEN = frozenset(("script", "style", "title", "head"))
_SPACE = re.compile(r"\s+")


class _TableRows(HTMLParser):
    def __init__(self, limits: Limits) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None  # inside a <tr>
        self.cell: list[str] | None = None  # inside a <td> or <th>
        self.size = 0  # the open cell's (or loose text's) characters so far
        self.loose: list[str] = []  # text outside any cell: a title row
        self.spans = (1, 1)  # the open cell's colspan, rowspan
        self.below: dict[int, int] = {}  # column -> rows still covered by a rowspan above
        self.hidden = ""

    # tokens

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.hidden:
            return
        if tag in _HIDDEN:
            self.hidden = tag
        elif tag == "tr":
            self._end_row()
            self.row = []
            self._skip_covered()
        elif tag in ("td", "th"):
            if self.row is None:
                self._end_loose()
                self.row = []
                self._skip_covered()
            self._end_cell()
            self.cell, self.size = [], 0
            self.spans = (
                _span(attrs, "colspan", self.limits.max_columns + 1),
                _span(attrs, "rowspan", self.limits.max_rows + 1),
            )
        elif tag == "br":
            self._text("\n")
        elif tag in _BLOCK:
            if tag == "table":
                self._end_row()
                self.below = {}
            self._end_loose()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._text("\n")
        elif tag in ("td", "th"):
            self.handle_starttag(tag, attrs)
            self._end_cell()

    def handle_endtag(self, tag: str) -> None:
        if self.hidden:
            if tag == self.hidden:
                self.hidden = ""
            return
        if tag in ("td", "th"):
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag in _BLOCK:
            if tag == "table":
                self._end_row()
                self.below = {}
            self._end_loose()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._text(_SPACE.sub(" ", data))

    def handle_decl(self, decl: str) -> None:
        if "entity" in decl.lower():
            raise FileRefused("entities")

    def unknown_decl(self, data: str) -> None:
        pass  # <![CDATA[…]]> and the like: not a table's

    # rows

    def _text(self, text: str) -> None:
        if self.hidden or not text:
            return
        if self.cell is None and (self.row is not None or not (text.strip() or self.loose)):
            return  # between the cells of a row, or blank before a title
        self.size += len(text)
        if self.size > self.limits.max_cell + 64:  # the exact count is checked_row's
            row = len(self.rows) + 1
            column = len(self.row) + 1 if self.cell is not None and self.row is not None else 1
            raise FileRefused("cell_too_long", row=row, column=column, limit=self.limits.max_cell)
        (self.cell if self.cell is not None else self.loose).append(text)

    def _skip_covered(self) -> None:
        """Empty cells where a rowspan above covers this row, as Excel leaves them."""
        assert self.row is not None
        while self.below.get(len(self.row), 0) > 0:
            self.below[len(self.row)] -= 1
            self.row.append("")

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        text = "\n".join(line.strip() for line in "".join(self.cell).split("\n")).strip()
        self.cell, self.size = None, 0
        colspan, rowspan = self.spans
        if len(self.row) >= self.limits.max_columns:
            if text:
                raise FileRefused(
                    "too_many_columns", row=len(self.rows) + 1, limit=self.limits.max_columns
                )
            return  # empty cells past the last column change nothing
        start = len(self.row)
        self.row.append(text)
        self.row.extend([""] * min(colspan - 1, self.limits.max_columns - len(self.row)))
        if rowspan > 1:
            for column in range(start, len(self.row)):
                self.below[column] = rowspan - 1
        self._skip_covered()

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is None:
            return
        row, self.row = self.row, None
        self._append(row)

    def _end_loose(self) -> None:
        if self.row is not None or self.cell is not None:
            return
        text = " ".join("".join(self.loose).split())
        self.loose, self.size = [], 0
        if text:
            self._append([text])

    def _append(self, row: list[str]) -> None:
        if len(self.rows) >= self.limits.max_rows:
            raise FileRefused("too_many_rows", limit=self.limits.max_rows)
        self.rows.append(checked_row(row, len(self.rows) + 1, self.limits))


def _span(attrs: list[tuple[str, str | None]], name: str, most: int) -> int:
    for key, value in attrs:
        if key == name and value:
            digits = re.match(r"\s*(\d{1,9})", value)
            if digits:
                return max(1, min(int(digits.group(1)), most))
    return 1


LONGEST_TAG = 32768  # characters from a "<" to its ">": a real page's tags are far shorter
_TAG = re.compile(r"<[^>]*")


def _guarded(text: str) -> str:
    """The page without its comments, checked so that html.parser stays linear.

    html.parser rescans to the end of the input for each construct it cannot finish (an
    unclosed comment, an attribute quote never closed, a "<" that never meets a ">"),
    so a few megabytes of them take minutes. A browser hides everything after an
    unclosed comment: so do we; and a "<" with no ">" within :data:`LONGEST_TAG`
    characters is no page a bank writes."""
    kept: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) >= 0:
        end = text.find("-->", start + 4)
        kept.append(text[position:start])
        if end < 0:
            position = len(text)
            break
        position = end + 3
    kept.append(text[position:])
    page = "".join(kept)
    for tag in _TAG.finditer(page):  # one at a time: a million tags make no list
        if tag.end() - tag.start() > LONGEST_TAG:
            raise FileRefused("unreadable")
    return page


def html_rows(text: str, limits: Limits) -> list[list[str]]:
    if re.search(r"<!ENTITY", text, re.IGNORECASE):
        raise FileRefused("entities")
    text = _guarded(text)
    parser = _TableRows(limits)
    try:
        parser.feed(text)
        parser.close()
        parser._end_row()
        parser._end_loose()
    except FileRefused:
        raise
    except MemoryError:
        raise FileRefused("memory") from None
    except Exception:  # html.parser is lenient; anything it still raises is a broken file
        raise FileRefused("unreadable") from None
    rows = parser.rows
    while rows and not rows[-1]:
        rows.pop()
    if not rows:
        raise FileRefused("unreadable")
    return rows
