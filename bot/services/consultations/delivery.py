"""What consultations hand to the delivery engine.

* ``consult.board``: the board in each of the village's groups. Its first send is the
  announcement, with the "🗳 Answer" link to the private chat; ``on_sent`` keeps the
  message id, and later renders edit that message. An edit is planned when votes
  changed since the board was drawn (or just before: ``BOARD_SETTLE``), never sooner than 10 minutes after the previous
  one (one edit per group per 10 minutes: far under Telegram's 20 messages a minute
  in a group), and it is rendered from the votes at send time.
* ``consult.result``: on close, the final result with its chart, pinned in each group.
* ``consult.minutes`` and ``consult.file``: the minutes as a message, a PDF and the
  sheet of votes, to the secretary who asked.
* ``consult.reminder``: once, the day before closing, to those who have not answered
  (quiet hours apply); rendered to nothing if they answered meanwhile or it closed.

Dedupe keys make every planner idempotent: twice, or on two processes, queues nothing
new; closing is a conditional update, so the result is announced once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
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
    SentContext,
)
from bot.services.consultations import documents, service
from bot.services.markup import esc
from storage.models import Consultation, ConsultationStatus, Voters

BOARD = "consult.board"
RESULT = "consult.result"
MINUTES = "consult.minutes"
FILE = "consult.file"
REMINDER = "consult.reminder"
BOARD_EVERY = timedelta(minutes=10)
# A vote's time is taken when its handler starts; it commits a moment later. A vote in
# flight while the board was drawn is not on it, yet its time is before the board's:
# votes this close before the board's time still bring one more edit.
BOARD_SETTLE = timedelta(minutes=1)
REMIND_BEFORE = timedelta(days=1)
# The close waits while the inbox holds updates received before the closing time (a vote
# pressed at the last second, or stored while the bot was down): they are handled first,
# so the result counts them. Past this, it closes anyway (such a vote still counts).
CLOSE_WAITS_AT_MOST = timedelta(minutes=10)


def answer_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=yk_{code}"


def open_data(consultation_id: int) -> str:
    """Callback data of "🗳 Answer" in private (``handlers.consultations`` ``YkOpen``)."""
    return f"yko:{consultation_id}"


async def _result(ctx: RenderContext, consultation: Consultation) -> service.Result:
    return await service.result(
        ctx.repo, consultation, other_label=documents.other_label(ctx.gettext)
    )


# renderers


async def render_board(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    consultation = await ctx.repo.consultations.get(int(payload["consultation_id"]))
    if consultation is None:
        return None
    board = await ctx.repo.consultations.board(consultation.id, int(payload["chat_id"]))
    if board is None:
        return None
    result = await _result(ctx, consultation)
    text = documents.board_text(result, _, ctx.timezone, ctx.now)
    choices: tuple[tuple[Choice, ...], ...] = ()
    if consultation.status == ConsultationStatus.OPEN and board.button_url:
        choices = ((Choice(_("🗳 Answer"), url=board.button_url),),)
    return OutgoingMessage(text=text, choices=choices, edit_message_id=board.message_id)


async def board_sent(ctx: SentContext, payload: Mapping[str, Any]) -> None:
    await ctx.repo.consultations.set_board(
        int(payload["consultation_id"]),
        int(payload["chat_id"]),
        message_id=ctx.message_id,
        updated_at=ctx.now,
    )


async def render_result(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    consultation = await ctx.repo.consultations.get(int(payload["consultation_id"]))
    if consultation is None or consultation.status != ConsultationStatus.CLOSED:
        return None
    result = await _result(ctx, consultation)
    text = "📌 " + documents.board_text(result, _, ctx.timezone, ctx.now)
    chart = Attachment(
        "photo", content=documents.chart_png(result, _), filename=f"ykien-{consultation.code}.png"
    )
    return OutgoingMessage(text=text, attachment=chart, pin=True)


async def _minutes_lines(ctx: RenderContext, consultation: Consultation) -> list[tuple[str, bool]]:
    result = await _result(ctx, consultation)
    village = await ctx.repo.places.village(consultation.village_id)
    campaign = (
        await ctx.repo.contributions.campaign(consultation.campaign_id)
        if consultation.campaign_id
        else None
    )
    return documents.minutes_lines(
        result,
        ctx.gettext,
        ctx.timezone,
        village=village.name if village else "",
        campaign=campaign.name if campaign else None,
        now=ctx.now,
    )


async def render_minutes(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    consultation = await ctx.repo.consultations.get(int(payload["consultation_id"]))
    if consultation is None:
        return None
    lines = await _minutes_lines(ctx, consultation)
    return OutgoingMessage(text=documents.minutes_html(lines, ctx.gettext))


async def render_file(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    consultation = await ctx.repo.consultations.get(int(payload["consultation_id"]))
    if consultation is None:
        return None
    if payload.get("what") == "xlsx":
        content = documents.votes_xlsx(await _result(ctx, consultation), _, ctx.timezone)
        name, caption = f"ykien-{consultation.code}.xlsx", _("The votes, one row each.")
    else:
        content = documents.minutes_pdf(await _minutes_lines(ctx, consultation))
        name, caption = f"bienban-{consultation.code}.pdf", _("The minutes, for the branch's records.")
    return OutgoingMessage(
        text=caption, attachment=Attachment("document", content=content, filename=name)
    )


async def render_reminder(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    _ = ctx.gettext
    consultation = await ctx.repo.consultations.get(int(payload["consultation_id"]))
    if consultation is None or not service.is_open(consultation, ctx.now):
        return None
    if await ctx.repo.consultations.vote_of(consultation.id, str(payload["voter_key"])):
        return None
    text = _(
        "🗳 A reminder: the branch is asking “{question}”, and your answer is not in yet. "
        "It closes at {time}."
    ).format(
        question=esc(consultation.question),
        time=documents.local(consultation.closes_at, ctx.timezone),
    )
    return OutgoingMessage(
        text=text, choices=((Choice(_("🗳 Answer"), data=open_data(consultation.id)),),)
    )


# what handlers and planners queue


def board_delivery(
    consultation_id: int, chat_id: int, not_before: datetime, *, after: datetime | None = None
) -> Delivery:
    """The board: posted (``after`` None) or an edit of the board drawn at ``after``."""
    key = f"{BOARD}:{consultation_id}:{chat_id}:" + (
        "post" if after is None else f"after:{after.isoformat()}"
    )
    return Delivery(
        kind=BOARD,
        recipient=Recipient(chat_id=chat_id),
        ref=f"consultation:{consultation_id}",
        dedupe_key=key,
        not_before=not_before,
        priority=Priority.BULK,
        payload={"consultation_id": consultation_id, "chat_id": chat_id},
        respect_quiet_hours=False,
    )


async def announce(
    repo: Any, enqueue: Any, consultation: Consultation, bot_username: str, now: datetime
) -> int:
    """A board in each of the village's active groups; returns how many."""
    chats = await repo.chats.of_village(consultation.village_id)
    for chat in chats:
        await repo.consultations.add_board(
            consultation.id, chat.id, answer_link(bot_username, consultation.code)
        )
        await enqueue(repo, board_delivery(consultation.id, chat.id, now))
    return len(chats)


