"""What contributions hand to the delivery engine: kinds with their renderers, and
planners. Planners only enqueue; renderers read the rows again at send time, so a
reminder for a pledge paid meanwhile renders to nothing and is skipped.

Dedupe keys make every planner idempotent: running one twice, or on two processes,
queues nothing new. The board is edited in place: its first send stores the message
id (``on_sent``); later renders edit that message, and a new update is planned no
sooner than 10 minutes after the previous one, far under Telegram's edit limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery.contract import (
    Choice,
    Delivery,
    KindSpec,
    OutgoingMessage,
    PlanContext,
    PlannerSpec,
    Priority,
    Recipient,
    RenderContext,
    SentContext,
)
from bot.services.contributions import service
from bot.services.contributions.amounts import format_money, format_number
from bot.services.markup import esc
from bot.services.vntext import fold
from storage.models import CampaignStatus, ContributionKind, PledgeStatus, Role

REMINDER = "pledge.reminder"
WEEKLY = "contrib.weekly"
OVERDUE = "contrib.overdue"
BOARD = "contrib.board"
ANNOUNCE = "contrib.announce"
BOARD_EVERY = timedelta(minutes=10)
OWED = (PledgeStatus.PLEDGED, PledgeStatus.PARTLY_RECEIVED)


def stop_data(pledge_id: int) -> str:
    """Callback data of "Đừng nhắc nữa" (``handlers.contributions`` ``PledgeAction``)."""
    return f"dgp:stop:{pledge_id}"


def pledge_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=dg_{code}"


# The units the amount parser stores (Vietnamese), as English shows them; the material's
# own name is the resident's words and stays as typed.
ENGLISH_UNITS = {
    "ngay cong": "labour days", "m²": "m²", "khoi": "m³", "m3": "m³", "bao": "bags",
    "tan": "tonnes", "ta": "quintals", "kg": "kg", "vien": "pieces", "xe": "truckloads",
    "cay": "poles", "thanh": "bars", "lit": "litres", "thung": "boxes", "chuyen": "loads",
    "bo": "sets", "cai": "pieces", "tam": "sheets", "cuon": "rolls", "met": "m", "m": "m",
    "hop": "boxes", "can": "cans",
}  # fmt: skip


def unit_text(unit: str, locale: str) -> str:
    if locale.startswith("vi") or not unit:
        return unit
    return ENGLISH_UNITS.get(fold(unit) or unit, unit)


def amount_text(kind: str, amount: int, unit: str, material: str, locale: str) -> str:
    if kind == ContributionKind.MONEY:
        return format_money(amount, locale)
    text = f"{format_number(amount, locale)} {unit_text(unit, locale)}".strip()
    return f"{text} {material}".strip() if material else text


def board_text(board: service.Board, _: Callable[[str], str], locale: str) -> str:
    """The transparency board as HTML; shared by /congkhai and the group board."""
    campaign = board.campaign
    kind_names = kind_labels(_)
    lines = [f"<b>{esc(campaign.name)}</b>"]
    if campaign.purpose:
        lines.append(esc(campaign.purpose))
    lines.append(_("Until {date}").format(date=campaign.ends_on.strftime("%d/%m/%Y")))
    for line in board.kinds:
        pledged = esc(amount_text(line.kind, line.pledged, line.unit, "", locale))
        received = esc(amount_text(line.kind, line.received, line.unit, "", locale))
        text = _("{kind}: pledged {pledged}, received {received}").format(
            kind=kind_names.get(line.kind, line.kind), pledged=pledged, received=received
        )
        if line.goal:
            text += " · " + _("{percent}% of the goal {goal}").format(
                percent=line.percent_of_goal,
                goal=esc(amount_text(line.kind, line.goal, line.unit, "", locale)),
            )
        if line.received > line.pledged:
            text += " · " + _("more received than pledged")
        lines.append("• " + text)
    lines.append(_("Households taking part: {count}").format(count=board.households))
    if board.contributors:
        lines.append("")
        lines.append(
            _("Contributors:")
            if not board.full_view
            else _("All pledges (names private to the public are shown to you only):")
        )
        for person in board.contributors[:60]:
            number = f"#{person.pledge_id} " if board.full_view and person.pledge_id else ""
            lines.append(
                f"– {number}{esc(person.name)}: {esc(amount_text(person.kind, person.amount, person.unit, person.material, locale))}"
            )
        if len(board.contributors) > 60:
            lines.append(_("…and {count} more").format(count=len(board.contributors) - 60))
    if board.anonymous:
        lines.append(_("{count} pledges without a name shown").format(count=board.anonymous))
    return "\n".join(lines)


def kind_labels(_: Callable[[str], str]) -> dict[str, str]:
    return {
        ContributionKind.MONEY: _("💰 Money"),
        ContributionKind.LABOUR: _("🛠 Labour days"),
        ContributionKind.MATERIAL: _("🧱 Materials"),
        ContributionKind.LAND: _("🏞 Land"),
    }


def kind_words(_: Callable[[str], str]) -> dict[str, str]:
    """The kinds as words inside a sentence ("money, labour days")."""
    return {
        ContributionKind.MONEY: _("money"),
        ContributionKind.LABOUR: _("labour days"),
        ContributionKind.MATERIAL: _("materials"),
        ContributionKind.LAND: _("land"),
    }


# renderers


async def render_reminder(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    pledge = await ctx.repo.contributions.pledge(int(payload["pledge_id"]))
    if pledge is None or pledge.stop_reminders or pledge.status not in OWED:
        return None
    campaign = await ctx.repo.contributions.campaign(pledge.campaign_id)
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        return None
    owed = max(pledge.amount - pledge.received, 0)
    text = _(
        "🤝 A gentle reminder: you pledged {amount} to <b>{campaign}</b>, which ends on {date}. "
        "Still to give: {owed}. Thank you for your help!"
    ).format(
        amount=esc(
            amount_text(pledge.kind, pledge.amount, pledge.unit, pledge.material, ctx.locale)
        ),
        campaign=esc(campaign.name),
        date=campaign.ends_on.strftime("%d/%m/%Y"),
        owed=esc(amount_text(pledge.kind, owed, pledge.unit, pledge.material, ctx.locale)),
    )
    return OutgoingMessage(
        text=text, choices=((Choice(_("🔕 Stop reminding me"), data=stop_data(pledge.id)),),)
    )


async def render_weekly(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    campaign = await ctx.repo.contributions.campaign(int(payload["campaign_id"]))
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        return None
    summary = await service.board(ctx.repo, None, campaign)
    text = _("📒 Weekly summary for the treasurer") + "\n" + board_text(summary, _, ctx.locale)
    return OutgoingMessage(text=text)


async def render_overdue(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    campaign = await ctx.repo.contributions.campaign(int(payload["campaign_id"]))
    if campaign is None:
        return None
    overdue = await ctx.repo.contributions.overdue_pledges(campaign.id)
    if not overdue:
        return None
    lines = [
        _("⏰ <b>{campaign}</b> ended on {date}; {count} pledges are overdue:").format(
            campaign=esc(campaign.name),
            date=campaign.ends_on.strftime("%d/%m/%Y"),
            count=len(overdue),
        )
    ]
    for pledge in overdue[:50]:
        owed = max(pledge.amount - pledge.received, 0)
        lines.append(
            f"– #{pledge.id} {esc(pledge.contributor_name or '—')}: "
            + esc(amount_text(pledge.kind, owed, pledge.unit, pledge.material, ctx.locale))
        )
    return OutgoingMessage(text="\n".join(lines))


async def render_board(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    campaign = await ctx.repo.contributions.campaign(int(payload["campaign_id"]))
    if campaign is None or campaign.board_chat_id is None:
        return None
    summary = await service.board(ctx.repo, None, campaign)
    stamp = ctx.now.astimezone(ZoneInfo(ctx.timezone)).strftime("%H:%M %d/%m/%Y")
    text = (
        board_text(summary, ctx.gettext, ctx.locale)
        + "\n<i>"
        + _("Updated {time}").format(time=stamp)
        + "</i>"
    )
    return OutgoingMessage(text=text, edit_message_id=campaign.board_message_id)


async def board_sent(ctx: SentContext, payload: Mapping[str, Any]) -> None:
    await ctx.repo.contributions.set_board(
        int(payload["campaign_id"]), message_id=ctx.message_id, updated_at=ctx.now
    )


async def render_announcement(
    ctx: RenderContext, payload: Mapping[str, Any]
) -> OutgoingMessage | None:
    _ = ctx.gettext
    campaign = await ctx.repo.contributions.campaign(int(payload["campaign_id"]))
    if campaign is None or campaign.status != CampaignStatus.OPEN:
        return None
    words = kind_words(_)
    accepted = [words[g.kind] for g in await ctx.repo.contributions.goals(campaign.id) if g.kind in words]
    text = _(
        "📣 <b>{campaign}</b>\n{purpose}\nFrom {start} to {end}. Every contribution counts: {kinds}."
    ).format(
        kinds=", ".join(accepted),
        campaign=esc(campaign.name),
        purpose=esc(campaign.purpose),
        start=campaign.starts_on.strftime("%d/%m/%Y"),
        end=campaign.ends_on.strftime("%d/%m/%Y"),
    )
    button = Choice(
        _("🤝 Contribute"), url=pledge_link(str(payload["bot_username"]), campaign.code)
    )
    return OutgoingMessage(text=text, choices=((button,),), pin=bool(payload.get("pin", False)))


def announcement_deliveries(
    campaign_id: int, chat_ids: list[int], bot_username: str, now: datetime
) -> list[Delivery]:
    """The campaign's announcement to the village's groups, with the "🤝 Đóng góp" button."""
    return [
        Delivery(
            kind=ANNOUNCE,
            recipient=Recipient(chat_id=chat_id),
            ref=f"campaign:{campaign_id}",
            dedupe_key=f"{ANNOUNCE}:{campaign_id}:{chat_id}",
            not_before=now,
            priority=Priority.BULK,
            payload={"campaign_id": campaign_id, "bot_username": bot_username},
            respect_quiet_hours=False,
        )
        for chat_id in chat_ids
    ]


def board_delivery(
    campaign_id: int, chat_id: int, not_before: datetime, *, after: datetime | None = None
) -> Delivery:
    """The board to the group: posted (``after`` None: one per minute at most) or an
    edit of the board drawn at ``after`` (one per drawing, however often the planner
    runs before the sender gets to it)."""
    if after is None:
        key = f"{BOARD}:{campaign_id}:{not_before.replace(second=0, microsecond=0).isoformat()}"
    else:
        key = f"{BOARD}:{campaign_id}:after:{after.isoformat()}"
    return Delivery(
        kind=BOARD,
        recipient=Recipient(chat_id=chat_id),
        ref=f"campaign:{campaign_id}",
        dedupe_key=key,
        not_before=not_before,
        priority=Priority.BULK,
        payload={"campaign_id": campaign_id},
        respect_quiet_hours=False,
    )


# planners


async def plan_reminders(ctx: PlanContext) -> None:
    """N days before the end (``reminder_days``), every owed pledge with a person
    behind it gets one reminder; quiet hours are the engine's business."""
    today = service.local_today(ctx.now, ctx.timezone)
    for campaign in await ctx.repo.contributions.open_campaigns():
        if campaign.reminder_days <= 0:
            continue
        if not (
            campaign.ends_on - timedelta(days=campaign.reminder_days) <= today <= campaign.ends_on
        ):
            continue
        for pledge in await ctx.repo.contributions.pledges_of_campaign(campaign.id):
            if pledge.user_id is None or pledge.stop_reminders or pledge.status not in OWED:
                continue
            await ctx.enqueue(
                Delivery(
                    kind=REMINDER,
                    recipient=Recipient(user_id=pledge.user_id),
                    ref=f"pledge:{pledge.id}",
                    dedupe_key=f"{REMINDER}:{pledge.id}:{campaign.ends_on.isoformat()}",
                    not_before=ctx.now,
                    priority=Priority.REMINDER,
                    payload={"pledge_id": pledge.id},
                )
            )


