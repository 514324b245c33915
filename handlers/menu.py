"""The commands each audience sees: one list feeds /help and Telegram's command menus."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    TelegramObject,
)
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from bot.services.authz import Action, Actor
from bot.settings import SUPPORTED_LOCALES


@dataclass(frozen=True)
class MenuCommand:
    command: str
    description: LazyProxy
    needs: Action | None = None  # None: everyone may use it
    members_only: bool = False
    private: bool = True
    group: bool = False


COMMANDS: list[MenuCommand] = [
    MenuCommand("start", __("Start or go back to the beginning")),
    MenuCommand("help", __("What I can do for you"), group=True),
    MenuCommand("tieuchi", __("Browse the new-countryside criteria")),
    MenuCommand("tiendo", __("How far our village is")),
    MenuCommand("donggop", __("Contribute to a village campaign")),
    MenuCommand("cuatoi", __("My pledges")),
    MenuCommand("congkhai", __("What was pledged and received, in public")),
    MenuCommand("thu", __("Record a receipt (treasurer)"), needs=Action.RECORD_PAYMENT),
    MenuCommand("ghinhan", __("Record a pledge for a household without a phone"), members_only=True),
    MenuCommand("layykien", __("Consultations: answer the branch's questions")),
    MenuCommand("huycamket", __("Void a wrong pledge, with the reason"), needs=Action.VOID_PLEDGE),
    MenuCommand("ngonngu", __("Change language")),
    MenuCommand("lichtham", __("My households and visits"), members_only=True),
    MenuCommand("baocao", __("Household visits report"), needs=Action.VIEW_VISIT_REPORT),
    MenuCommand("phancong", __("Assign households to members"), needs=Action.ASSIGN_VISITS),
    MenuCommand("doithon", __("Change your village")),
    MenuCommand("ketnoi", __("Link your accounts on two apps")),
    MenuCommand("moi", __("Create an invite link for a branch member"), needs=Action.CREATE_INVITE),
    MenuCommand("cauhoi", __("Residents' questions waiting for an answer"), needs=Action.ANSWER_QUESTIONS),
    MenuCommand("thongbao", __("Send an announcement"), needs=Action.BROADCAST),
    MenuCommand(
        "lienket", __("Link this group to your village (secretary)"), needs=Action.LINK_GROUP, private=False, group=True
    ),
    MenuCommand(
        "huylienket",
        __("Unlink this group from your village (secretary)"),
        needs=Action.UNLINK_GROUP,
        private=False,
        group=True,
    ),
]


def commands_for(actor: Actor | None, *, private: bool = True) -> list[MenuCommand]:
    visible = []
    for item in COMMANDS:
        if private and not item.private or not private and not item.group:
            continue
        if item.members_only and (actor is None or not actor.is_member):
            continue
        if item.needs is not None and (actor is None or not actor.can(item.needs, actor.village_id)):
            continue
        visible.append(item)
    return visible


def _bot_commands(items: list[MenuCommand], i18n: I18n, locale: str) -> list[BotCommand]:
    with i18n.use_locale(locale):
        return [BotCommand(command=i.command, description=str(i.description)) for i in items]


async def set_default_menus(bot: Bot, i18n: I18n) -> None:
    """Residents' private menu and the group menu, in every language."""
    residents = commands_for(None)
    groups = [i for i in COMMANDS if i.group]
    with i18n.context():
        for locale in SUPPORTED_LOCALES:
            await bot.set_my_commands(_bot_commands(residents, i18n, locale), BotCommandScopeDefault(), locale)
            await bot.set_my_commands(_bot_commands(groups, i18n, locale), BotCommandScopeAllGroupChats(), locale)
        await bot.set_my_commands(
            _bot_commands(residents, i18n, i18n.default_locale), BotCommandScopeDefault()
        )
        await bot.set_my_commands(
            _bot_commands(groups, i18n, i18n.default_locale), BotCommandScopeAllGroupChats()
        )


async def set_personal_menu(bot: Bot, i18n: I18n, actor: Actor, locale: str) -> None:
    """A member's or secretary's private chat gets the commands of their role."""
    await bot.set_my_commands(
        _bot_commands(commands_for(actor), i18n, locale),
        BotCommandScopeChat(chat_id=actor.platform_user_id),
    )


@dataclass(frozen=True)
class MenuButton:
    """A big button of the main keyboard; pressing it is the same as sending the command."""

    command: str
    label: LazyProxy
    needs: Action | None = None


MAIN_BUTTONS: list[MenuButton] = [
    MenuButton("tieuchi", __("📋 Criteria")),
    MenuButton("tiendo", __("📈 Village progress")),
    MenuButton("donggop", __("🤝 Contribute")),
    MenuButton("thongbao", __("📢 Announcements"), needs=Action.BROADCAST),
    MenuButton("cauhoi", __("📥 Residents' questions"), needs=Action.ANSWER_QUESTIONS),
    MenuButton("help", __("ℹ️ Help")),
]


def main_keyboard(actor: Actor | None) -> ReplyKeyboardMarkup:
    """Buttons instead of commands for everyday use; people who are not yet linked to
    the roster also get the button that shares their phone number."""
    labels = [
        KeyboardButton(text=str(button.label))
        for button in MAIN_BUTTONS
        if button.needs is None or (actor is not None and actor.can(button.needs, actor.village_id))
    ]
    rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    if actor is None or not actor.is_member:
        rows.append([KeyboardButton(text=_("📱 I am a party member: share my phone"), request_contact=True)])
    return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, is_persistent=True)


class MenuButtonMiddleware(BaseMiddleware):
    """Turns a press of a main-keyboard button (in any language) into its command, so
    the feature's own command handler answers it."""

    def __init__(self, i18n: I18n) -> None:
        self.commands: dict[str, str] = {}
        with i18n.context():
            for locale in SUPPORTED_LOCALES:
                with i18n.use_locale(locale):
                    for button in MAIN_BUTTONS:
                        self.commands[str(button.label)] = button.command

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if isinstance(event, Message) and event.text in self.commands and event.chat.type == "private":
            command = "/" + self.commands[event.text]
            event = event.model_copy(
                update={"text": command, "entities": [MessageEntity(type="bot_command", offset=0, length=len(command))]}
            )
        return await handler(event, data)
