"""/huycamket: the secretary voids a pledge recorded wrongly (a stranger's 10-tỷ pledge
in a household's name), with a reason that stays in the audit log."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.callback_ids import ROW_ID_MAX
from bot.services.authz import Actor
from bot.services.contributions import safeguards
from bot.services.contributions.delivery import amount_text
from bot.services.errors import DomainError
from bot.services.markup import esc
from handlers.contributions import common, texts
from storage.repo import Repo

USAGE_EXAMPLE = "<code>/huycamket 42 ghi nhầm số tiền</code>"


def register(router: Router) -> None:
    @router.message(Command("huycamket"))
    async def command_void_pledge_handler(
        message: Message, command: CommandObject, repo: Repo, actor: Actor, locale: str
    ) -> None:
        number, _sep, reason = (command.args or "").strip().partition(" ")
        number = number.lstrip("#")
        if not number.isdecimal() or not 0 < int(number) <= ROW_ID_MAX:
            await message.answer(
                _(
                    "Void a pledge like this: {example} (the pledge's number, then the reason)."
                ).format(example=USAGE_EXAMPLE)
            )
            return
        try:
            pledge = await safeguards.void_pledge(repo, actor, int(number), reason, common.now())
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        await message.answer(
            _(
                "Pledge #{id} ({amount}, {name}) is void. The reason is kept in the log: {reason}"
            ).format(
                id=pledge.id,
                amount=esc(
                    amount_text(pledge.kind, pledge.amount, pledge.unit, pledge.material, locale)
                ),
                name=esc(pledge.contributor_name or "—"),
                reason=esc(" ".join(reason.split())[: safeguards.MAX_REASON]),
            )
        )
