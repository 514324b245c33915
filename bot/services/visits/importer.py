"""The household sheet secretaries already keep (XLSX or CSV), imported into a
village: ``villagebot import households FILE --village CODE``.

The sheet is read by :mod:`bot.services.visits.sheet` (the header found among the
first rows, the offices' wordings, totals and signatures ignored). Diện hộ is nghèo /
cận nghèo / chính sách / không, several separated by commas; Đảng viên phụ trách is
the member's name or phone. Every row is checked first; one bad row and nothing is
written, unless ``skip_bad``; each problem names its row and column as Excel shows
them. Importing the same sheet again changes nothing (households are keyed by village
and code). **A column the sheet does not have leaves that field as it is**, and an
empty member cell leaves the assignment alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.services.phone import normalize_phone
from bot.services.visits.sheet import (
    HOUSEHOLD_LIMITS,
    MAX_ROWS,
    NAMES,
    Gettext,
    Sheet,
    SheetError,
    SheetRow,
    load_sheet,
    parse_rows,
)
from bot.services.vntext import fold

__all__ = [
    "HOUSEHOLD_LIMITS",
    "MAX_ROWS",
    "ImportReport",
    "Refused",
    "Sheet",
    "SheetError",
    "SheetRow",
    "check_rows",
    "import_households",
    "load_sheet",
    "parse_rows",
]

# What the error names as the accepted words (the sheet's own language, Vietnamese).
CATEGORY_WORDS = "nghèo, cận nghèo, chính sách, không"
CATEGORIES = {
    "ngheo": "poor",
    "ho ngheo": "poor",
    "can ngheo": "near_poor",
    "ho can ngheo": "near_poor",
    "chinh sach": "policy",
    "gia dinh chinh sach": "policy",
    "ho chinh sach": "policy",
    "nguoi co cong": "policy",
    "thuong binh": "policy",
    "benh binh": "policy",
    "liet si": "policy",
    "gia dinh liet si": "policy",
    "khong": None,
    "kha": None,
    "ho kha": None,
    "trung binh": None,
    "ho trung binh": None,
    "binh thuong": None,
    "ho binh thuong": None,
    "-": None,
    "": None,
}


@dataclass(frozen=True, slots=True)
class Problem:
    key: str  # empty | repeats | category | phone | several | stranger
    field: str  # code | head | category | phone | member
    value: str = ""
    row: int = 0  # for "repeats": the first row with that code


@dataclass(frozen=True, slots=True)
class Refused:
    number: int
    code: str
    problems: tuple[Problem, ...]
    headers: tuple[tuple[str, str], ...] = ()  # field -> header text, as in the sheet
    letters: tuple[tuple[str, str], ...] = ()  # field -> column letter

    def text(self, _: Gettext) -> str:
        headers, letters = dict(self.headers), dict(self.letters)
        parts = []
        for problem in self.problems:
            header = headers.get(problem.field) or NAMES[problem.field]
            messages = {
                "empty": _("{header} is empty"),
                "repeats": _("{header} {value} repeats row {row}"),
                "category": _("{header} “{value}” is none of the categories the sheet may use: {choices}"),
                "phone": _("{header} “{value}” is not a phone number"),
                "several": _("{header} “{value}” names several members: use the phone"),
                "stranger": _("{header} “{value}” is not a member of this branch"),
            }
            problem_text = messages[problem.key].format(
                header=header, value=problem.value, row=problem.row, choices=CATEGORY_WORDS
            )
            parts.append(
                _("row {row}, column {column}: {problem}").format(
                    row=self.number, column=letters.get(problem.field, "?"), problem=problem_text
                )
            )
        return "; ".join(parts)

    @property
    def reason(self) -> str:
        return self.text(lambda text: text)


@dataclass(slots=True)
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    assigned: int = 0
    ignored: int = 0
    absent: list[str] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    written: bool = False

    def lines(self, _: Gettext = lambda text: text) -> list[str]:
        out = [r.text(_) for r in self.refused]
        if self.ignored:
            out.append(
                _("{count} rows ignored (blank, totals, signatures)").format(count=self.ignored)
            )
        if self.absent:
            out.append(
                _("Columns not in the sheet, left unchanged: {columns}").format(
                    columns=", ".join(NAMES[key] for key in self.absent)
                )
            )
        if self.written:
            out.append(
                _(
                    "{rows} rows: {created} households added, {updated} updated, {unchanged} unchanged, {assigned} assignments changed, {refused} refused"
                ).format(
                    rows=self.rows,
                    created=self.created,
                    updated=self.updated,
                    unchanged=self.unchanged,
                    assigned=self.assigned,
                    refused=len(self.refused),
                )  # fmt: skip
            )
        else:
            out.append(
                _(
                    "{refused} of {rows} rows refused: nothing was imported (use --skip-bad to import the good rows)"
                ).format(refused=len(self.refused), rows=self.rows)
            )
        return out


def _category(text: str) -> set[str] | None:
    flags = set()
    for part in text.replace(";", ",").replace("/", ",").split(","):
        key = fold(part)
        if key not in CATEGORIES:
            return None
        if CATEGORIES[key]:
            flags.add(CATEGORIES[key])
    return flags


def _member(text: str, by_name: dict[str, list[Any]], by_phone: dict[str, Any]) -> int | str:
    """The member's id, or why the cell names nobody ("several" | "stranger")."""
    member_phone = normalize_phone(text)
    named = by_name.get(fold(text), [])
    if member_phone and member_phone in by_phone:
        return int(by_phone[member_phone].id)
    if len(named) == 1:
        return int(named[0].id)
    return "several" if len(named) > 1 else "stranger"


