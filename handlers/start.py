"""Onboarding: /start (with village and invite deep links), language, village search,
linking an account by phone contact, /help and /ngonngu."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.callback_ids import RowId
from bot.channels.base import can_share_contact
from bot.services import onboarding
from bot.services.authz import Actor
from bot.services.errors import InviteInvalid, NotOwnContact, PhoneNotOnRoster
from bot.services.markup import esc
from handlers.cancel import cancel_keyboard
from handlers.contributions import open_campaign_link
from handlers.menu import commands_for, main_keyboard, set_personal_menu
from storage.models import Member, Role, User, Village
from storage.repo import Repo

MAX_QUERY = 200
LANGUAGES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}


class Onboarding(StatesGroup):
    village = State()
    not_listed = State()


class NotListed(CallbackData, prefix="nolist"):
    pass


class LanguageChoice(CallbackData, prefix="lang"):
    code: str


class VillageChoice(CallbackData, prefix="vil"):
    village_id: RowId


def role_name(role: Role | str) -> str:
    names = {
        Role.SECRETARY: _("branch secretary"),
        Role.DEPUTY: _("deputy secretary"),
        Role.COMMITTEE: _("branch committee member"),
        Role.MEMBER: _("party member"),
        Role.TREASURER: _("treasurer"),
    }
    return names[Role(role)]


def linked_text(member: Member) -> str:
    return _("Hello comrade {name}! Your account is now linked as {role} of {branch}.").format(
        name=esc(member.name),
        role=role_name(member.role),
        branch=esc(member.branch.name),
    )


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, label in LANGUAGES.items():
        builder.button(text=label, callback_data=LanguageChoice(code=code))
    return builder.adjust(2).as_markup()


def contact_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=_("📱 I am a party member: share my phone"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def help_text(actor: Actor | None, village: Village | None) -> str:
    """Help for the person asking: a resident, a party member and a secretary each see
    what they can do, including the commands they use in the village group."""
    lines = []
    if village is not None:
        lines.append(_("Your village: <b>{village}</b>").format(village=esc(village.name)))
    if actor is not None and actor.role is not None:
        lines.append(_("You are linked as {role}.").format(role=role_name(actor.role)))
    lines.append(_("Type any question about the new-countryside criteria, or use these commands:"))
    lines.extend(f"/{item.command} – {item.description}" for item in commands_for(actor))
    in_groups = [item for item in commands_for(actor, private=False) if item.needs is not None]
    if in_groups:
        lines.append("\n" + _("In the village group chat (add me to it first):"))
        lines.extend(f"/{item.command} – {item.description}" for item in in_groups)
    if actor is not None and actor.is_member:
        lines.append("\n" + _("As a party member you also get the branch's announcements here, in private."))
    else:
        lines.append("\n" + _("Party member? Choose “📱 I am a party member: share my phone” below to link your account."))
    lines.append(_("Wrong village? Send /doithon to change it."))
    return "\n".join(lines)


def not_listed_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🏘 My village is not listed"), callback_data=NotListed())
    return builder.as_markup()


async def ask_village(message: Message, state: FSMContext, *, newcomer: bool) -> None:
    """The village prompt, with its way out (✖) under it. A newcomer (no village yet)
    first gets the phone button (a reply keyboard cannot share a message with the ✖):
    a party member may link by phone instead of typing the village. A channel without
    that button (Zalo) gets no extra message (its quota counts them): the prompt says
    what works there instead."""
    await state.set_state(Onboarding.village)
    prompt = _("Which village (thôn, xóm, tổ dân phố) do you live in? Type its name, for example: <i>Nam Bắc Thành</i>.")
    if newcomer and can_share_contact(message.bot):
        await message.answer(
            _("📱 Party member? You may share your phone with the button below instead."),
            reply_markup=contact_keyboard(),
        )
    elif newcomer:
        prompt += "\n" + _("Party member? Type the invite code your branch secretary gave you.")
    await message.answer(prompt, reply_markup=cancel_keyboard())


async def welcome(message: Message, village: Village, actor: Actor | None) -> None:
    await message.answer(
        _("Welcome to <b>{village}</b>, {commune}! 🌾").format(
            village=esc(village.name), commune=esc(village.commune.name)
        )
    )
    await message.answer(help_text(actor, village), reply_markup=main_keyboard(actor))


def start_router() -> Router:
    router = Router(name="start")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

    @router.message(CommandStart())
    async def command_start_handler(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        repo: Repo,
        user: User,
        actor: Actor,
        bot: Bot,
        i18n: I18n,
        locale: str,
        admins: frozenset[int],
    ) -> None:
        await state.clear()
        payload = (command.args or "").strip()
        if payload.startswith("inv_"):
            try:
                member = await onboarding.accept_invite(repo, user, payload, now=datetime.now(UTC))
            except InviteInvalid as exc:
                reasons = {
                    "unknown": _("This invite link is not valid. Please ask your branch secretary for a new one."),
                    "expired": _("This invite link has expired. Please ask your branch secretary for a new one."),
                    "used": _("This invite link has already been used. Please ask your branch secretary for a new one."),
                }
                await message.answer(reasons[exc.reason])
            else:
                if user.language is None:
                    user.language = locale
                actor = await onboarding.load_actor(repo, user, admins=admins)
                await set_personal_menu(bot, i18n, actor, locale)
                await message.answer(linked_text(member))
                village = await repo.places.village(member.branch.village_id)
                if village is not None:
                    await message.answer(help_text(actor, village), reply_markup=main_keyboard(actor))
                return
        elif payload.startswith("dg_"):
            if user.language is None:
                user.language = locale
            await open_campaign_link(message, repo, user, actor, payload[3:], locale)
            return
        elif payload.startswith("h_"):
            from handlers.visits import show_house

            await show_house(message, repo, actor, payload[2:])
            return
        elif payload:
            village = await onboarding.village_from_payload(repo, payload)
            if village is not None:
                await onboarding.choose_village(repo, user, village.id)
                if user.language is None:
                    user.language = locale
                await welcome(message, village, actor)
                return
            await message.answer(_("This link is not valid. Let's find your village another way."))
        if user.language is None:
            await message.answer(
                "Xin chào! Hello! 👋\nChọn ngôn ngữ / Choose your language:",
                reply_markup=language_keyboard(),
            )
            return
        if user.village_id is None:
            await ask_village(message, state, newcomer=True)
            return
        village = await repo.places.village(user.village_id)
        await message.answer(help_text(actor, village), reply_markup=main_keyboard(actor))

    @router.callback_query(LanguageChoice.filter())
    async def language_chosen(
        callback: CallbackQuery,
        callback_data: LanguageChoice,
        state: FSMContext,
        user: User,
        actor: Actor,
        repo: Repo,
        i18n: I18n,
        bot: Bot,
    ) -> None:
        code = callback_data.code if callback_data.code in LANGUAGES else i18n.default_locale
        user.language = code
        with i18n.use_locale(code):
            await callback.answer(_("Language: {language}").format(language=LANGUAGES[code]))
            if actor.is_member:
                await set_personal_menu(bot, i18n, actor, code)
            if isinstance(callback.message, Message):
                await callback.message.edit_text(_("Language: {language}").format(language=LANGUAGES[code]))
                if user.village_id is None:
                    await ask_village(callback.message, state, newcomer=True)
                else:
                    village = await repo.places.village(user.village_id)
                    await callback.message.answer(help_text(actor, village), reply_markup=main_keyboard(actor))

    @router.message(Command("ngonngu", "language"))
    async def command_language_handler(message: Message) -> None:
        await message.answer(_("Choose your language:"), reply_markup=language_keyboard())

    @router.message(Command("help"))
    async def command_help_handler(message: Message, repo: Repo, user: User, actor: Actor) -> None:
        village = await repo.places.village(user.village_id) if user.village_id else None
        await message.answer(help_text(actor, village), reply_markup=main_keyboard(actor))

    @router.message(Command("doithon"))
    async def command_change_village(message: Message, state: FSMContext, actor: Actor, user: User) -> None:
        if actor.is_member:
            await message.answer(
                _("Your village comes from your branch's roster. If it is wrong, please ask your branch secretary.")
            )
            return
        await ask_village(message, state, newcomer=user.village_id is None)

    @router.message(StateFilter(Onboarding.village), F.text, ~F.text.startswith("/"))
    async def village_typed(message: Message, repo: Repo) -> None:
        query = (message.text or "")[:MAX_QUERY]
        if onboarding.looks_like_question(query):
            await message.answer(
                _(
                    "That looks like a question. 🙂 I will answer it once I know your village, because the "
                    "answer depends on it. Please type just the name of your village, for example: "
                    "<i>Nam Bắc Thành</i>."
                ),
                reply_markup=not_listed_keyboard(),
            )
            return
        found = await onboarding.search_villages(repo, query)
        if not found:
            await message.answer(
                _("I could not find a village called “{query}”. Please check the name and try again.").format(
                    query=esc(query[:60])
                ),
                reply_markup=not_listed_keyboard(),
            )
            return
        builder = InlineKeyboardBuilder()
        for choice in found:
            builder.button(
                text=f"{choice.name} – {choice.commune_name}",
                callback_data=VillageChoice(village_id=choice.village_id),
            )
        builder.button(text=_("🏘 My village is not listed"), callback_data=NotListed())
        builder.adjust(1)
        await message.answer(_("Is it one of these? Choose your village:"), reply_markup=builder.as_markup())

    @router.callback_query(NotListed.filter())
    async def village_not_listed(callback: CallbackQuery, state: FSMContext) -> None:
        await state.set_state(Onboarding.not_listed)
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _(
                    "Sorry, your village is not with us yet. Type its name, the commune and the province "
                    "(for example: <i>Thôn Đông, xã Cẩm Bình, Hà Tĩnh</i>) and I will pass it on to the people "
                    "who run this assistant."
                ),
                reply_markup=cancel_keyboard(),
            )

    @router.message(StateFilter(Onboarding.not_listed), F.text, ~F.text.startswith("/"))
    async def missing_village_typed(message: Message, state: FSMContext, repo: Repo, user: User) -> None:
        await onboarding.request_missing_village(repo, user, message.text or "")
        await state.clear()
        await message.answer(
            _(
                "Thank you! I have passed it on. Meanwhile you can read the criteria with /tieuchi. "
                "When your village is added, send /doithon to choose it."
            )
        )

    @router.message(StateFilter(Onboarding.village), ~F.contact)
    async def village_not_text(message: Message) -> None:
        await message.answer(_("Please type the name of your village as text."))

    @router.callback_query(VillageChoice.filter())
    async def village_chosen(
        callback: CallbackQuery,
        callback_data: VillageChoice,
        state: FSMContext,
        repo: Repo,
        user: User,
        actor: Actor,
    ) -> None:
        village = await onboarding.choose_village(repo, user, callback_data.village_id)
        await state.clear()
        await callback.answer()
        if isinstance(callback.message, Message):
            await callback.message.edit_reply_markup(reply_markup=None)
            await welcome(callback.message, village, actor)

    @router.message(F.contact)
    async def contact_shared(
        message: Message,
        state: FSMContext,
        repo: Repo,
        user: User,
        bot: Bot,
        i18n: I18n,
        locale: str,
        admins: frozenset[int],
    ) -> None:
        contact = message.contact
        assert contact is not None
        try:
            link = await onboarding.link_by_contact(
                repo, user, contact_user_id=contact.user_id, phone=contact.phone_number
            )
        except NotOwnContact:
            await message.answer(
                _("Please share your own phone number with the button below, not someone else's contact."),
                reply_markup=contact_keyboard(),
            )
            return
        except PhoneNotOnRoster:
            # Keep the keyboard: the menu (and the share button, to try again) stays usable.
            actor = await onboarding.load_actor(repo, user, admins=admins)
            await message.answer(
                _(
                    "This number is not on the branch roster. If you are a party member, "
                    "ask your branch secretary for an invite link."
                ),
                reply_markup=main_keyboard(actor) if user.village_id else contact_keyboard(),
            )
            return
        await state.clear()
        if user.language is None:
            user.language = locale
        if link.member is not None:
            member = link.member
            actor = await onboarding.load_actor(repo, user, admins=admins)
            await set_personal_menu(bot, i18n, actor, locale)
            await message.answer(linked_text(member), reply_markup=ReplyKeyboardRemove())
        else:
            actor = await onboarding.load_actor(repo, user, admins=admins)
            await message.answer(_("Thank you! Your household is now linked."), reply_markup=ReplyKeyboardRemove())
        village = await repo.places.village(user.village_id) if user.village_id else None
        await message.answer(help_text(actor, village), reply_markup=main_keyboard(actor))

    return router
