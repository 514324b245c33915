"""/congkhai: the public board of the village's campaigns, and its chart."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Actor
from bot.services.contributions import files, service
from bot.services.contributions.delivery import board_text, kind_labels
from handlers.contributions import keyboards
from storage.repo import Repo


def chart_for(board: service.Board) -> bytes:
    labels = kind_labels(_)
    bars = []
    for line in board.kinds:
        base = line.goal or line.pledged
        if not base:
            continue
        label = labels.get(line.kind, line.kind)
        if line.kind == "material" and line.unit:
            label = f"{label} ({line.unit})"
        bars.append((label, line.pledged * 100 // base, line.received * 100 // base))
    return files.chart_png(
        board.campaign.name, bars or [(labels["money"], 0, 0)], (_("Pledged"), _("Received"))
    )


def register(router: Router) -> None:
    @router.message(Command("congkhai"))
    async def command_board_handler(
        message: Message, repo: Repo, actor: Actor, locale: str
    ) -> None:
        campaigns = list(await service.campaigns_for(repo, actor, open_only=False))[:3]
        if not campaigns:
            await message.answer(_("There is no contribution campaign in your village right now."))
            return
        for campaign in campaigns:
            board = await service.board(repo, actor, campaign)
            await message.answer(
                board_text(board, _, locale), reply_markup=keyboards.board_keyboard(campaign, actor)
            )
            await message.answer_photo(
                BufferedInputFile(chart_for(board), filename=f"congkhai-{campaign.code}.png")
            )
