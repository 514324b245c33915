"""Broadcasts on the delivery engine: the kinds that carry them (the announcement,
the author's notices, progress edits, the final report) and the planners that fire
due broadcasts and follow running ones. No aiogram here.

A run's rows are filled by :func:`bot.services.broadcasts.start_run` (kind
"broadcast", ``ref`` "run:<id>", priority BULK); everything the author sees about
the run is queued here with dedupe keys, so two processes planning at once, or a
planner run twice, queue each notice once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
from bot.services import broadcasts as service
from bot.services.markup import esc
from storage.models import BroadcastStatus
from storage.repo import Repo

BROADCAST = "broadcast"
NOTICE = "broadcast.notice"
STARTED = "broadcast.started"
PROGRESS = "broadcast.progress"
REPORT = "broadcast.report"
ACK_PREFIX = "bcack"  # handlers' AckButton(run_id).pack() == "bcack:<run_id>"
PROGRESS_EVERY = timedelta(seconds=3)


def ack_data(run_id: int) -> str:
    return f"{ACK_PREFIX}:{run_id}"


# ---------------------------------------------------------------- renderers


async def render_broadcast(
    ctx: RenderContext, payload: Mapping[str, Any]
) -> OutgoingMessage | None:
    """The announcement as every recipient sees it: a header in their language, then
    the author's text exactly as written (escaped for HTML)."""
    _ = ctx.gettext
    repo: Repo = ctx.repo
    run_id = int(payload["run_id"])
    run = await repo.broadcasts.run(run_id)
    broadcast = await repo.broadcasts.get(run.broadcast_id) if run is not None else None
    if broadcast is None:
        return None
    village = await repo.places.village(broadcast.village_id)
    header = _("📢 <b>Announcement – {village}</b>").format(
        village=esc(village.name if village else "")
    )
    body = esc(broadcast.text)
    choices: tuple[tuple[Choice, ...], ...] = ()
    if broadcast.ask_ack:
        choices = ((Choice(_("✅ Got it"), data=ack_data(run_id)),),)
    attachment = (
        Attachment(broadcast.kind, file_id=broadcast.file_id) if broadcast.kind != "text" else None
    )
    return OutgoingMessage(
        text=f"{header}\n\n{body}" if body else header,
        attachment=attachment,
        choices=choices,
        pin=broadcast.pin,
    )


def progress_text(gettext: Any, report: service.RunReport, *, final: bool) -> str:
    _ = gettext
    if final:
        return _("✅ Finished: {sent} of {total} delivered, {failed} failed.").format(
            sent=report.sent, total=report.total, failed=report.failed
        )
    return _("📤 Sending… {sent} of {total} delivered, {failed} failed, {waiting} waiting.").format(
        sent=report.sent, total=report.total, failed=report.failed, waiting=report.waiting
    )


def reason_label(gettext: Any, reason: str) -> str:
    _ = gettext
    labels = {
        "blocked": _("blocked the bot"),
        "kicked": _("bot removed from the group"),
        "not_started": _("never opened a chat with the bot"),
        "gone": _("chat no longer exists"),
        "error": _("Telegram error"),
    }
    return labels.get(reason, reason)


def final_report_text(gettext: Any, report: service.RunReport) -> str:
    _ = gettext
    lines = [
        _("📊 <b>Announcement report</b>"),
        _("Delivered: {sent} of {total}").format(sent=report.sent, total=report.total),
        _("Failed: {failed}").format(failed=report.failed),
    ]
    for reason, count in sorted(report.failures.items()):
        lines.append(f"  • {reason_label(gettext, reason)}: {count}")
    if report.not_pinned:
        lines.append(
            _(
                "⚠️ Not pinned in {count} group(s): I am not an administrator there. Make me an "
                "administrator with the right to pin messages, then /lienket tells you if it worked."
            ).format(count=report.not_pinned)
        )
    lines.append(_("Acknowledged so far: {count}").format(count=report.acknowledged))
    lines.append(_("Send /thongbao to see who acknowledged."))
    return "\n".join(lines)