def papers(consultation_id: int, user_id: int, now: datetime, *, tag: str = "close") -> list[Delivery]:
    """The minutes, its PDF and the sheet of votes, to ``user_id``."""

    def one(kind: str, what: str, priority: Priority) -> Delivery:
        return Delivery(
            kind=kind,
            recipient=Recipient(user_id=user_id),
            ref=f"consultation:{consultation_id}",
            dedupe_key=f"{kind}:{consultation_id}:{what}:{user_id}:{tag}",
            not_before=now,
            priority=priority,
            payload={"consultation_id": consultation_id, "what": what},
            respect_quiet_hours=False,
        )

    return [
        one(MINUTES, "text", Priority.NOTICE),
        one(FILE, "pdf", Priority.NOTICE),
        one(FILE, "xlsx", Priority.NOTICE),
    ]


async def after_close(ctx: PlanContext, consultation: Consultation) -> None:
    """The pinned result in every group, a last edit of each board, the papers."""
    for board in await ctx.repo.consultations.boards(consultation.id):
        await ctx.enqueue(
            Delivery(
                kind=RESULT,
                recipient=Recipient(chat_id=board.chat_id),
                ref=f"consultation:{consultation.id}",
                dedupe_key=f"{RESULT}:{consultation.id}:{board.chat_id}",
                not_before=ctx.now,
                priority=Priority.NOTICE,
                payload={"consultation_id": consultation.id},
                respect_quiet_hours=False,
            )
        )
        if board.message_id is not None:
            last = board.updated_at
            not_before = max(ctx.now, last + BOARD_EVERY) if last is not None else ctx.now
            await ctx.enqueue(board_delivery(consultation.id, board.chat_id, not_before, after=last))
    if consultation.created_by_user_id is not None:
        for delivery in papers(consultation.id, consultation.created_by_user_id, ctx.now):
            await ctx.enqueue(delivery)