def _values(row: SheetRow, by_name: dict[str, list[Any]], by_phone: dict[str, Any]) -> tuple[dict[str, Any], int | None, list[Problem]]:  # fmt: skip
    """The household's fields from the columns the sheet has (absent ones stay out)."""
    cells, problems = row.cells, []
    fields: dict[str, Any] = {}
    if not cells.get("head"):
        problems.append(Problem("empty", "head"))
    fields["head_name"] = cells.get("head", "")[:200]
    if "address" in cells:
        fields["address"] = cells["address"][:300]
    if "cluster" in cells:
        fields["cluster"] = cells["cluster"][:120]
    if "category" in cells:
        flags = _category(cells["category"])
        if flags is None:
            problems.append(Problem("category", "category", cells["category"]))
        else:
            fields.update(poor="poor" in flags, near_poor="near_poor" in flags)
            fields["policy"] = "policy" in flags
    if "phone" in cells:
        phone = normalize_phone(cells["phone"]) if cells["phone"] else None
        if cells["phone"] and phone is None:
            problems.append(Problem("phone", "phone", cells["phone"]))
        fields["phone"] = phone
    member_id = None
    if cells.get("member"):
        found = _member(cells["member"], by_name, by_phone)
        if isinstance(found, str):
            problems.append(Problem(found, "member", cells["member"]))
        else:
            member_id = found
    return fields, member_id, problems


def check_rows(
    rows: Sheet | list[SheetRow], members: list[Any]
) -> tuple[list[tuple[SheetRow, str, dict[str, Any], int | None]], list[Refused]]:
    """Validate every row against the branch's members; (good rows, refused rows)."""
    by_name: dict[str, list[Any]] = {}
    by_phone = {}
    for member in members:
        by_name.setdefault(fold(member.name), []).append(member)
        by_phone[member.phone] = member
    headers = tuple(getattr(rows, "headers", {}).items())
    letters = tuple(getattr(rows, "letters", {}).items())
    good, refused, seen = [], [], {}
    for row in rows:
        code = row.cells.get("code", "")[:64]
        problems = []
        if not code:
            problems.append(Problem("empty", "code"))
        elif code in seen:
            problems.append(Problem("repeats", "code", code, seen[code]))
        fields, member_id, more = _values(row, by_name, by_phone)
        problems += more
        if code and code not in seen:
            seen[code] = row.number
        if problems:
            refused.append(Refused(row.number, code, tuple(problems), headers, letters))
            continue
        good.append((row, code, fields, member_id))
    return good, refused


async def import_households(
    repo: Any, village_id: int, rows: Sheet | list[SheetRow], *, skip_bad: bool, today: date
) -> ImportReport:
    branch = await repo.visits.branch_of_village(village_id)
    members = await repo.visits.members_of_branch(branch.id) if branch else []
    good, refused = check_rows(rows, members)
    report = ImportReport(
        rows=len(rows),
        refused=refused,
        ignored=getattr(rows, "ignored", 0),
        absent=list(getattr(rows, "absent", [])),
    )
    if refused and not skip_bad:
        return report
    existing = {h.code: h for h in await repo.households.of_village(village_id)}
    current = dict((h.id, m) for h, m in await repo.visits.village_roster(village_id))
    for _row, code, fields, member_id in good:
        before = existing.get(code)
        if before is None:
            report.created += 1
        elif any(getattr(before, key) != value for key, value in fields.items()):
            report.updated += 1
        else:
            report.unchanged += 1
        household = await repo.org.household(village_id, code, **fields)
        if member_id is not None and current.get(household.id) != member_id:
            await repo.visits.assign(household.id, member_id)
            report.assigned += 1
    await repo.visits.ensure_plans(today, village_id=village_id)
    report.written = True
    return report