async def _officers(ctx: PlanContext, village_id: int, roles: set[str]) -> list[int]:
    members = await ctx.repo.members.of_village(village_id)
    return [m.user_id for m in members if m.user_id is not None and m.role in roles]


async def plan_weekly_summaries(ctx: PlanContext) -> None:
    """Mondays (local time), each open campaign's treasurers get the week's summary."""
    local = ctx.now.astimezone(ZoneInfo(ctx.timezone))
    if local.weekday() != 0:
        return
    year, week, _day = local.isocalendar()
    for campaign in await ctx.repo.contributions.open_campaigns():
        for user_id in await _officers(ctx, campaign.village_id, {Role.TREASURER}):
            await ctx.enqueue(
                Delivery(
                    kind=WEEKLY,
                    recipient=Recipient(user_id=user_id),
                    ref=f"campaign:{campaign.id}",
                    dedupe_key=f"{WEEKLY}:{campaign.id}:{year}-W{week:02d}:{user_id}",
                    not_before=ctx.now,
                    priority=Priority.NOTICE,
                    payload={"campaign_id": campaign.id},
                )
            )


async def plan_overdue(ctx: PlanContext) -> None:
    """After a campaign ends, owed pledges become overdue and the secretary hears of them once."""
    for campaign in await ctx.repo.contributions.open_campaigns():
        await service.mark_overdue(ctx.repo, campaign, ctx.now, ctx.timezone)
        if service.local_today(ctx.now, ctx.timezone) <= campaign.ends_on:
            continue
        if not await ctx.repo.contributions.overdue_pledges(campaign.id):
            continue
        for user_id in await _officers(ctx, campaign.village_id, {Role.SECRETARY}):
            await ctx.enqueue(
                Delivery(
                    kind=OVERDUE,
                    recipient=Recipient(user_id=user_id),
                    ref=f"campaign:{campaign.id}",
                    dedupe_key=f"{OVERDUE}:{campaign.id}:{campaign.ends_on.isoformat()}:{user_id}",
                    not_before=ctx.now,
                    priority=Priority.NOTICE,
                    payload={"campaign_id": campaign.id},
                )
            )


