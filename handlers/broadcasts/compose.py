"""Composing an announcement: content, audience, when (a date, a weekly or monthly
rule), back one step, fix the text; the options step is shown here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import broadcasts as service
from bot.services import timeparse
from bot.services.authz import Action, Actor
from bot.services.errors import BroadcastInvalid
from bot.settings import Settings
from handlers.broadcasts.callbacks import (
    BcAt,
    BcAudience,
    BcBack,
    BcDay,
    BcEdit,
    BcMenu,
    BcTime,
    BcWhen,
)
from handlers.broadcasts.common import refuse, village_groups
from handlers.broadcasts.keyboards import (
    at_keyboard,
    audience_keyboard,
    cancel_row,
    day_keyboard,
    options_keyboard,
    set_markup,
    time_keyboard,
    when_keyboard,
)
from handlers.broadcasts.states import Compose
from handlers.broadcasts.texts import _current_locale, invalid_text
from storage.repo import Repo


def compose_router() -> Router:
    router = Router(name="broadcast_compose")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

    @router.callback_query(BcMenu.filter(F.action == "new"))
    async def new_pressed(callback: CallbackQuery, state: FSMContext, actor: Actor) -> None:
        if not actor.can(Action.BROADCAST, actor.village_id):
            await refuse(callback)
            return
        await state.clear()
        await state.set_state(Compose.content)
        await callback.answer()
        builder = InlineKeyboardBuilder()
        cancel_row(builder)
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _("Send me the announcement: a text, or a photo or file with a caption."),
                reply_markup=builder.as_markup(),
            )

    @router.callback_query(BcMenu.filter(F.action == "cancel"))
    async def compose_cancelled(callback: CallbackQuery, state: FSMContext) -> None:
        await state.clear()
        await callback.answer()
        if isinstance(callback.message, Message):
            await set_markup(callback.message, None)
            await callback.message.answer(_("Cancelled. Nothing was sent."))

    @router.message(StateFilter(Compose.content))
    async def content_received(
        message: Message, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        if not actor.can(Action.BROADCAST, actor.village_id):
            await state.clear()
            await refuse(message)
            return
        if message.photo:
            kind, text, file_id = "photo", message.caption or "", message.photo[-1].file_id
        elif message.document:
            kind, text, file_id = "document", message.caption or "", message.document.file_id
        elif message.text and not message.text.startswith("/"):
            kind, text, file_id = "text", message.text, None
        else:
            await message.answer(invalid_text("empty"))
            return
        try:
            service.validate(
                service.Draft(
                    kind=kind, text=text, file_id=file_id, audience=service.Audience(residents=True)
                )
            )
        except BroadcastInvalid as exc:
            await message.answer(invalid_text(exc.reason))
            return
        if (await state.get_data()).get("editing"):
            await state.update_data(kind=kind, text=text, file_id=file_id, editing=False)
            await show_options(message, state)
            return
        data = await state.get_data()
        if "residents" not in data:
            await state.update_data(all_groups=False, group_ids=[], members=False, residents=False)
        await state.update_data(kind=kind, text=text, file_id=file_id)
        await state.set_state(Compose.audience)
        data = await state.get_data()
        await message.answer(
            _("Who should receive it? Choose the recipients, then “Next”."),
            reply_markup=audience_keyboard(data, await village_groups(repo, actor)),
        )

    @router.callback_query(StateFilter(Compose.audience), BcAudience.filter())
    async def audience_pressed(
        callback: CallbackQuery,
        callback_data: BcAudience,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
    ) -> None:
        data = await state.get_data()
        groups = await village_groups(repo, actor)
        what = callback_data.what
        if what == "next":
            if not (
                data.get("all_groups")
                or data.get("group_ids")
                or data.get("members")
                or data.get("residents")
            ):
                await callback.answer(invalid_text("no_audience"), show_alert=True)
                return
            await state.set_state(Compose.when)
            await callback.answer()
            if isinstance(callback.message, Message):
                await set_markup(callback.message, None)
                await callback.message.answer(
                    _("When should it be sent?"), reply_markup=when_keyboard()
                )
            return
        if what == "all":
            data["all_groups"] = not data.get("all_groups")
            data["group_ids"] = []
        elif what == "g":
            own = {chat_id for chat_id, _title in groups}
            if callback_data.id in own:
                chosen = set(data.get("group_ids", [])) if not data.get("all_groups") else set(own)
                chosen ^= {callback_data.id}
                data["all_groups"] = bool(own) and chosen == own
                data["group_ids"] = [] if data["all_groups"] else sorted(chosen)
        elif what in ("members", "residents"):
            data[what] = not data.get(what)
        await state.set_data(data)
        await callback.answer()
        if isinstance(callback.message, Message):
            await set_markup(callback.message, audience_keyboard(data, groups))

    @router.callback_query(StateFilter(Compose.when), BcWhen.filter())
    async def when_pressed(
        callback: CallbackQuery, callback_data: BcWhen, state: FSMContext, settings: Settings
    ) -> None:
        await callback.answer()
        if not isinstance(callback.message, Message):
            return
        await set_markup(callback.message, None)
        what = callback_data.what
        if what == "now":
            await state.update_data(when=None, rec_kind=None)
            await show_options(callback.message, state)
        elif what == "at":
            await state.update_data(rec_kind=None)
            await state.set_state(Compose.date)
            await callback.message.answer(
                _(
                    "When? Type it the way you would say it, for example “3/12 7h30”, “sáng mai 7 giờ”, "
                    "“tối nay 19h” or “thứ 7 này 19h”, or choose an item."
                ),
                reply_markup=at_keyboard(),
            )
        else:
            await state.update_data(rec_kind=what, when=None)
            await state.set_state(Compose.day)
            question = (
                _("On which day of the week?")
                if what == "weekly"
                else _("On which day of the month?")
            )
            await callback.message.answer(question, reply_markup=day_keyboard(what))

    @router.message(StateFilter(Compose.date), F.text)
    async def date_typed(message: Message, state: FSMContext, settings: Settings) -> None:
        now = datetime.now(UTC)
        when = timeparse.parse_when(message.text or "", now, settings.tz)
        if when is None:
            await message.answer(invalid_text("bad_datetime"), reply_markup=at_keyboard())
            return
        if when <= now:
            await message.answer(invalid_text("in_past"), reply_markup=at_keyboard())
            return
        await state.update_data(when=when.isoformat())
        await show_options(message, state)

    @router.callback_query(StateFilter(Compose.date), BcAt.filter())
    async def date_pressed(
        callback: CallbackQuery, callback_data: BcAt, state: FSMContext, settings: Settings
    ) -> None:
        local = datetime.now(settings.tz) + timedelta(days=callback_data.days)
        when = local.replace(
            hour=callback_data.hour, minute=callback_data.minute, second=0, microsecond=0
        )
        await state.update_data(when=when.isoformat())
        await callback.answer()
        if isinstance(callback.message, Message):
            await set_markup(callback.message, None)
            await show_options(callback.message, state)

    @router.callback_query(StateFilter(Compose.day), BcDay.filter())
    async def day_pressed(callback: CallbackQuery, callback_data: BcDay, state: FSMContext) -> None:
        await state.update_data(rec_day=callback_data.day)
        await state.set_state(Compose.time)
        await callback.answer()
        if isinstance(callback.message, Message):
            await set_markup(callback.message, None)
            await callback.message.answer(
                _("At what time? Choose one, or type it as HH:mm."), reply_markup=time_keyboard()
            )

    async def time_chosen(message: Message, state: FSMContext, hour: int, minute: int) -> None:
        data = await state.get_data()
        try:
            service.Recurrence(data["rec_kind"], data["rec_day"], hour, minute)
        except BroadcastInvalid as exc:
            await state.clear()
            await message.answer(invalid_text(exc.reason))
            return
        await state.update_data(rec_hour=hour, rec_minute=minute)
        await show_options(message, state)

    @router.callback_query(StateFilter(Compose.time), BcTime.filter())
    async def time_pressed(
        callback: CallbackQuery, callback_data: BcTime, state: FSMContext
    ) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await set_markup(callback.message, None)
            await time_chosen(callback.message, state, callback_data.hour, callback_data.minute)

    @router.message(StateFilter(Compose.time), F.text)
    async def time_typed(message: Message, state: FSMContext) -> None:
        try:
            hour, minute = service.parse_time(message.text or "")
        except BroadcastInvalid as exc:
            await message.answer(invalid_text(exc.reason), reply_markup=time_keyboard())
            return
        await time_chosen(message, state, hour, minute)

    async def show_options(message: Message, state: FSMContext) -> None:
        await state.set_state(Compose.options)
        data = await state.get_data()
        text = _("Options:")
        if data.get("when") and not data.get("rec_kind"):
            # Read the time back in words before anything is confirmed.
            moment = datetime.fromisoformat(data["when"])
            text = (
                _("📅 It will be sent on <b>{when}</b>.").format(
                    when=timeparse.describe(moment, _current_locale(), moment.tzinfo or UTC)
                )
                + "\n"
                + text
            )
        await message.answer(text, reply_markup=options_keyboard(data))

    @router.callback_query(BcBack.filter())
    async def back_pressed(
        callback: CallbackQuery, callback_data: BcBack, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        """One step back in the compose flow; what was chosen so far is kept."""
        if await state.get_state() is None or not actor.can(Action.BROADCAST, actor.village_id):
            await callback.answer(
                _("This session has ended. Send /start or use the menu to start again."),
                show_alert=True,
            )
            return
        await callback.answer()
        message = callback.message
        if not isinstance(message, Message):
            return
        await set_markup(message, None)
        to = callback_data.to
        if to == "content":
            await state.set_state(Compose.content)
            builder = InlineKeyboardBuilder()
            cancel_row(builder)
            await message.answer(
                _("Send me the announcement again: a text, or a photo or file with a caption."),
                reply_markup=builder.as_markup(),
            )
        elif to == "audience":
            await state.set_state(Compose.audience)
            await message.answer(
                _("Who should receive it? Choose the recipients, then “Next”."),
                reply_markup=audience_keyboard(
                    await state.get_data(), await village_groups(repo, actor)
                ),
            )
        elif to == "when":
            await state.set_state(Compose.when)
            await message.answer(_("When should it be sent?"), reply_markup=when_keyboard())
        else:
            await show_options(message, state)

    @router.callback_query(StateFilter(Compose.confirm), BcEdit.filter())
    async def edit_pressed(callback: CallbackQuery, state: FSMContext) -> None:
        await state.update_data(editing=True)
        await state.set_state(Compose.content)
        await callback.answer()
        if isinstance(callback.message, Message):
            await set_markup(callback.message, None)
            builder = InlineKeyboardBuilder()
            cancel_row(builder)
            await callback.message.answer(
                _(
                    "Send me the corrected announcement. The audience and the time stay as they are."
                ),
                reply_markup=builder.as_markup(),
            )

    return router