async def render_progress(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    run = await ctx.repo.broadcasts.run(int(payload["run_id"]))
    if run is None or run.progress_message_id is None:
        return None
    report = await service.run_report(ctx.repo, run.id)
    final = bool(payload.get("final"))
    return OutgoingMessage(
        text=progress_text(ctx.gettext, report, final=final),
        edit_message_id=run.progress_message_id,
    )


async def render_report(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    report = await service.run_report(ctx.repo, int(payload["run_id"]))
    return OutgoingMessage(text=final_report_text(ctx.gettext, report))


async def render_notice(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    """Tells the author a scheduled broadcast is being sent now, or was missed."""
    _ = ctx.gettext
    repo: Repo = ctx.repo
    broadcast = await repo.broadcasts.get(int(payload["broadcast_id"]))
    if broadcast is None:
        return None
    tz = ZoneInfo(ctx.timezone)
    due = datetime.fromisoformat(payload["due_at"]).astimezone(tz).strftime("%d/%m/%Y %H:%M")
    snippet = esc(broadcast.text[:60])
    run_id = payload.get("run_id")
    if run_id is not None:
        total = int(payload.get("total", 0))
        text = (
            _("🕒 The announcement scheduled for {due} is being sent: “{snippet}”").format(
                due=due, snippet=snippet
            )
            + "\n"
            + _(
                "📤 Sending… {sent} of {total} delivered, {failed} failed, {waiting} waiting."
            ).format(sent=0, total=total, failed=0, waiting=total)
        )
        return OutgoingMessage(text=text)
    text = _(
        "⚠️ The announcement scheduled for {due} was not sent: the bot was offline at that time. “{snippet}”"
    ).format(due=due, snippet=snippet)
    if payload.get("next_due_at"):
        text += "\n" + _("It will be sent next on {next}.").format(
            next=datetime.fromisoformat(payload["next_due_at"])
            .astimezone(tz)
            .strftime("%d/%m/%Y %H:%M")
        )
    return OutgoingMessage(text=text)


def progress_start_row(run_id: int, chat_id: int, total: int, locale: str) -> dict[str, Any]:
    """The outbox row of the author's first progress message ("Sending… 0 of N"),
    addressed to the chat they confirmed in; its id is recorded when it is sent
    (:func:`notice_sent`), and later progress edits go to it."""
    return {
        "channel": "telegram",
        "kind": STARTED,
        "ref": f"run:{run_id}",
        "dedupe_key": f"run:{run_id}:started",
        "priority": int(Priority.INTERACTIVE),
        "payload": {"run_id": run_id, "total": total},
        "target": f"a{chat_id}"[:32],
        "chat_id": chat_id,
        "locale": locale,
        "status": "pending",
        "attempts": 0,
        "resent_after_crash": 0,
        "next_attempt_at": datetime.now(UTC),
    }


async def render_started(ctx: RenderContext, payload: Mapping[str, Any]) -> OutgoingMessage | None:
    total = int(payload.get("total", 0))
    return OutgoingMessage(
        text=ctx.gettext(
            "📤 Sending… {sent} of {total} delivered, {failed} failed, {waiting} waiting."
        ).format(sent=0, total=total, failed=0, waiting=total)
    )


async def notice_sent(ctx: SentContext, payload: Mapping[str, Any]) -> None:
    """The "being sent" notice becomes the run's progress message (edited later)."""
    run_id = payload.get("run_id")
    if run_id is not None and ctx.message_id:
        await ctx.repo.broadcasts.set_progress(int(run_id), ctx.message_id, None)


# ----------------------------------------------------------------- planners


async def _author(repo: Repo, broadcast: Any) -> Recipient | None:
    """The author as a recipient: their user row, or the user behind the chat they wrote from."""
    if broadcast.author_user_id is not None:
        return Recipient(user_id=broadcast.author_user_id)
    user = await repo.users.by_platform_id(broadcast.author_chat_id)
    return Recipient(user_id=user.id) if user is not None else None


async def plan_due(ctx: PlanContext) -> None:
    """Fire every scheduled broadcast now due (or report it missed) and tell its author."""
    settings = ctx.settings
    grace = timedelta(minutes=settings.broadcast_grace_minutes if settings else 10)
    default_locale = settings.default_locale if settings else "vi"
    fired = await service.fire_due(
        ctx.repo, now=ctx.now, grace=grace, tz=ZoneInfo(ctx.timezone), default_locale=default_locale
    )
    for item in fired:
        broadcast = item.broadcast
        author = await _author(ctx.repo, broadcast)
        if author is None:
            continue
        await ctx.enqueue(
            Delivery(
                kind=NOTICE,
                recipient=author,
                ref=f"broadcast:{broadcast.id}",
                dedupe_key=f"bc:{broadcast.id}:due:{item.due_at.isoformat()}",
                not_before=ctx.now,
                priority=Priority.NOTICE,
                payload={
                    "broadcast_id": broadcast.id,
                    "run_id": item.run.id if item.run is not None else None,
                    "total": item.run.total if item.run is not None else 0,
                    "due_at": item.due_at.isoformat(),
                    "next_due_at": broadcast.next_due_at.isoformat()
                    if broadcast.next_due_at
                    else None,
                },
                respect_quiet_hours=False,
            )
        )


async def plan_progress(ctx: PlanContext) -> None:
    """Follow running broadcasts: queue an edit of the author's progress message when
    the counts changed, and the final report once nothing of the run is open."""
    repo: Repo = ctx.repo
    for run in await repo.broadcasts.sending_runs():
        broadcast = await repo.broadcasts.get(run.broadcast_id)
        if broadcast is None:
            continue
        report = await service.run_report(repo, run.id)
        final = report.finished and await repo.broadcasts.finish_run(run.id, ctx.now)
        if final:
            if broadcast.status == BroadcastStatus.ACTIVE:
                broadcast.status = BroadcastStatus.DONE
            repo.audit.add(
                "broadcast_delivered",
                actor_user_id=broadcast.author_user_id,
                village_id=broadcast.village_id,
                details={
                    "broadcast_id": broadcast.id,
                    "run_id": run.id,
                    "sent": report.sent,
                    "failed": report.failed,
                    "failures": report.failures,
                },
            )
        state = f"{report.sent}/{report.failed}/{report.waiting}/{int(final)}"
        author = await _author(repo, broadcast)
        if author is None:
            continue
        if run.progress_message_id is not None and state != run.progress_text:
            await repo.broadcasts.set_progress(run.id, run.progress_message_id, state)
            await ctx.enqueue(
                Delivery(
                    kind=PROGRESS,
                    recipient=author,
                    ref=f"run:{run.id}",
                    dedupe_key=f"run:{run.id}:progress:{state}",
                    not_before=ctx.now,
                    priority=Priority.NOTICE,
                    payload={"run_id": run.id, "final": final},
                    respect_quiet_hours=False,
                )
            )
        if final:
            await ctx.enqueue(
                Delivery(
                    kind=REPORT,
                    recipient=author,
                    ref=f"run:{run.id}",
                    dedupe_key=f"run:{run.id}:report",
                    not_before=ctx.now,
                    priority=Priority.NOTICE,
                    payload={"run_id": run.id},
                    respect_quiet_hours=False,
                )
            )


# -------------------------------------------------------------- registration


def delivery_kinds() -> list[KindSpec]:
    # A broadcast keeps its own hour: the author chose "now" or a time; quiet hours
    # apply only to what the engine plans by itself.
    return [
        KindSpec(BROADCAST, render_broadcast, quiet_hours=None),
        KindSpec(NOTICE, render_notice, quiet_hours=None, on_sent=notice_sent),
        KindSpec(STARTED, render_started, quiet_hours=None, on_sent=notice_sent),
        KindSpec(PROGRESS, render_progress, quiet_hours=None),
        KindSpec(REPORT, render_report, quiet_hours=None),
    ]


def planners() -> list[PlannerSpec]:
    return [
        PlannerSpec("broadcasts.due", plan_due, every=timedelta(seconds=30)),
        PlannerSpec("broadcasts.progress", plan_progress, every=PROGRESS_EVERY),
    ]
