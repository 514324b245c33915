"""The household sheet as commune and village offices make it: a title (often merged
over the columns) and a date above the header, the header in the office's own words
("Họ và tên chủ hộ", "SĐT", "ĐV phụ trách", "Xóm"…), sometimes a row of column numbers
under it, a totals row and the signatures at the bottom.

:func:`parse_rows` finds the header among the first rows, maps its columns, keeps the
household rows and counts what it ignored (blank rows, column numbers, totals,
signatures and everything under them). A column the sheet does not have is simply
absent from every row: the import then leaves that field alone."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.services.safefiles import FileRefused, Limits, column_letter, read_table
from bot.services.vntext import fold

Gettext = Callable[[str], str]

# Wordings per field, matched on the folded cell (no diacritics, lower case, words);
# the first field whose wording the cell is, or begins with, wins.
HEADERS: dict[str, tuple[str, ...]] = {
    "member": ("dang vien phu trach", "dv phu trach", "nguoi phu trach", "dang vien theo doi"),
    "code": ("ma ho", "ma so ho", "ma hgd", "ma ho gia dinh", "so ho"),
    "head": ("ho va ten chu ho", "ho ten chu ho", "ten chu ho", "chu ho", "ho va ten", "ho ten"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "dt"),
    "category": ("dien ho", "doi tuong", "phan loai ho", "loai ho"),
    "cluster": ("to lien gia", "to dan cu", "to", "xom", "thon xom"),
    "address": ("dia chi", "so nha", "noi o"),
}
# How the fields are called in messages, as offices call them.
NAMES = {
    "code": "Mã hộ",
    "head": "Chủ hộ",
    "address": "Địa chỉ",
    "cluster": "Tổ",
    "category": "Diện hộ",
    "phone": "Số điện thoại",
    "member": "Đảng viên phụ trách",
}
REQUIRED = ("code", "head")
HEADER_SCAN = 15
MAX_ROWS = 20000
HOUSEHOLD_LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=MAX_ROWS + 200, max_columns=60)
_END = (
    "tong", "tong cong", "cong", "nguoi lap", "nguoi lap bieu", "truong thon", "bi thu",
    "xac nhan", "ky ten", "ky ghi ro", "chu tich", "can bo", "ngay thang nam", "t m",
)  # fmt: skip


class SheetError(ValueError):
    """The file cannot be read as a household sheet at all: ``key`` and its values,
    one line through :meth:`text`."""

    def __init__(self, source: str, key: str, **values: object) -> None:
        super().__init__(key)
        self.source = source
        self.key = key
        self.values = values

    def text(self, _: Gettext) -> str:
        messages = {
            "type": _("not an .xlsx or .csv file"),
            "unreadable": _("the file cannot be read"),
            "empty": _("the sheet is empty"),
            "no_header": _(
                "no header row with the columns {needed} in the first {scan} rows (found: {found})"
            ),
            "too_many": _("more than {limit} households"),
        }
        values = {"needed": "Mã hộ, Chủ hộ", "scan": HEADER_SCAN, **self.values}
        return f"{self.source}: " + messages.get(self.key, self.key).format(**values)

    def __str__(self) -> str:
        return self.text(lambda text: text)


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # the row number as Excel shows it
    cells: dict[str, str]  # only the fields whose column the sheet has


@dataclass(slots=True)
class Sheet:
    rows: list[SheetRow]
    headers: dict[str, str] = field(default_factory=dict)  # field -> the sheet's header text
    letters: dict[str, str] = field(default_factory=dict)  # field -> column letter ("C")
    ignored: int = 0  # blank, numbering, totals and signature rows

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def absent(self) -> list[str]:
        return [key for key in NAMES if key not in self.headers]


def _words(cell: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(cell)).split())


def header_field(cell: str) -> str | None:
    words = _words(cell)
    if not words:
        return None
    for key, names in HEADERS.items():
        if any(words == name or words.startswith(name + " ") for name in names):
            return key
    return None


def _columns(row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = header_field(cell)
        if key and key not in columns:
            columns[key] = index
    return columns


def _is_numbering(values: list[str]) -> bool:
    """The row of column numbers some offices put under the header: (1) (2) (3) or A B C."""
    cells = [v for v in values if v]
    return bool(cells) and all(re.fullmatch(r"\(?\d{1,2}\)?|[A-Z]", v) for v in cells)


def _is_end(values: list[str]) -> bool:
    first = next((v for v in values if v), "")
    return _words(first) in _END or any(_words(first).startswith(e + " ") for e in _END[:8])


def parse_rows(raw: list[list[str]], source: str = "sheet") -> Sheet:
    if not any(any(row) for row in raw):
        raise SheetError(source, "empty")
    best: dict[str, int] = {}
    header = -1
    for index, row in enumerate(raw[:HEADER_SCAN]):
        columns = _columns(row)
        if all(key in columns for key in REQUIRED):
            header, best = index, columns
            break
        if len(columns) > len(best):
            best = columns
    if header < 0:
        found = ", ".join(NAMES[key] for key in best) or "—"
        raise SheetError(source, "no_header", found=found)
    sheet = Sheet(
        [],
        {key: raw[header][index] for key, index in best.items()},
        {key: column_letter(index + 1) for key, index in best.items()},
    )
    ended = False
    for number, values in enumerate(raw[header + 1 :], start=header + 2):
        if ended or not any(values) or _is_numbering(values) or _is_end(values):
            ended = ended or (any(values) and _is_end(values))
            sheet.ignored += 1
            continue
        cells = {key: (values[index] if index < len(values) else "") for key, index in best.items()}
        if not cells.get("code") and not cells.get("head"):
            sheet.ignored += 1  # a note or a stray cell beside the table
            continue
        sheet.rows.append(SheetRow(number, cells))
    if len(sheet.rows) > MAX_ROWS:
        raise SheetError(source, "too_many", limit=MAX_ROWS)
    return sheet


async def load_sheet(path: Path) -> Sheet:
    """The household sheet at ``path``, read off the event loop within
    :data:`HOUSEHOLD_LIMITS`; raises :class:`FileRefused` or :class:`SheetError`."""
    rows = await read_table(_file_bytes(path), path.name, HOUSEHOLD_LIMITS)
    return parse_rows(rows, str(path))


def _file_bytes(path: Path) -> bytes:
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise SheetError(str(path), "type")
    try:
        if path.stat().st_size > HOUSEHOLD_LIMITS.max_bytes:
            raise FileRefused("too_big", limit=HOUSEHOLD_LIMITS.max_bytes)
        return path.read_bytes()
    except OSError:
        raise SheetError(str(path), "unreadable") from None