async def plan_board_updates(ctx: PlanContext) -> None:
    """A posted board is edited when pledges changed since it was last drawn, never
    sooner than 10 minutes after the previous edit."""
    for campaign in await ctx.repo.contributions.open_campaigns():
        if campaign.board_chat_id is None or campaign.board_message_id is None:
            continue
        changed = await ctx.repo.contributions.last_change(campaign.id)
        last = campaign.board_updated_at
        if changed is None or (last is not None and changed <= last):
            continue
        not_before = max(ctx.now, last + BOARD_EVERY) if last is not None else ctx.now
        await ctx.enqueue(
            board_delivery(campaign.id, campaign.board_chat_id, not_before, after=last)
        )


def delivery_kinds() -> list[KindSpec]:
    return [
        KindSpec(REMINDER, render_reminder),
        KindSpec(WEEKLY, render_weekly),
        KindSpec(OVERDUE, render_overdue),
        KindSpec(BOARD, render_board, quiet_hours=None, on_sent=board_sent),
        KindSpec(ANNOUNCE, render_announcement, quiet_hours=None),
    ]


def planners() -> list[PlannerSpec]:
    return [
        PlannerSpec("contrib.reminders", plan_reminders, every=timedelta(minutes=30)),
        PlannerSpec("contrib.weekly", plan_weekly_summaries, every=timedelta(hours=1)),
        PlannerSpec("contrib.overdue", plan_overdue, every=timedelta(hours=1)),
        PlannerSpec("contrib.board", plan_board_updates, every=timedelta(minutes=2)),
    ]
