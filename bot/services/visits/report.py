"""The monthly coverage report for the branch meeting: visited ÷ due per member, the
overdue list and the needs raised, as text, a chart (PNG) and a workbook (XLSX).
``_`` is the gettext of the reader's language; user-written text is escaped."""

from __future__ import annotations

import calendar
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.services.authz import Action, Actor
from bot.services.markup import esc
from bot.services.visits.domain import days_late

Gettext = Callable[[str], str]


@dataclass(slots=True)
class MemberCoverage:
    member_id: int
    name: str
    due: int = 0
    visited: int = 0

    @property
    def ratio(self) -> float:
        return self.visited / self.due if self.due else 1.0


@dataclass(frozen=True, slots=True)
class OverdueLine:
    code: str
    head_name: str
    member_name: str
    due_on: date
    days_late: int


@dataclass(frozen=True, slots=True)
class NeedLine:
    need_id: int
    code: str
    head_name: str
    kind: str
    note: str
    state: str
    raised_on: date


@dataclass(slots=True)
class CoverageReport:
    village_name: str
    month: date  # the first day of the month
    members: list[MemberCoverage] = field(default_factory=list)
    overdue: list[OverdueLine] = field(default_factory=list)
    needs: list[NeedLine] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(m.due for m in self.members)

    @property
    def visited(self) -> int:
        return sum(m.visited for m in self.members)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


async def build_report(repo: Any, village_id: int, month: date, today: date) -> CoverageReport:
    """A household counts as due in the month when it was visited in it or its next
    visit falls on or before the month's last day; visited when a visit was recorded
    in the month. No permission check: callers check (the planner sends to managers)."""
    first, last = month_bounds(month)
    village = await repo.places.village(village_id)
    report = CoverageReport(village_name=village.name if village else "", month=first)
    branch = await repo.visits.branch_of_village(village_id)
    members = await repo.visits.members_of_branch(branch.id) if branch else []
    coverage = {m.id: MemberCoverage(m.id, m.name) for m in members}
    visited_households = {
        v.household_id
        for v in await repo.visits.visits_between(village_id, first, last)
        if v.outcome == "visited"
    }
    for household, plan, member_id in await repo.visits.plans_of_village(village_id):
        if member_id not in coverage:
            continue
        visited = household.id in visited_households
        if visited or plan.due_on <= last:
            coverage[member_id].due += 1
            coverage[member_id].visited += visited
    report.members = sorted(coverage.values(), key=lambda m: (m.ratio, m.name))
    report.members = [m for m in report.members if m.due or m.visited]
    names = {m.id: m.name for m in members}
    for household, plan, member_id in await repo.visits.late_in_village(village_id, today):
        report.overdue.append(
            OverdueLine(
                household.code,
                household.head_name,
                names.get(member_id, "?"),
                plan.due_on,
                days_late(plan.due_on, today),
            )
        )
    since = datetime.combine(first, datetime.min.time(), tzinfo=UTC) - timedelta(days=1)
    for need, household in await repo.visits.needs_of_village(village_id, since=since):
        report.needs.append(
            NeedLine(
                need.id,
                household.code,
                household.head_name,
                need.kind,
                need.note,
                need.state,
                need.raised_at.date(),
            )
        )
    return report


async def report_for(
    repo: Any, actor: Actor, village_id: int, month: date, today: date
) -> CoverageReport:
    actor.require(Action.VIEW_VISIT_REPORT, village_id)
    return await build_report(repo, village_id, month, today)


def need_kind_label(kind: str, _: Gettext) -> str:
    return {
        "repair": _("house repair"),
        "livelihood": _("livelihood"),
        "health": _("health"),
        "paperwork": _("paperwork"),
        "other": _("other"),
    }.get(kind, kind)


def need_state_label(state: str, _: Gettext) -> str:
    return {"open": _("open"), "in_progress": _("in progress"), "resolved": _("resolved")}.get(
        state, state
    )


MAX_LINES = 25


