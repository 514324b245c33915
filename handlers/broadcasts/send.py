"""The last steps of composing: the preview (exactly what people will see, with the
audience and the time) and the confirmation that creates or schedules it."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.channels.telegram.preview import Content, render, send_content
from bot.delivery.scheduler import Scheduler as BroadcastScheduler
from bot.delivery.sender import Sender as OutboxSender
from bot.services import broadcasts as service
from bot.services.authz import Actor
from bot.services.broadcast_delivery import progress_start_row
from bot.services.errors import BroadcastInvalid, NotAllowed
from bot.settings import Settings
from handlers.broadcasts.callbacks import BcConfirm, BcEdit, BcOption
from handlers.broadcasts.common import draft_from, refuse
from handlers.broadcasts.keyboards import cancel_row, options_keyboard, set_markup
from handlers.broadcasts.states import Compose
from handlers.broadcasts.texts import invalid_text, when_text
from storage.repo import Repo


def send_router() -> Router:
    router = Router(name="broadcast_send")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

    @router.callback_query(StateFilter(Compose.options), BcOption.filter())
    async def option_pressed(
        callback: CallbackQuery,
        callback_data: BcOption,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        i18n: I18n,
        locale: str,
        settings: Settings,
    ) -> None:
        data = await state.get_data()
        if callback_data.what in ("pin", "ack"):
            data[callback_data.what] = not data.get(callback_data.what)
            await state.set_data(data)
            await callback.answer()
            if isinstance(callback.message, Message):
                await set_markup(callback.message, options_keyboard(data))
            return
        await callback.answer()
        if not isinstance(callback.message, Message) or actor.village_id is None:
            return
        await set_markup(callback.message, None)
        draft = draft_from(data, settings.tz)
        recipients = await service.resolve_audience(
            repo, actor.village_id, draft.audience, default_locale=settings.default_locale
        )
        village = await repo.places.village(actor.village_id)
        content = Content(
            draft.kind,
            draft.text,
            draft.file_id,
            village.name if village else "",
            draft.pin,
            draft.ask_ack,
        )
        text, markup = render(content, i18n, locale, 0)
        await callback.message.answer(_("👀 Preview – this is exactly what people will see:"))
        await send_content(bot, callback.message.chat.id, content, text, markup)
        groups = sum(1 for r in recipients if r.group_id is not None)
        people = len(recipients) - groups
        lines = [
            _("<b>Audience:</b> {groups} groups, {people} people").format(
                groups=groups, people=people
            ),
            _("<b>When:</b> {when}").format(when=when_text(draft, settings.tz, locale)),
        ]
        if draft.pin:
            lines.append(_("📌 Pinned in the groups"))
        if draft.ask_ack:
            lines.append(_("✋ Asks for “Got it”"))
        builder = InlineKeyboardBuilder()
        confirm = (
            _("✅ Confirm and send")
            if draft.when is None and draft.recurrence is None
            else _("✅ Confirm schedule")
        )
        builder.button(text=confirm, callback_data=BcConfirm(what="send"))
        builder.button(text=_("✏️ Edit the text"), callback_data=BcEdit())
        cancel_row(builder, back="options")
        await state.set_state(Compose.confirm)
        await callback.message.answer("\n".join(lines), reply_markup=builder.adjust(1).as_markup())

    @router.callback_query(StateFilter(Compose.confirm), BcConfirm.filter(F.what == "send"))
    async def confirm_pressed(
        callback: CallbackQuery,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        locale: str,
        settings: Settings,
        outbox: OutboxSender | None = None,
        broadcast_scheduler: BroadcastScheduler | None = None,
    ) -> None:
        data = await state.get_data()
        await state.clear()
        message = callback.message
        if not isinstance(message, Message):
            await callback.answer()
            return
        try:
            created = await service.create_broadcast(
                repo,
                actor,
                draft_from(data, settings.tz),
                author_chat_id=message.chat.id,
                author_locale=locale,
                now=datetime.now(UTC),
                tz=settings.tz,
                default_locale=settings.default_locale,
            )
        except NotAllowed:
            await refuse(callback)
            return
        except BroadcastInvalid as exc:
            await callback.answer(invalid_text(exc.reason), show_alert=True)
            return
        await callback.answer()
        await set_markup(message, None)
        broadcast = created.broadcast
        if created.run is not None:
            # The progress message's id is recorded when the engine sends it (its edits
            # need the real id; a reply sent from here leaves only after the commit).
            await repo.outbox.enqueue(
                progress_start_row(created.run.id, message.chat.id, created.recipients, locale)
            )
            if outbox is not None:
                outbox.wake()  # the rows are visible once this update commits; the poll covers a race
        else:
            assert broadcast.next_due_at is not None
            if broadcast_scheduler is not None:
                broadcast_scheduler.schedule(broadcast.id, broadcast.next_due_at)
            await message.answer(
                _("🕒 Scheduled. Next sending: {when}.").format(
                    when=broadcast.next_due_at.astimezone(settings.tz).strftime("%d/%m/%Y %H:%M")
                )
            )

    return router
