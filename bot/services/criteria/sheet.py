"""The indicator sheet the province and commune offices fill in (openpyxl).

``export_sheet`` writes one row per indicator of a set, with a column per region (2021–2025
set) or commune group (2026–2030 set), an "all communes" column and a source column; the
levels already known (confirmed catalog numbers, earlier imports) are filled in.
``read_sheet`` validates a filled sheet and returns its levels, or every error with its
row and column; the caller loads nothing when there is one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.services.safefiles import FileRefused, Limits, append_row, is_xlsx, read_rows, read_table

from .catalog import Catalog
from .models import CriteriaSet


def get_column_letter(index: int) -> str:
    """openpyxl's, imported on first use: openpyxl (and numpy under it) is not loaded at
    start-up for the province table above."""
    from openpyxl.utils import get_column_letter as letter

    return letter(index)


REGIONS = {
    "TDMNPB": "Trung du và miền núi phía Bắc",
    "DBSH": "Đồng bằng sông Hồng",
    "BTB": "Bắc Trung Bộ",
    "DHNTB": "Duyên hải Nam Trung Bộ",
    "TN": "Tây Nguyên",
    "DNB": "Đông Nam Bộ",
    "DBSCL": "Đồng bằng sông Cửu Long",
}
# Provinces of the regions this bot serves today; others use the "all communes" level.
PROVINCE_REGIONS = {
    "ha tinh": "BTB",
    "nghe an": "BTB",
    "thanh hoa": "BTB",
    "quang binh": "BTB",
    "quang tri": "BTB",
    "thua thien hue": "BTB",
    "hue": "BTB",
}
SHEET = "Chỉ tiêu"
FIXED = ("set", "indicator", "criterion", "name", "requirement")
MAX_VALUE = 200
MAX_SOURCE = 500
_KEY_RE = re.compile(r"\(([A-Za-z0-9]+)\)\s*$")


@dataclass(frozen=True)
class Level:
    set_code: str
    indicator: str
    key: str  # "all", "group1".."group3", or a region code
    value: str
    source: str


def N_(message: str) -> str:  # noqa: N802 - gettext's marker: extracted, translated where shown
    return message


NOT_XLSX = N_(
    "not an .xlsx workbook: fill the sheet that `villagebot criteria export` writes and keep it as .xlsx"
)


@dataclass(frozen=True)
class SheetError:
    row: int
    column: str  # a letter, "A"…
    message: str  # an English msgid with {fields} (see ``params``); ``text`` translates it
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column}: {self.message.format(**self.params)}"

    def text(self, _: Callable[[str], str]) -> str:
        """The line in the reader's language (``_``: the catalog's gettext)."""
        return _("row {row}, column {column}: {problem}").format(
            row=self.row, column=self.column, problem=_(self.message).format(**self.params)
        )


class SheetInvalid(Exception):
    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
        self.refused: FileRefused | None = None  # the file itself was refused before parsing


def level_keys(criteria_set: CriteriaSet) -> list[tuple[str, str]]:
    """(key, header) of the level columns of a set."""
    keys = [("all", "Tất cả các xã")]
    if criteria_set.is_national and criteria_set.valid_from.year >= 2026:
        keys += [(f"group{n}", f"Xã nhóm {n}") for n in (1, 2, 3)]
    elif criteria_set.is_national:
        keys += list(REGIONS.items())
    return keys


def export_sheet(criteria_set: CriteriaSet, known: list[Level], path: Path) -> int:
    """Write the sheet of ``criteria_set`` to ``path``; returns the number of indicators."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    keys = level_keys(criteria_set)
    headers = [
        "Bộ (set)",
        "Mã chỉ tiêu (indicator)",
        "Tiêu chí (criterion)",
        "Tên chỉ tiêu (name)",
        "Yêu cầu (requirement)",
    ]
    headers += [f"{label} ({key})" for key, label in keys]
    headers.append("Nguồn (source)")
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    by_indicator: dict[str, dict[str, Level]] = {}
    for level in known:
        by_indicator.setdefault(level.indicator, {})[level.key] = level
    count = 0
    for criterion in criteria_set.criteria:
        for indicator in criterion.indicators:
            filled = by_indicator.get(indicator.code, {})
            values = {t.key: t.value for t in indicator.shown_thresholds()}
            source = indicator.source if values else ""
            for key, level in filled.items():
                values[key] = level.value
                source = level.source
            row = [
                criteria_set.code,
                indicator.code,
                criterion.number,
                indicator.name,
                indicator.requirement,
            ]
            row += [values.get(key, "") for key, _ in keys]
            row.append(source)
            append_row(sheet, row)
            count += 1
    widths = [14, 12, 10, 40, 60] + [18] * len(keys) + [60]
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "F2"
    book.save(path)
    return count


SHEET_LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=2000, max_columns=40, max_cell=2000)


def _refused(error: FileRefused) -> SheetInvalid:
    column = get_column_letter(error.column) if error.column else "A"
    invalid = SheetInvalid([SheetError(error.row or 1, column, "refused: {reason}", {"reason": error.reason})])
    invalid.refused = error
    return invalid


def _content(data: bytes | Path) -> tuple[bytes, str]:
    if isinstance(data, bytes):
        return data, "sheet.xlsx"
    if data.stat().st_size > SHEET_LIMITS.max_bytes:
        raise _refused(FileRefused("too_big", limit=SHEET_LIMITS.max_bytes))
    return data.read_bytes(), data.name


