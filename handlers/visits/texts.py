"""Texts of household visits: the household card, the public part, the schedule."""

from __future__ import annotations

from datetime import date

from aiogram.utils.i18n import gettext as _

from bot.services.markup import esc
from bot.services.visits.domain import Cadence
from bot.services.visits.service import HouseholdView, ScheduleItem


def checklist_label(item: str) -> str:
    return {
        "housing": _("Housing"),
        "health": _("Health"),
        "schooling": _("Children's schooling"),
        "income": _("Work and income"),
        "insurance": _("Health insurance"),
    }.get(item, item)


def category_text(flags: list[str]) -> str:
    names = {"poor": _("poor"), "near_poor": _("near-poor"), "policy": _("policy family")}
    return ", ".join(names[f] for f in flags) or _("other")


def cadence_text(cadence: Cadence | None) -> str:
    return {Cadence.MONTHLY: _("monthly"), Cadence.QUARTERLY: _("every quarter")}.get(cadence, "")  # type: ignore[arg-type]


def card_text(view: HouseholdView) -> str:
    """The full card: only for the assigned member and the branch committee."""
    household = view.household
    lines = [f"🏠 <b>{esc(household.code)} – {esc(household.head_name)}</b>"]
    if household.address:
        lines.append(_("Address: {address}").format(address=esc(household.address)))
    if household.cluster:
        lines.append(_("Cluster: {cluster}").format(cluster=esc(household.cluster)))
    lines.append(_("Category: {category}").format(category=category_text(household.flags)))
    if household.phone:
        lines.append(_("Phone: {phone}").format(phone=esc(household.phone)))
    lines.append(
        _("Visited by: {member}").format(member=esc(view.member_name or _("nobody yet")))
    )
    if view.plan is not None:
        lines.append(
            _("Next visit: {day:%d/%m/%Y} ({cadence})").format(
                day=view.plan.due_on, cadence=cadence_text(view.cadence)
            )
        )
    if view.last_visit is not None:
        note = esc(view.last_visit.note[:300]) if view.last_visit.note else _("no notes")
        lines.append(
            _("Last visit {day:%d/%m/%Y}: {note}").format(day=view.last_visit.visited_on, note=note)
        )
    else:
        lines.append(_("Not visited yet."))
    return "\n".join(lines)


def public_text(view: HouseholdView) -> str:
    """What anybody scanning the house's QR code sees."""
    lines = [
        _("🏠 A household of <b>{village}</b>.").format(village=esc(view.village_name))
    ]
    if view.member_name:
        lines.append(
            _("The party member who looks after this household: <b>{member}</b>.").format(
                member=esc(view.member_name)
            )
        )
    else:
        lines.append(_("No party member looks after this household yet."))
    return "\n".join(lines)


def schedule_text(items: list[ScheduleItem], today: date) -> str:
    if not items:
        return _("No households are assigned to you yet. Your branch secretary assigns them.")
    lines = [_("<b>My households</b> ({count}):").format(count=len(items))]
    for item in items:
        code = esc(item.household.code)
        head = esc(item.household.head_name)
        if item.days_late:
            status = _("⏰ {days} days overdue").format(days=item.days_late)
        elif item.due_on == today:
            status = _("📍 due today")
        else:
            status = _("next visit {day:%d/%m}").format(day=item.due_on)
        lines.append(f"• <b>{code}</b> {head}: {status}")
    return "\n".join(lines)