def report_text(report: CoverageReport, _: Gettext) -> str:
    lines = [
        _("<b>Household visits, {month:%m/%Y}: {village}</b>").format(
            month=report.month, village=esc(report.village_name)
        ),
        _("Visited {visited} of {due} households due.").format(
            visited=report.visited, due=report.due
        ),
        "",
        _("<b>Per member</b> (visited ÷ due):"),
    ]
    if not report.members:
        lines.append(_("No visits were due."))
    for member in report.members[:MAX_LINES]:
        lines.append(f"• {esc(member.name)}: {member.visited}/{member.due}")
    lines += ["", _("<b>Overdue</b>: {count}").format(count=len(report.overdue))]
    for line in report.overdue[:MAX_LINES]:
        lines.append(
            _("• {code} {head} ({member}): {days} days late").format(
                code=esc(line.code),
                head=esc(line.head_name),
                member=esc(line.member_name),
                days=line.days_late,
            )
        )
    lines += ["", _("<b>Needs raised</b>: {count}").format(count=len(report.needs))]
    for need in report.needs[:MAX_LINES]:
        note = f": {esc(need.note[:80])}" if need.note else ""
        lines.append(
            f"• {esc(need.code)} {esc(need.head_name)}, "
            f"{need_kind_label(need.kind, _)} ({need_state_label(need.state, _)}){note}"
        )
    hidden = max(0, len(report.overdue) - MAX_LINES) + max(0, len(report.needs) - MAX_LINES)
    if hidden:
        lines.append(_("…and {count} more lines in the spreadsheet.").format(count=hidden))
    return "\n".join(lines)


def report_chart(report: CoverageReport, _: Gettext) -> bytes:
    """One bar per member, visited over due, sized for a phone (``bot.services.charts``):
    the legend below the bars, never over the last one's label."""
    from bot.services.charts import TRACK, Bar, bar_chart

    rows = report.members[:30]
    bars = [
        Bar(m.name, f"{m.visited}/{m.due}", ((m.visited / m.due if m.due else 1.0, VISITED),))
        for m in rows
    ] or [Bar(_("No visits were due."), "", ())]
    title = _("Visits {month:%m/%Y}: {visited}/{due}").format(
        month=report.month, visited=report.visited, due=report.due
    )
    return bar_chart(title, bars, ((TRACK, _("due")), (VISITED, _("visited"))))


VISITED = "#2e7d32"


def report_xlsx(report: CoverageReport, _: Gettext) -> bytes:
    """Three sheets for the branch meeting: coverage, overdue, needs."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from bot.services.safefiles import append_row

    workbook = Workbook()
    coverage = workbook.active
    coverage.title = _("Coverage")[:31]
    append_row(coverage, [_("Member"), _("Due"), _("Visited"), _("Coverage %")])
    for member in report.members:
        append_row(coverage, [member.name, member.due, member.visited, round(member.ratio * 100)])
    append_row(
        coverage,
        [
            _("Total"),
            report.due,
            report.visited,
            round(report.visited / report.due * 100) if report.due else 100,
        ],
    )
    overdue = workbook.create_sheet(_("Overdue")[:31])
    append_row(
        overdue,
        [_("Household code"), _("Head of household"), _("Member"), _("Due on"), _("Days late")],
    )
    for line in report.overdue:
        append_row(
            overdue, [line.code, line.head_name, line.member_name, line.due_on, line.days_late]
        )
    needs = workbook.create_sheet(_("Needs")[:31])
    append_row(
        needs,
        [
            _("Household code"),
            _("Head of household"),
            _("Need"),
            _("Note"),
            _("State"),
            _("Raised on"),
        ],
    )
    for need in report.needs:
        append_row(
            needs,
            [
                need.code,
                need.head_name,
                need_kind_label(need.kind, _),
                need.note,
                need_state_label(need.state, _),
                need.raised_on,
            ],
        )
    for sheet in (coverage, overdue, needs):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