def read_sheet(data: bytes | Path, catalog: Catalog) -> tuple[str, list[Level]]:
    """The set code and the levels of a filled sheet; :class:`SheetInvalid` lists every
    problem (row and column) when there is any. Read in this process, within
    :data:`SHEET_LIMITS` (the CLI uses :func:`load_sheet`, which reads in a child)."""
    content, name = _content(data)
    if not is_xlsx(content, name):
        raise SheetInvalid([SheetError(1, "A", NOT_XLSX)])
    try:
        rows = read_rows(content, name, SHEET_LIMITS, sheet=SHEET)
    except FileRefused as error:
        raise _refused(error) from None
    return parse_sheet(rows, catalog)


async def load_sheet(data: bytes | Path, catalog: Catalog) -> tuple[str, list[Level]]:
    """:func:`read_sheet`, the file read off the event loop with a memory cap."""
    content, name = _content(data)
    if not is_xlsx(content, name):
        raise SheetInvalid([SheetError(1, "A", NOT_XLSX)])
    try:
        rows = await read_table(content, name, SHEET_LIMITS, sheet=SHEET)
    except FileRefused as error:
        raise _refused(error) from None
    return parse_sheet(rows, catalog)


def parse_sheet(rows: list[list[str]], catalog: Catalog) -> tuple[str, list[Level]]:
    """Validate the rows of a filled sheet (cells as text)."""
    errors: list[SheetError] = []
    if not rows:
        raise SheetInvalid([SheetError(1, "A", N_("the sheet is empty"))])
    header = ["" if h is None else str(h) for h in rows[0]]
    if len(header) < len(FIXED) + 2:
        raise SheetInvalid(
            [
                SheetError(
                    1,
                    "A",
                    N_("missing columns: export a fresh sheet with `villagebot criteria export`"),
                )
            ]
        )
    level_columns: list[tuple[int, str]] = []
    for col in range(len(FIXED), len(header) - 1):
        match = _KEY_RE.search(header[col])
        if match is None:
            errors.append(
                SheetError(
                    1, get_column_letter(col + 1), N_("header {header} names no level key"),
                    {"header": repr(header[col])},
                )
            )
            continue
        level_columns.append((col, match.group(1)))
    source_col = len(header) - 1
    if (
        not _KEY_RE.search(header[source_col])
        or _KEY_RE.search(header[source_col]).group(1) != "source"
    ):
        errors.append(
            SheetError(1, get_column_letter(source_col + 1), N_("the last column must be the source"))
        )
    set_code = None
    criteria_set = None
    levels: list[Level] = []
    seen: set[str] = set()
    for r, raw in enumerate(rows[1:], start=2):
        cells = ["" if v is None else str(v).strip() for v in raw] + [""] * len(header)
        if not any(cells):
            continue
        code = cells[0]
        if set_code is None:
            set_code = code
            try:
                criteria_set = catalog.get(code)
            except KeyError:
                errors.append(SheetError(r, "A", N_("unknown criteria set {code}"), {"code": repr(code)}))
                break
            allowed = {key for key, _ in level_keys(criteria_set)}
            for col, key in level_columns:
                if key not in allowed:
                    errors.append(
                        SheetError(
                            1,
                            get_column_letter(col + 1),
                            N_("level key {key} does not apply to {code}"),
                            {"key": repr(key), "code": code},
                        )
                    )
        elif code != set_code:
            errors.append(
                SheetError(
                    r, "A", N_("every row must be of set {expected}, not {code}"),
                    {"expected": repr(set_code), "code": repr(code)},
                )
            )
            continue
        indicator_code = cells[1]
        known = {i.code for c in criteria_set.criteria for i in c.indicators}
        if indicator_code not in known:
            errors.append(
                SheetError(
                    r, "B", N_("unknown indicator {indicator} in {code}"),
                    {"indicator": repr(indicator_code), "code": set_code},
                )
            )
            continue
        if indicator_code in seen:
            errors.append(
                SheetError(r, "B", N_("indicator {indicator} appears twice"), {"indicator": repr(indicator_code)})
            )
            continue
        seen.add(indicator_code)
        source = cells[source_col]
        filled = [(col, key, cells[col]) for col, key in level_columns if cells[col]]
        if filled and not source:
            errors.append(
                SheetError(
                    r,
                    get_column_letter(source_col + 1),
                    N_("a level needs its source (document and article, or a link)"),
                )
            )
        if len(source) > MAX_SOURCE:
            errors.append(
                SheetError(
                    r,
                    get_column_letter(source_col + 1),
                    N_("source longer than {limit} characters"),
                    {"limit": MAX_SOURCE},
                )
            )
        for col, key, value in filled:
            if len(value) > MAX_VALUE:
                errors.append(
                    SheetError(
                        r, get_column_letter(col + 1), N_("level longer than {limit} characters"),
                        {"limit": MAX_VALUE},
                    )
                )
                continue
            if source:
                levels.append(Level(set_code, indicator_code, key, value, source))
    if set_code is None and not errors:
        errors.append(SheetError(2, "A", N_("no indicator rows")))
    if errors:
        raise SheetInvalid(errors)
    assert set_code is not None
    return set_code, levels
