"""/congkhai: the public board of the village's campaigns, and its chart."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Actor
from bot.services.contributions import service
from bot.services.contributions.delivery import board_text
from handlers.contributions import keyboards
from storage.repo import Repo


def register(router: Router) -> None:
    @router.message(Command("congkhai"))
    async def command_board_handler(
        message: Message, repo: Repo, actor: Actor, locale: str
    ) -> None:
        campaigns = list(await service.campaigns_for(repo, actor, open_only=False))[:3]
        if not campaigns:
            await message.answer(_("There is no contribution campaign in your village right now."))
            return
        from bot.services.contributions.chart import board_chart  # matplotlib: on first use

        for campaign in campaigns:
            board = await service.board(repo, actor, campaign)
            await message.answer(
                board_text(board, _, locale), reply_markup=keyboards.board_keyboard(campaign, actor)
            )
            await message.answer_photo(
                BufferedInputFile(
                    board_chart(board, _, locale), filename=f"congkhai-{campaign.code}.png"
                )
            )
