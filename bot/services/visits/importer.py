"""The household sheet secretaries already keep (XLSX or CSV), imported into a
village: ``villagebot import households FILE --village CODE``.

Columns (header names matched without diacritics or case): Mã hộ, Chủ hộ, Địa chỉ,
Tổ liên gia, Diện hộ (nghèo / cận nghèo / chính sách / không, several separated by
commas), Số điện thoại, Đảng viên phụ trách (the member's name or phone). Every row
is checked first; one bad row and nothing is written, unless ``skip_bad``. Importing
the same sheet again changes nothing (households are keyed by village and code; an
empty member cell leaves the assignment alone)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.services.phone import normalize_phone
from bot.services.safefiles import FileRefused, Limits, read_table
from bot.services.vntext import fold

COLUMNS = {
    "code": "ma ho",
    "head": "chu ho",
    "address": "dia chi",
    "cluster": "to lien gia",
    "category": "dien ho",
    "phone": "so dien thoai",
    "member": "dang vien phu trach",
}
REQUIRED = ("code", "head")
CATEGORIES = {
    "ngheo": "poor",
    "ho ngheo": "poor",
    "can ngheo": "near_poor",
    "ho can ngheo": "near_poor",
    "chinh sach": "policy",
    "gia dinh chinh sach": "policy",
    "khong": None,
    "": None,
}
MAX_ROWS = 20000


class SheetError(ValueError):
    """The file cannot be read as a household sheet at all (one line)."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int  # the row number in the sheet (the header is row 1)
    cells: dict[str, str]


@dataclass(frozen=True, slots=True)
class Refused:
    number: int
    code: str
    reason: str


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    refused: list[Refused] = field(default_factory=list)
    written: bool = False

    def lines(self) -> list[str]:
        out = [f"row {r.number} ({r.code or 'no code'}): {r.reason}" for r in self.refused]
        if self.written:
            out.append(
                f"{self.rows} rows: {self.created} households added, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.assigned} assignments changed, {len(self.refused)} refused"
            )
        else:
            out.append(
                f"{len(self.refused)} of {self.rows} rows refused: nothing was imported (use --skip-bad to import the good rows)"
            )
        return out


HOUSEHOLD_LIMITS = Limits(max_bytes=10 * 1024 * 1024, max_rows=MAX_ROWS + 200, max_columns=60)


async def load_sheet(path: Path) -> list[SheetRow]:
    """The household sheet at ``path``, read off the event loop within
    :data:`HOUSEHOLD_LIMITS`; raises :class:`FileRefused` or :class:`SheetError`."""
    rows = await read_table(_file_bytes(path), path.name, HOUSEHOLD_LIMITS)
    return parse_rows(rows, str(path))


def _file_bytes(path: Path) -> bytes:
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise SheetError(f"{path}: not an .xlsx or .csv file")
    try:
        if path.stat().st_size > HOUSEHOLD_LIMITS.max_bytes:
            raise FileRefused("too_big", limit=HOUSEHOLD_LIMITS.max_bytes)
        return path.read_bytes()
    except OSError as exc:
        raise SheetError(f"{path}: cannot be read ({exc.__class__.__name__})") from None


def parse_rows(raw: list[list[str]], source: str = "sheet") -> list[SheetRow]:
    if not raw:
        raise SheetError(f"{source}: the sheet is empty")
    header = {fold(name): index for index, name in enumerate(raw[0]) if name}
    columns = {key: header.get(name) for key, name in COLUMNS.items()}
    missing = [COLUMNS[key] for key in REQUIRED if columns[key] is None]
    if missing:
        raise SheetError(
            f"{source}: the header row has no column {', '.join(missing)} (Mã hộ, Chủ hộ)"
        )
    if len(raw) - 1 > MAX_ROWS:
        raise SheetError(f"{source}: more than {MAX_ROWS} rows")
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(values):
            continue
        cells = {
            key: (values[index] if index is not None and index < len(values) else "")
            for key, index in columns.items()
        }
        rows.append(SheetRow(number, cells))
    return rows