# planners


async def plan_closing(ctx: PlanContext) -> None:
    for consultation in await ctx.repo.consultations.open_all():
        if consultation.closes_at > ctx.now:
            continue
        if ctx.now < consultation.closes_at + CLOSE_WAITS_AT_MOST and await ctx.repo.inbox.waiting_since_before(
            consultation.closes_at
        ):
            continue  # votes pressed before the closing time are still in the inbox
        if await service.close(ctx.repo, consultation, ctx.now):
            await after_close(ctx, consultation)


async def plan_board_updates(ctx: PlanContext) -> None:
    for consultation in await ctx.repo.consultations.open_all():
        changed = await ctx.repo.consultations.last_change(consultation.id)
        if changed is None:
            continue
        for board in await ctx.repo.consultations.boards(consultation.id):
            last = board.updated_at
            if board.message_id is None or last is None or changed <= last - BOARD_SETTLE:
                continue
            not_before = max(ctx.now, last + BOARD_EVERY)
            await ctx.enqueue(board_delivery(consultation.id, board.chat_id, not_before, after=last))


async def _who_may_answer(ctx: PlanContext, consultation: Consultation) -> list[tuple[int, str]]:
    """(user id, voter key) of the people the reminder is for."""
    village_id = consultation.village_id
    if consultation.voters == Voters.MEMBER:
        members = await ctx.repo.members.of_village(village_id)
        return [(m.user_id, f"m:{m.id}") for m in members if m.user_id is not None]
    users = await ctx.repo.consultations.household_users(village_id)
    if consultation.voters == Voters.HOUSEHOLD:
        return [(u.id, f"h:{u.household_id}") for u in users if u.reachable]
    people = [(u.id, f"u:{u.id}") for u in users if u.reachable]
    known = {uid for uid, _key in people}
    people += [
        (uid, f"u:{uid}")
        for uid in await ctx.repo.consultations.member_users(village_id)
        if uid not in known
    ]
    return people


async def plan_reminders(ctx: PlanContext) -> None:
    """The day before closing (from 24 hours before), once, to whoever has not
    answered; only for consultations opened before that."""
    for consultation in await ctx.repo.consultations.open_all():
        due = consultation.closes_at - REMIND_BEFORE
        if not (consultation.opens_at < due <= ctx.now < consultation.closes_at):
            continue
        for user_id, key in await _who_may_answer(ctx, consultation):
            if await ctx.repo.consultations.vote_of(consultation.id, key):
                continue
            await ctx.enqueue(
                Delivery(
                    kind=REMINDER,
                    recipient=Recipient(user_id=user_id),
                    ref=f"consultation:{consultation.id}",
                    dedupe_key=f"{REMINDER}:{consultation.id}:{user_id}",
                    not_before=ctx.now,
                    priority=Priority.REMINDER,
                    payload={"consultation_id": consultation.id, "voter_key": key},
                )
            )


def delivery_kinds() -> list[KindSpec]:
    return [
        KindSpec(BOARD, render_board, quiet_hours=None, on_sent=board_sent),
        KindSpec(RESULT, render_result, quiet_hours=None),
        KindSpec(MINUTES, render_minutes, quiet_hours=None),
        KindSpec(FILE, render_file, quiet_hours=None),
        KindSpec(REMINDER, render_reminder),
    ]


def planners() -> list[PlannerSpec]:
    return [
        PlannerSpec("consult.close", plan_closing, every=timedelta(minutes=1)),
        PlannerSpec("consult.board", plan_board_updates, every=timedelta(minutes=2)),
        PlannerSpec("consult.reminders", plan_reminders, every=timedelta(minutes=15)),
    ]
