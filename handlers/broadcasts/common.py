"""Helpers shared by the announcement flows: the draft kept in the FSM data, the
village's groups, the polite refusal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services import broadcasts as service
from bot.services.authz import Actor
from storage.repo import Repo


def draft_from(data: dict[str, Any], tz: Any) -> service.Draft:
    recurrence = None
    when = None
    if data.get("rec_kind"):
        recurrence = service.Recurrence(
            data["rec_kind"], data["rec_day"], data["rec_hour"], data["rec_minute"]
        )
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


async def village_groups(repo: Repo, actor: Actor) -> list[tuple[int, str]]:
    assert actor.village_id is not None
    return [(chat.id, chat.title) for chat in await repo.chats.of_village(actor.village_id)]


async def refuse(event: Message | CallbackQuery) -> None:
    text = _(
        "Sorry, only the branch secretary, deputy secretary and committee members can send announcements."
    )
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.answer(text)
