"""/thongbao: the list of past and scheduled announcements, one's details with who
acknowledged it, and deleting a scheduled one (asked first)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.delivery.scheduler import Scheduler as BroadcastScheduler
from bot.services import broadcasts as service
from bot.services.authz import Action, Actor
from bot.services.errors import BroadcastInvalid, NotAllowed, NotFound
from bot.services.markup import esc
from bot.settings import Settings
from handlers.broadcasts.callbacks import BcCancel, BcCancelYes, BcMenu, BcShow
from handlers.broadcasts.common import refuse
from handlers.broadcasts.keyboards import set_markup
from handlers.broadcasts.texts import invalid_text, status_text, when_text
from storage.repo import Repo


def manage_router() -> Router:
    router = Router(name="broadcast_manage")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

    @router.message(Command("thongbao"))
    async def command_broadcast_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        await state.clear()
        if not actor.can(Action.BROADCAST, actor.village_id):
            await refuse(message)
            return
        items = await service.list_broadcasts(repo, actor)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("✍️ New announcement"), callback_data=BcMenu(action="new"))
        for item in items:
            when = (
                (item.next_due_at or item.created_at)
                .astimezone(settings.tz)
                .strftime("%d/%m %H:%M")
            )
            icon = {"scheduled": "🕒", "cancelled": "✖", "missed": "⚠️"}.get(item.status, "📢")
            label = (item.text or "").replace("\n", " ")[:30] or item.kind
            builder.button(text=f"{icon} {when} · {label}", callback_data=BcShow(id=item.id))
        builder.adjust(1)
        text = _("📢 <b>Announcements</b>")
        if items:
            text += "\n" + _("Choose one to see its details and who acknowledged it.")
        await message.answer(text, reply_markup=builder.as_markup())

    @router.callback_query(BcShow.filter())
    async def show_pressed(
        callback: CallbackQuery, callback_data: BcShow, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        try:
            broadcast = await service.broadcast_for(repo, actor, callback_data.id)
        except (NotAllowed, NotFound):
            await refuse(callback)
            return
        await callback.answer()
        tz = settings.tz
        lines = [
            _("📢 <b>Announcement</b> ({status})").format(status=status_text(broadcast)),
            esc(broadcast.text[:500]) or "—",
            "",
            _("Created: {at}").format(
                at=broadcast.created_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
            ),
        ]
        if broadcast.recurrence:
            lines.append(
                _("Repeats: {rule}").format(
                    rule=when_text(
                        service.Draft(
                            "text",
                            "",
                            service.Audience(),
                            recurrence=service.Recurrence.parse(broadcast.recurrence),
                        ),
                        tz,
                    )
                )
            )
        if broadcast.next_due_at is not None:
            lines.append(
                _("Next sending: {at}").format(
                    at=broadcast.next_due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
                )
            )
        for run in await repo.broadcasts.runs_of(broadcast.id):
            report = await service.run_report(repo, run.id)
            lines.append("")
            lines.append(
                _(
                    "Sent {at}: {sent} of {total} delivered, {failed} failed, {acks} acknowledged."
                ).format(
                    at=run.started_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                    sent=report.sent,
                    total=report.total,
                    failed=report.failed,
                    acks=report.acknowledged,
                )
            )
            acks = await repo.broadcasts.acks(run.id)
            if acks:
                names = ", ".join(esc(a.name) for a in acks[:40])
                more = len(acks) - 40
                lines.append(
                    _("Acknowledged by: {names}").format(names=names)
                    + (f" (+{more})" if more > 0 else "")
                )
        builder = InlineKeyboardBuilder()
        if broadcast.status == "scheduled":
            builder.button(
                text=_("🗑 Cancel this announcement"), callback_data=BcCancel(id=broadcast.id)
            )
        if isinstance(callback.message, Message):
            await callback.message.answer("\n".join(lines)[:4000], reply_markup=builder.as_markup())

    @router.callback_query(BcCancel.filter())
    async def cancel_pressed(
        callback: CallbackQuery,
        callback_data: BcCancel,
        repo: Repo,
        actor: Actor,
        settings: Settings,
    ) -> None:
        """Deleting is irreversible: ask first, naming what will stop."""
        try:
            broadcast = await service.broadcast_for(repo, actor, callback_data.id)
        except (NotAllowed, NotFound):
            await refuse(callback)
            return
        if broadcast.status != "scheduled":
            await callback.answer(invalid_text("not_cancellable"), show_alert=True)
            return
        await callback.answer()
        snippet = esc((broadcast.text or "").replace("\n", " ")[:80])
        if broadcast.recurrence:
            rule = when_text(
                service.Draft(
                    "text",
                    "",
                    service.Audience(),
                    recurrence=service.Recurrence.parse(broadcast.recurrence),
                ),
                settings.tz,
            )
            question = _(
                "Delete the announcement “{snippet}” that repeats {rule}? It will not be sent again."
            ).format(snippet=snippet, rule=rule)
        else:
            question = _(
                "Delete the scheduled announcement “{snippet}”? It will not be sent."
            ).format(snippet=snippet)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("🗑 Yes, delete it"), callback_data=BcCancelYes(id=broadcast.id))
        builder.button(text=_("◀ No, keep it"), callback_data=BcShow(id=broadcast.id))
        if isinstance(callback.message, Message):
            await callback.message.answer(question, reply_markup=builder.adjust(1).as_markup())

    @router.callback_query(BcCancelYes.filter())
    async def cancel_confirmed(
        callback: CallbackQuery,
        callback_data: BcCancelYes,
        repo: Repo,
        actor: Actor,
        broadcast_scheduler: BroadcastScheduler | None = None,
    ) -> None:
        try:
            await service.cancel_broadcast(repo, actor, callback_data.id)
        except (NotAllowed, NotFound):
            await refuse(callback)
            return
        except BroadcastInvalid as exc:
            await callback.answer(invalid_text(exc.reason), show_alert=True)
            return
        if broadcast_scheduler is not None:
            broadcast_scheduler.unschedule(callback_data.id)
        await callback.answer(_("Cancelled."))
        if isinstance(callback.message, Message):
            await set_markup(callback.message, None)
            await callback.message.answer(_("🗑 The scheduled announcement was cancelled."))

    return router
