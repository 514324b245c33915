"""/thongbao: compose an announcement with buttons (content, audience, when, options,
preview, confirm), list past and scheduled ones, cancel; the "Đã nắm" button."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.outbox import AckButton, Content, OutboxSender, render, send_content
from bot.scheduler import BroadcastScheduler
from bot.services import broadcasts as service
from bot.services import timeparse
from bot.services.authz import Action, Actor
from bot.services.errors import BroadcastInvalid, NotAllowed, NotFound
from bot.settings import Settings
from storage.models import Broadcast, User
from storage.repo import Repo

TIMES = ((5, 30), (6, 0), (6, 30), (7, 0), (8, 0), (17, 0), (19, 0), (20, 0))


class BcBack(CallbackData, prefix="bcb"):
    to: str  # content | audience | when | options


class BcEdit(CallbackData, prefix="bce"):
    """At the preview: fix the text, keeping the audience and the time."""


class BcCancelYes(CallbackData, prefix="bcxy"):
    id: int


class Compose(StatesGroup):
    content = State()
    audience = State()
    when = State()
    date = State()
    day = State()
    time = State()
    options = State()
    confirm = State()


class BcMenu(CallbackData, prefix="bcm"):
    action: str  # new | cancel
    id: int = 0


class BcAudience(CallbackData, prefix="bca"):
    what: str  # all | g | members | residents | next
    id: int = 0


class BcWhen(CallbackData, prefix="bcw"):
    what: str  # now | at | weekly | monthly


class BcAt(CallbackData, prefix="bcat"):
    days: int
    hour: int
    minute: int


class BcDay(CallbackData, prefix="bcd"):
    day: int


class BcTime(CallbackData, prefix="bct"):
    hour: int
    minute: int


class BcOption(CallbackData, prefix="bco"):
    what: str  # pin | ack | preview


class BcConfirm(CallbackData, prefix="bcc"):
    what: str  # send | cancel


class BcShow(CallbackData, prefix="bcs"):
    id: int


class BcCancel(CallbackData, prefix="bcx"):
    id: int


async def set_markup(message: Message, markup: InlineKeyboardMarkup | None) -> None:
    """Edit a keyboard; a double tap that changes nothing is not an error."""
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


def weekday_names() -> list[str]:
    return [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]


def _check(on: bool) -> str:
    return "✅" if on else "⬜"


def cancel_row(builder: InlineKeyboardBuilder, back: str | None = None) -> None:
    """The last row of every compose step: back one step (when there is one) and close.
    "✖ Close" only abandons the draft; deleting a scheduled announcement is "🗑" and asks first."""
    if back is not None:
        builder.button(text=_("◀ Back"), callback_data=BcBack(to=back))
    builder.button(text=_("✖ Close without sending"), callback_data=BcMenu(action="cancel"))


def audience_keyboard(data: dict[str, Any], groups: list[tuple[int, str]]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    chosen = set(data.get("group_ids", []))
    every = bool(data.get("all_groups"))
    if groups:
        label = _("All village groups")
        builder.button(text=f"{_check(every)} {label}", callback_data=BcAudience(what="all"))
        for chat_id, title in groups:
            builder.button(
                text=f"{_check(every or chat_id in chosen)} 👥 {title}", callback_data=BcAudience(what="g", id=chat_id)
            )
    members, residents = _("Party members"), _("Residents who use the bot")
    builder.button(text=f"{_check(data.get('members', False))} 🎖 {members}", callback_data=BcAudience(what="members"))
    builder.button(text=f"{_check(data.get('residents', False))} 🏠 {residents}", callback_data=BcAudience(what="residents"))
    builder.button(text=_("Next ▶"), callback_data=BcAudience(what="next"))
    cancel_row(builder, back="content")
    return builder.adjust(1).as_markup()


def when_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📤 Send now"), callback_data=BcWhen(what="now"))
    builder.button(text=_("🕒 At a date and time"), callback_data=BcWhen(what="at"))
    builder.button(text=_("🔁 Every week"), callback_data=BcWhen(what="weekly"))
    builder.button(text=_("🔁 Every month"), callback_data=BcWhen(what="monthly"))
    cancel_row(builder, back="audience")
    return builder.adjust(1).as_markup()


def at_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for hour in (7, 19):
        builder.button(text=_("Tomorrow {hour:02d}:00").format(hour=hour), callback_data=BcAt(days=1, hour=hour, minute=0))
    cancel_row(builder, back="when")
    return builder.adjust(2, 1).as_markup()


def day_keyboard(kind: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if kind == "weekly":
        for number, name in enumerate(weekday_names()):
            builder.button(text=name, callback_data=BcDay(day=number))
        builder.adjust(2)
    else:
        for day in range(1, 32):
            builder.button(text=str(day), callback_data=BcDay(day=day))
        builder.adjust(7)
    cancel_row(builder, back="when")
    return builder.as_markup()


def time_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for hour, minute in TIMES:
        builder.button(text=f"{hour:02d}:{minute:02d}", callback_data=BcTime(hour=hour, minute=minute))
    cancel_row(builder, back="when")
    return builder.adjust(4, 4, 2).as_markup()


def options_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if data.get("all_groups") or data.get("group_ids"):
        pin = _("Pin in the groups")
        builder.button(text=f"{_check(data.get('pin', False))} 📌 {pin}", callback_data=BcOption(what="pin"))
    ack = _("Ask for “Got it”")
    builder.button(text=f"{_check(data.get('ack', False))} ✋ {ack}", callback_data=BcOption(what="ack"))
    builder.button(text=_("👀 Preview ▶"), callback_data=BcOption(what="preview"))
    cancel_row(builder, back="when")
    return builder.adjust(1).as_markup()


def draft_from(data: dict[str, Any], tz: Any) -> service.Draft:
    recurrence = None
    when = None
    if data.get("rec_kind"):
        recurrence = service.Recurrence(data["rec_kind"], data["rec_day"], data["rec_hour"], data["rec_minute"])
    elif data.get("when"):
        when = datetime.fromisoformat(data["when"])
    return service.Draft(
        kind=data["kind"],
        text=data.get("text", ""),
        file_id=data.get("file_id"),
        audience=service.Audience(
            all_groups=bool(data.get("all_groups")),
            group_ids=tuple(data.get("group_ids", [])),
            members=bool(data.get("members")),
            residents=bool(data.get("residents")),
        ),
        pin=bool(data.get("pin")) and bool(data.get("all_groups") or data.get("group_ids")),
        ask_ack=bool(data.get("ack")),
        when=when,
        recurrence=recurrence,
    )


def _current_locale() -> str:
    from aiogram.utils.i18n import get_i18n

    return get_i18n().current_locale


def when_text(draft: service.Draft, tz: Any, locale: str | None = None) -> str:
    if draft.recurrence is not None:
        rule = draft.recurrence
        at = f"{rule.hour:02d}:{rule.minute:02d}"
        if rule.kind == "weekly":
            return _("every {day} at {time}").format(day=weekday_names()[rule.day], time=at)
        return _("on day {day} of every month at {time}").format(day=rule.day, time=at)
    if draft.when is not None:
        return timeparse.describe(draft.when, locale or _current_locale(), tz)
    return _("now")


def invalid_text(reason: str) -> str:
    texts = {
        "empty": _("The announcement is empty. Please send its text, or a photo or file with a caption."),
        "too_long": _("The announcement is too long. Please shorten it (text up to 3900 characters, caption up to 900)."),
        "no_audience": _("Please choose at least one audience."),
        "no_recipients": _("Nobody can receive this announcement yet: no linked groups or users in this audience."),
        "bad_datetime": _(
            "I could not read that. Type the day and time the way you would say them, for example "
            "“3/12 7h30”, “sáng mai 7 giờ”, “thứ 7 này 19h” or “25/12 19:00”."
        ),
        "in_past": _("That time has already passed. Please choose a time in the future."),
        "bad_recurrence": _("That schedule is not valid. Please start again."),
        "not_cancellable": _("This announcement can no longer be cancelled."),
    }
    return texts.get(reason, texts["empty"])


def status_text(broadcast: Broadcast) -> str:
    names = {
        "scheduled": _("scheduled"),
        "active": _("sending"),
        "done": _("sent"),
        "cancelled": _("cancelled"),
        "missed": _("missed (bot was offline)"),
    }
    return names.get(broadcast.status, broadcast.status)


def broadcasts_router() -> Router:
    """Composing and managing announcements (private) and the "Đã nắm" button (anywhere)."""
    router = Router(name="broadcasts")
    router.include_routers(_compose_router(), _ack_router())
    return router


def _ack_router() -> Router:
    router = Router(name="broadcast_ack")

    @router.callback_query(AckButton.filter())
    async def ack_pressed(callback: CallbackQuery, callback_data: AckButton, repo: Repo, user: User) -> None:
        if callback_data.run_id == 0:
            await callback.answer(_("This is only a preview."))
            return
        counted = await service.record_ack(
            repo,
            callback_data.run_id,
            platform_user_id=callback.from_user.id,
            user_id=user.id,
            name=callback.from_user.full_name,
            chat_id=callback.message.chat.id if callback.message else 0,
            message_id=callback.message.message_id if callback.message else None,
        )
        if counted is None:
            await callback.answer(_("This announcement did not ask you for a confirmation."), show_alert=True)
        elif counted:
            await callback.answer(_("Thank you! Noted ✅"))
        else:
            await callback.answer(_("You have already confirmed. Thank you!"))

    return router


def _compose_router() -> Router:
    router = Router(name="broadcast_compose")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

    async def village_groups(repo: Repo, actor: Actor) -> list[tuple[int, str]]:
        assert actor.village_id is not None
        return [(chat.id, chat.title) for chat in await repo.chats.of_village(actor.village_id)]

    async def refuse(event: Message | CallbackQuery) -> None:
        text = _("Sorry, only the branch secretary, deputy secretary and committee members can send announcements.")
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        else:
            await event.answer(text)

    @router.message(Command("thongbao"))
    async def command_broadcast_handler(message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings) -> None:
        await state.clear()
        if not actor.can(Action.BROADCAST, actor.village_id):
            await refuse(message)
            return
        items = await service.list_broadcasts(repo, actor)
        builder = InlineKeyboardBuilder()
        builder.button(text=_("✍️ New announcement"), callback_data=BcMenu(action="new"))
        for item in items:
            when = (item.next_due_at or item.created_at).astimezone(settings.tz).strftime("%d/%m %H:%M")
            icon = {"scheduled": "🕒", "cancelled": "✖", "missed": "⚠️"}.get(item.status, "📢")
            label = (item.text or "").replace("\n", " ")[:30] or item.kind
            builder.button(text=f"{icon} {when} · {label}", callback_data=BcShow(id=item.id))
        builder.adjust(1)
        text = _("📢 <b>Announcements</b>")
        if items:
            text += "\n" + _("Press one to see its details and who acknowledged it.")
        await message.answer(text, reply_markup=builder.as_markup())

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
    async def content_received(message: Message, state: FSMContext, repo: Repo, actor: Actor) -> None:
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
            service.validate(service.Draft(kind=kind, text=text, file_id=file_id, audience=service.Audience(residents=True)))
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
            _("Who should receive it? Press to choose, then “Next”."),
            reply_markup=audience_keyboard(data, await village_groups(repo, actor)),
        )

    @router.callback_query(StateFilter(Compose.audience), BcAudience.filter())
    async def audience_pressed(
        callback: CallbackQuery, callback_data: BcAudience, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        data = await state.get_data()
        groups = await village_groups(repo, actor)
        what = callback_data.what
        if what == "next":
            if not (data.get("all_groups") or data.get("group_ids") or data.get("members") or data.get("residents")):
                await callback.answer(invalid_text("no_audience"), show_alert=True)
                return
            await state.set_state(Compose.when)
            await callback.answer()
            if isinstance(callback.message, Message):
                await set_markup(callback.message, None)
                await callback.message.answer(_("When should it be sent?"), reply_markup=when_keyboard())
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
    async def when_pressed(callback: CallbackQuery, callback_data: BcWhen, state: FSMContext, settings: Settings) -> None:
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
                    "“tối nay 19h” or “thứ 7 này 19h”, or press a button."
                ),
                reply_markup=at_keyboard(),
            )
        else:
            await state.update_data(rec_kind=what, when=None)
            await state.set_state(Compose.day)
            question = _("On which day of the week?") if what == "weekly" else _("On which day of the month?")
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
    async def date_pressed(callback: CallbackQuery, callback_data: BcAt, state: FSMContext, settings: Settings) -> None:
        local = datetime.now(settings.tz) + timedelta(days=callback_data.days)
        when = local.replace(hour=callback_data.hour, minute=callback_data.minute, second=0, microsecond=0)
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
            await callback.message.answer(_("At what time? Press one, or type it as HH:mm."), reply_markup=time_keyboard())

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
    async def time_pressed(callback: CallbackQuery, callback_data: BcTime, state: FSMContext) -> None:
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
            text = _("📅 It will be sent on <b>{when}</b>.").format(
                when=timeparse.describe(moment, _current_locale(), moment.tzinfo or UTC)
            ) + "\n" + text
        await message.answer(text, reply_markup=options_keyboard(data))

    @router.callback_query(BcBack.filter())
    async def back_pressed(
        callback: CallbackQuery, callback_data: BcBack, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        """One step back in the compose flow; what was chosen so far is kept."""
        if await state.get_state() is None or not actor.can(Action.BROADCAST, actor.village_id):
            await callback.answer(_("This session has ended. Send /start or use the menu to start again."), show_alert=True)
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
                _("Who should receive it? Press to choose, then “Next”."),
                reply_markup=audience_keyboard(await state.get_data(), await village_groups(repo, actor)),
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
                _("Send me the corrected announcement. The audience and the time stay as they are."),
                reply_markup=builder.as_markup(),
            )

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
        content = Content(draft.kind, draft.text, draft.file_id, village.name if village else "", draft.pin, draft.ask_ack)
        text, markup = render(content, i18n, locale, 0)
        await callback.message.answer(_("👀 Preview – this is exactly what people will see:"))
        await send_content(bot, callback.message.chat.id, content, text, markup)
        groups = sum(1 for r in recipients if r.group_id is not None)
        people = len(recipients) - groups
        lines = [
            _("<b>Audience:</b> {groups} groups, {people} people").format(groups=groups, people=people),
            _("<b>When:</b> {when}").format(when=when_text(draft, settings.tz, locale)),
        ]
        if draft.pin:
            lines.append(_("📌 Pinned in the groups"))
        if draft.ask_ack:
            lines.append(_("✋ Asks for “Got it”"))
        builder = InlineKeyboardBuilder()
        confirm = _("✅ Confirm and send") if draft.when is None and draft.recurrence is None else _("✅ Confirm schedule")
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
            progress = await message.answer(
                _("📤 Sending… {sent} of {total} delivered, {failed} failed, {waiting} waiting.").format(
                    sent=0, total=created.recipients, failed=0, waiting=created.recipients
                )
            )
            created.run.progress_message_id = progress.message_id
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

    @router.callback_query(BcShow.filter())
    async def show_pressed(callback: CallbackQuery, callback_data: BcShow, repo: Repo, actor: Actor, settings: Settings) -> None:
        try:
            broadcast = await service.broadcast_for(repo, actor, callback_data.id)
        except (NotAllowed, NotFound):
            await refuse(callback)
            return
        await callback.answer()
        tz = settings.tz
        lines = [
            _("📢 <b>Announcement</b> ({status})").format(status=status_text(broadcast)),
            html.escape(broadcast.text[:500], quote=False) or "—",
            "",
            _("Created: {at}").format(at=broadcast.created_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")),
        ]
        if broadcast.recurrence:
            lines.append(
                _("Repeats: {rule}").format(
                    rule=when_text(service.Draft("text", "", service.Audience(), recurrence=service.Recurrence.parse(broadcast.recurrence)), tz)
                )
            )
        if broadcast.next_due_at is not None:
            lines.append(_("Next sending: {at}").format(at=broadcast.next_due_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")))
        for run in await repo.broadcasts.runs_of(broadcast.id):
            report = await service.run_report(repo, run.id)
            lines.append("")
            lines.append(
                _("Sent {at}: {sent} of {total} delivered, {failed} failed, {acks} acknowledged.").format(
                    at=run.started_at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
                    sent=report.sent,
                    total=report.total,
                    failed=report.failed,
                    acks=report.acknowledged,
                )
            )
            acks = await repo.broadcasts.acks(run.id)
            if acks:
                names = ", ".join(html.escape(a.name, quote=False) for a in acks[:40])
                more = len(acks) - 40
                lines.append(_("Acknowledged by: {names}").format(names=names) + (f" (+{more})" if more > 0 else ""))
        builder = InlineKeyboardBuilder()
        if broadcast.status == "scheduled":
            builder.button(text=_("🗑 Cancel this announcement"), callback_data=BcCancel(id=broadcast.id))
        if isinstance(callback.message, Message):
            await callback.message.answer("\n".join(lines)[:4000], reply_markup=builder.as_markup())

    @router.callback_query(BcCancel.filter())
    async def cancel_pressed(callback: CallbackQuery, callback_data: BcCancel, repo: Repo, actor: Actor, settings: Settings) -> None:
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
        snippet = html.escape((broadcast.text or "").replace("\n", " ")[:80], quote=False)
        if broadcast.recurrence:
            rule = when_text(
                service.Draft("text", "", service.Audience(), recurrence=service.Recurrence.parse(broadcast.recurrence)),
                settings.tz,
            )
            question = _("Delete the announcement “{snippet}” that repeats {rule}? It will not be sent again.").format(
                snippet=snippet, rule=rule
            )
        else:
            question = _("Delete the scheduled announcement “{snippet}”? It will not be sent.").format(snippet=snippet)
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
