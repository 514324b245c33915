"""Visit reminders, overdue notices, need notices and the monthly report, as the
delivery engine's planners and renderers (``bot/delivery/contract.py``).

What can go wrong, and why it holds:
- *A planner runs twice, or in two processes at once.* Every delivery carries a
  dedupe key naming what it is about (member, day, slot; or the exact set of late
  households), so the second enqueue is refused by the outbox's unique key.
- *The bot was down when a reminder was due.* Planners queue slots already past as
  long as they are the latest for their day (``slots_to_plan``): the engine sends
  them once after the restart; an evening reminder is dropped once that day's
  morning reminder is due, so nobody gets both late.
- *The visit is reported (or snoozed) between planning and sending.* Renderers read
  the household's plan at send time and list only households still due that day;
  when none is left they return None and the row is skipped.
- *Five households due the same day.* One delivery per member per day and slot,
  listing all of them.
- *Privacy.* Reminders go to the assigned member's private chat, notices about
  needs and overdue households only to the branch secretary and deputies.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from bot.delivery.contract import (
    Attachment,
    Choice,
    Delivery,
    KindSpec,
    OutgoingMessage,
    PlanContext,
    PlannerSpec,
    Priority,
    Recipient,
    RenderContext,
)
from bot.services.markup import esc
from bot.services.visits.domain import (
    ESCALATE_AFTER_DAYS,
    MORNING,
    NUDGE_AFTER_DAYS,
    at_local,
    days_late,
    local_today,
    reminder_slots,
    slot_is_over,
    slots_to_plan,
)
from bot.services.visits.report import (
    build_report,
    need_kind_label,
    report_chart,
    report_text,
    report_xlsx,
)

REMINDER = "visit.reminder"
OVERDUE = "visit.overdue"
ESCALATION = "visit.escalation"
NEED = "visit.need"
MONTHLY = "visit.monthly"
MONTHLY_XLSX = "visit.monthly_xlsx"

MONTHLY_GRACE_DAYS = 3  # a monthly report missed on the 1st (bot down) still goes out until the 3rd


def visit_callback(action: str, household_id: int) -> str:
    """Callback data of the visit buttons: the packing of ``handlers.visits.VisitCb``."""
    return f"vis:{action}:{household_id}"


def need_callback(state: str, need_id: int) -> str:
    """Callback data of the need buttons: the packing of ``handlers.visits.NeedCb``."""
    return f"vneed:{state}:{need_id}"


def _digest(ids: Iterable[int]) -> str:
    return format(zlib.crc32(",".join(map(str, sorted(ids))).encode()), "08x")


def visit_buttons(
    household_id: int, _: Any, code: str | None = None
) -> tuple[tuple[Choice, ...], ...]:
    """The rows of buttons for one household. With ``code`` (a message about several
    households) every button names its household: "✅ Visited" on a row of its own,
    then "📅 Later" and "🚫 Could not visit", so a narrow phone never cuts the code off."""
    done, later, cannot = (
        visit_callback("done", household_id),
        visit_callback("later", household_id),
        visit_callback("cannot", household_id),
    )
    if code is None:
        return (
            (
                Choice(_("✅ Visited"), done),
                Choice(_("📅 Later"), later),
                Choice(_("🚫 Could not visit"), cannot),
            ),
        )
    return (
        (Choice(_("✅ Visited {code}").format(code=code), done),),
        (
            Choice(_("📅 Later {code}").format(code=code), later),
            Choice(_("🚫 Could not visit {code}").format(code=code), cannot),
        ),
    )


# --- planners ----------------------------------------------------------------------------


async def plan_reminders(ctx: PlanContext) -> None:
    """The evening-before and morning-of reminders: one per member, day and slot. Set-wise:
    one read of the members not yet planned for the slot, then ``enqueue_all``."""
    for slot in slots_to_plan(ctx.now, ctx.timezone):
        day = slot.due_on.isoformat()
        members = await ctx.repo.visits.unplanned_due_members(slot.due_on, f"{REMINDER}:", f":{day}:{slot.slot}")
        await ctx.enqueue_all(
            (
                Delivery(
                    kind=REMINDER,
                    recipient=Recipient(user_id=user_id),
                    ref=f"member:{member_id}",
                    dedupe_key=f"{REMINDER}:{member_id}:{day}:{slot.slot}",
                    not_before=slot.not_before,
                    priority=Priority.REMINDER,
                    payload={"member_id": member_id, "due_on": day, "slot": slot.slot},
                )
                for member_id, user_id in members
            )
        )


async def plan_catch_up(ctx: PlanContext) -> None:
    """Every path that adds households gives them a plan (the org import, the
    household sheet, the secretary's screens). This daily run is the safety net for
    any that has none (for example imported by an older version an hour before an
    upgrade): a whole-country anti-join, so at start-up and once a day, never hourly
    (it cost 13 s a run with 25 M households)."""
    await ctx.repo.visits.ensure_plans(local_today(ctx.now, ctx.timezone))


def _morning(today: date, ctx: PlanContext) -> Any:
    return max(ctx.now, at_local(today, MORNING, ctx.timezone))


async def plan_overdue(ctx: PlanContext) -> None:
    """More than 3 days late: the member is nudged once per late visit (one message
    listing them); more than 7: the branch secretary and deputies are told once."""
    repo = ctx.repo
    today = local_today(ctx.now, ctx.timezone)
    not_before = _morning(today, ctx)
    late = await repo.visits.late_not_nudged(today - timedelta(days=NUDGE_AFTER_DAYS))
    by_member: dict[int, list[int]] = defaultdict(list)
    for row in late:
        by_member[row.member_id].append(row.household_id)
    members = await repo.visits.members_by_id(list(by_member))
    for member_id, household_ids in sorted(by_member.items()):
        member = members.get(member_id)
        if member is None or member.user_id is None:
            continue
        await ctx.enqueue(
            Delivery(
                kind=OVERDUE,
                recipient=Recipient(user_id=member.user_id),
                ref=f"member:{member_id}",
                dedupe_key=f"{OVERDUE}:{member_id}:{today.isoformat()}:{_digest(household_ids)}",
                not_before=not_before,
                priority=Priority.REMINDER,
                payload={"member_id": member_id, "household_ids": sorted(household_ids)},
            )
        )
    await repo.visits.mark_nudged([row.household_id for row in late])

    escalate = await repo.visits.late_not_escalated(today - timedelta(days=ESCALATE_AFTER_DAYS))
    by_branch: dict[int, list[int]] = defaultdict(list)
    for household_id, branch_id, _due in escalate:
        by_branch[branch_id].append(household_id)
    managers = await repo.visits.managers_by_branch(list(by_branch)) if by_branch else {}
    for branch_id, household_ids in sorted(by_branch.items()):
        for manager in managers.get(branch_id, []):
            await ctx.enqueue(
                Delivery(
                    kind=ESCALATION,
                    recipient=Recipient(user_id=manager.user_id),
                    ref=f"branch:{branch_id}",
                    dedupe_key=f"{ESCALATION}:{branch_id}:{manager.id}:{today.isoformat()}:{_digest(household_ids)}",
                    not_before=not_before,
                    priority=Priority.NOTICE,
                    payload={"branch_id": branch_id, "household_ids": sorted(household_ids)},
                )
            )
    await repo.visits.mark_escalated([household_id for household_id, _b, _d in escalate])


async def queue_need_notices(
    repo: Any, now: datetime, enqueue: Callable[[Delivery], Awaitable[bool]]
) -> int:
    """Queue a notice to the secretary and deputies for every need not yet notified,
    and mark those needs notified, in the caller's unit of work; returns how many
    needs. The visit report calls it so the notice leaves at once; the planner is the
    safety net (a report recorded by another path, a crash before the commit)."""
    pending = await repo.visits.unnotified_needs()
    managers_by_village: dict[int, list[Any]] = {}
    for need, household in pending:
        if household.village_id not in managers_by_village:
            branch = await repo.visits.branch_of_village(household.village_id)
            managers_by_village[household.village_id] = (
                await repo.visits.managers_of_branch(branch.id) if branch else []
            )
        for manager in managers_by_village[household.village_id]:
            await enqueue(
                Delivery(
                    kind=NEED,
                    recipient=Recipient(user_id=manager.user_id),
                    ref=f"need:{need.id}",
                    dedupe_key=f"{NEED}:{need.id}:{manager.id}",
                    not_before=now,
                    priority=Priority.NOTICE,
                    payload={"need_id": need.id},
                )
            )
    await repo.visits.mark_needs_notified([need.id for need, _h in pending], now)
    return len(pending)


async def plan_needs(ctx: PlanContext) -> None:
    """A need raised during a visit reaches the secretary and deputies at once."""
    await queue_need_notices(ctx.repo, ctx.now, ctx.enqueue)


async def plan_monthly(ctx: PlanContext) -> None:
    """The report of the month just ended, on the 1st at 07:00, to the secretary and
    deputies. Set-wise: one read of the managers whose report or spreadsheet is not
    queued yet, then ``enqueue_all`` (a run that finds the month planned writes nothing)."""
    today = local_today(ctx.now, ctx.timezone)
    if today.day > MONTHLY_GRACE_DAYS:
        return
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    not_before = at_local(today.replace(day=1), MORNING, ctx.timezone)
    kinds = (MONTHLY, MONTHLY_XLSX)
    managers = await ctx.repo.visits.unplanned_branch_managers(kinds, f":{month:%Y-%m}")
    await ctx.enqueue_all(
        [
            Delivery(
                kind=kind,
                recipient=Recipient(user_id=user_id),
                ref=f"branch:{branch_id}",
                dedupe_key=f"{kind}:{branch_id}:{member_id}:{month:%Y-%m}",
                not_before=not_before,
                priority=Priority.BULK,
                payload={"village_id": village_id, "month": month.isoformat()},
            )
            for branch_id, village_id, member_id, user_id in managers
            for kind in kinds
        ]
    )


# --- renderers ---------------------------------------------------------------------------


async def render_reminder(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    due_on = date.fromisoformat(payload["due_on"])
    evening, morning = reminder_slots(due_on, ctx.timezone)
    if slot_is_over(evening if payload.get("slot") == "evening" else morning, ctx.now):
        return None  # sent only near its hour (the bot was stopped until too late)
    rows = await ctx.repo.visits.due_for_member(int(payload["member_id"]), due_on)
    if not rows:
        return None
    if payload.get("slot") == "evening":
        head = _("🏠 Tomorrow ({day:%d/%m}) you are due to visit:").format(day=due_on)
    else:
        head = _("🏠 Today ({day:%d/%m}) you are due to visit:").format(day=due_on)
    lines = [head]
    choices = []
    for household, _plan in rows:
        lines.append("")
        lines.append(f"<b>{esc(household.code)} – {esc(household.head_name)}</b>")
        if household.address:
            lines.append(_("Address: {address}").format(address=esc(household.address)))
        last = await ctx.repo.visits.last_visit(household.id)
        if last is not None:
            note = esc(last.note[:200]) if last.note else _("no notes")
            lines.append(
                _("Last visit {day:%d/%m/%Y}: {note}").format(day=last.visited_on, note=note)
            )
        else:
            lines.append(_("Not visited yet."))
        choices.extend(visit_buttons(household.id, _, household.code if len(rows) > 1 else None))
    return OutgoingMessage(text="\n".join(lines), choices=tuple(choices))


async def render_overdue(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    today = local_today(ctx.now, ctx.timezone)
    wanted = set(payload["household_ids"])
    rows = [
        (h, p)
        for h, p in await ctx.repo.visits.late_of_member(
            int(payload["member_id"]), today - timedelta(days=NUDGE_AFTER_DAYS)
        )
        if h.id in wanted
    ]
    if not rows:
        return None
    lines = [_("⏰ These visits are overdue:")]
    for household, plan in rows:
        lines.append(
            _("• <b>{code} – {head}</b>: due {day:%d/%m}, {days} days late").format(
                code=esc(household.code),
                head=esc(household.head_name),
                day=plan.due_on,
                days=days_late(plan.due_on, today),
            )
        )
    choices = tuple(row for h, _p in rows for row in visit_buttons(h.id, _, h.code))
    return OutgoingMessage(text="\n".join(lines), choices=choices)


async def render_escalation(
    ctx: RenderContext, payload: Mapping[str, Any]
) -> OutgoingMessage | None:
    _ = ctx.gettext
    today = local_today(ctx.now, ctx.timezone)
    branch = next(
        (b for b in await ctx.repo.visits.all_branches() if b.id == int(payload["branch_id"])), None
    )
    if branch is None:
        return None
    wanted = set(payload["household_ids"])
    rows = [
        row
        for row in await ctx.repo.visits.late_in_village(
            branch.village_id, today - timedelta(days=ESCALATE_AFTER_DAYS)
        )
        if row[0].id in wanted
    ]
    if not rows:
        return None
    members = await ctx.repo.visits.members_by_id([m for _h, _p, m in rows])
    lines = [
        _("⚠️ Households not visited for more than {days} days after the due day:").format(
            days=ESCALATE_AFTER_DAYS
        )
    ]
    for household, plan, member_id in rows:
        lines.append(
            _("• {code} – {head} ({member}): {days} days late").format(
                code=esc(household.code),
                head=esc(household.head_name),
                member=esc(members[member_id].name if member_id in members else "?"),
                days=days_late(plan.due_on, today),
            )
        )
    return OutgoingMessage(text="\n".join(lines))


async def render_need(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    need = await ctx.repo.visits.need(int(payload["need_id"]))
    if need is None or need.state == "resolved":
        return None
    household = await ctx.repo.visits.household(need.household_id)
    member_id = await ctx.repo.visits.visitor_of(need.household_id)
    members = await ctx.repo.visits.members_by_id([member_id] if member_id else [])
    text = _("📌 Need raised at {code} – {head} ({member}): <b>{kind}</b>").format(
        code=esc(household.code),
        head=esc(household.head_name),
        member=esc(members[member_id].name if member_id in members else "?"),
        kind=need_kind_label(need.kind, _),
    )
    if need.note:
        text += "\n" + esc(need.note[:500])
    choices = (
        (
            Choice(_("🔧 In progress"), need_callback("in_progress", need.id)),
            Choice(_("✔️ Resolved"), need_callback("resolved", need.id)),
        ),
    )
    return OutgoingMessage(text=text, choices=choices)


async def render_monthly(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    report = await build_report(
        ctx.repo,
        int(payload["village_id"]),
        date.fromisoformat(payload["month"]),
        local_today(ctx.now, ctx.timezone),
    )
    return OutgoingMessage(
        text=report_text(report, ctx.gettext)[:4000],
        attachment=Attachment(
            kind="photo", content=report_chart(report, ctx.gettext), filename="visits.png"
        ),
    )


async def render_monthly_xlsx(
    ctx: RenderContext, payload: Mapping[str, Any]
) -> OutgoingMessage | None:
    month = date.fromisoformat(payload["month"])
    report = await build_report(
        ctx.repo, int(payload["village_id"]), month, local_today(ctx.now, ctx.timezone)
    )
    return OutgoingMessage(
        text=ctx.gettext(
            "Household visits {month:%m/%Y}: the spreadsheet for the branch meeting."
        ).format(month=month),
        attachment=Attachment(
            kind="document",
            content=report_xlsx(report, ctx.gettext),
            filename=f"tham-ho-{month:%Y-%m}.xlsx",
        ),
    )


def delivery_kinds() -> list[KindSpec]:
    return [
        KindSpec(REMINDER, render_reminder),
        KindSpec(OVERDUE, render_overdue),
        KindSpec(ESCALATION, render_escalation),
        KindSpec(NEED, render_need),
        KindSpec(MONTHLY, render_monthly),
        KindSpec(MONTHLY_XLSX, render_monthly_xlsx),
    ]


def planners() -> list[PlannerSpec]:
    return [
        PlannerSpec("visits.reminders", plan_reminders, every=timedelta(minutes=15)),
        PlannerSpec("visits.overdue", plan_overdue, every=timedelta(hours=1)),
        PlannerSpec("visits.plans", plan_catch_up, every=timedelta(days=1)),
        PlannerSpec("visits.needs", plan_needs, every=timedelta(minutes=1)),
        PlannerSpec("visits.monthly", plan_monthly, every=timedelta(hours=1)),
    ]