@dataclass(frozen=True, slots=True)
class HouseholdValues:
    code: str
    head_name: str
    address: str
    cluster: str
    poor: bool
    near_poor: bool
    policy: bool
    phone: str | None
    member_id: int | None


def _category(text: str) -> set[str] | None:
    flags = set()
    for part in text.replace(";", ",").replace("/", ",").split(","):
        key = fold(part)
        if key not in CATEGORIES:
            return None
        if CATEGORIES[key]:
            flags.add(CATEGORIES[key])
    return flags


def check_rows(
    rows: list[SheetRow], members: list[Any]
) -> tuple[list[tuple[SheetRow, HouseholdValues]], list[Refused]]:
    """Validate every row against the branch's members; (good rows, refused rows)."""
    by_name: dict[str, list[Any]] = {}
    by_phone = {}
    for member in members:
        by_name.setdefault(fold(member.name), []).append(member)
        by_phone[member.phone] = member
    good, refused, seen = [], [], {}
    for row in rows:
        cells = row.cells
        code = cells["code"][:64]
        reasons = []
        if not code:
            reasons.append("Mã hộ is empty")
        elif code in seen:
            reasons.append(f"Mã hộ {code} repeats row {seen[code]}")
        if not cells["head"]:
            reasons.append("Chủ hộ is empty")
        flags = _category(cells["category"])
        if flags is None:
            reasons.append(
                f"Diện hộ {cells['category']!r} is not nghèo, cận nghèo, chính sách or không"
            )
        phone = None
        if cells["phone"]:
            phone = normalize_phone(cells["phone"])
            if phone is None:
                reasons.append(f"Số điện thoại {cells['phone']!r} is not a phone number")
        member_id = None
        if cells["member"]:
            member_phone = normalize_phone(cells["member"])
            named = by_name.get(fold(cells["member"]), [])
            if member_phone and member_phone in by_phone:
                member_id = by_phone[member_phone].id
            elif len(named) == 1:
                member_id = named[0].id
            elif len(named) > 1:
                reasons.append(
                    f"Đảng viên phụ trách {cells['member']!r} names several members: use the phone"
                )
            else:
                reasons.append(
                    f"Đảng viên phụ trách {cells['member']!r} is not a member of this branch"
                )
        if code and code not in seen:
            seen[code] = row.number
        if reasons:
            refused.append(Refused(row.number, code, "; ".join(reasons)))
            continue
        assert flags is not None
        good.append(
            (
                row,
                HouseholdValues(
                    code=code,
                    head_name=cells["head"][:200],
                    address=cells["address"][:300],
                    cluster=cells["cluster"][:120],
                    poor="poor" in flags,
                    near_poor="near_poor" in flags,
                    policy="policy" in flags,
                    phone=phone,
                    member_id=member_id,
                ),
            )
        )
    return good, refused


async def import_households(
    repo: Any, village_id: int, rows: list[SheetRow], *, skip_bad: bool, today: date
) -> ImportReport:
    branch = await repo.visits.branch_of_village(village_id)
    members = await repo.visits.members_of_branch(branch.id) if branch else []
    good, refused = check_rows(rows, members)
    report = ImportReport(rows=len(rows), refused=refused)
    if refused and not skip_bad:
        return report
    existing = {h.code: h for h in await repo.households.of_village(village_id)}
    current = dict((h.id, m) for h, m in await repo.visits.village_roster(village_id))
    for _row, values in good:
        fields = {
            "head_name": values.head_name,
            "address": values.address,
            "cluster": values.cluster,
            "poor": values.poor,
            "near_poor": values.near_poor,
            "policy": values.policy,
            "phone": values.phone,
        }
        before = existing.get(values.code)
        if before is None:
            report.created += 1
        elif any(getattr(before, key) != value for key, value in fields.items()):
            report.updated += 1
        else:
            report.unchanged += 1
        household = await repo.org.household(village_id, values.code, **fields)
        if values.member_id is not None and current.get(household.id) != values.member_id:
            await repo.visits.assign(household.id, values.member_id)
            report.assigned += 1
    await repo.visits.ensure_plans(today, village_id=village_id)
    report.written = True
    return report
