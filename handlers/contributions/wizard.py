"""The new-campaign wizard's helpers: a goal for each chosen kind, the last day typed as
people say it (through ``timeparse``, with an example that is always ahead), and the
review screen with edit and cancel before anything is created."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.authz import Actor
from bot.services.contributions import delivery as contrib_delivery
from bot.services.contributions import files, service
from bot.services.contributions.amounts import parse_labour, parse_land, parse_money
from bot.services.contributions.delivery import amount_text, kind_labels
from bot.services.errors import DomainError
from bot.services.markup import esc
from bot.services.timeparse import parse_when
from bot.settings import Settings
from handlers.cancel import add_cancel
from handlers.contributions import common, texts
from handlers.contributions.callbacks import DgNew
from handlers.contributions.common import NewCampaign
from storage.repo import Repo

# Kinds whose goal is one number in one unit; a materials campaign welcomes any material.
GOAL_KINDS = ("money", "labour", "land")
NO_GOAL = ("-", "0", "không", "khong", "ko", "no", "none")
GOAL_PARSERS = {
    "money": parse_money,
    "labour": lambda text: parse_labour(text).amount,
    "land": lambda text: parse_land(text).amount,
}


def next_goal_kind(draft: dict[str, Any]) -> str | None:
    goals = draft.get("goals") or {}
    return next((k for k in GOAL_KINDS if k in draft.get("kinds", []) and k not in goals), None)


def goal_prompt(kind: str) -> str:
    return {
        "money": _("The money goal? For example <code>600 triệu</code>, or <code>-</code> for none."),
        "labour": _("The labour goal? For example <code>500 ngày công</code>, or <code>-</code> for none."),
        "land": _("The land goal? For example <code>200 m2</code>, or <code>-</code> for none."),
    }[kind]


def parse_goal(kind: str, text: str) -> int | None:
    """The goal typed for ``kind`` (None: no goal); InvalidAmount when unreadable."""
    if text.strip().casefold() in NO_GOAL:
        return None
    return GOAL_PARSERS[kind](text)


def end_example(today: date) -> tuple[str, str]:
    """Two ways to write a last day that is always ahead of ``today``: a date two months
    on, and the end of the month after next in words."""
    ahead = today + timedelta(days=61)
    return ahead.strftime("%d/%m/%Y"), f"cuối tháng {ahead.month}"


def end_prompt(today: date) -> str:
    day, words = end_example(today)
    return _("The last day of the campaign? For example <code>{date}</code> or <code>{words}</code>.").format(
        date=day, words=words
    )


def parse_end(text: str, now: datetime, timezone: str) -> date | None:
    """The last day as people type it ("30/6", "cuối tháng 1", "15/1/2027"), or None."""
    moment = parse_when(text, now, ZoneInfo(timezone), default_time=time(12))
    return moment.date() if moment is not None else files.parse_date(text)


def review_text(draft: dict[str, Any], locale: str) -> str:
    labels = kind_labels(_)
    goals = draft.get("goals") or {}
    lines = [
        _("<b>Please check the new campaign</b> (nothing is created yet):"),
        _("Name: <b>{name}</b>").format(name=esc(str(draft.get("name", "")))),
    ]
    if draft.get("purpose"):
        lines.append(esc(str(draft["purpose"])))
    for kind in draft.get("kinds", []):
        goal = goals.get(kind)
        unit = service.UNITS.get(service.ContributionKind(kind), "")
        lines.append(
            f"{labels.get(kind, kind)}: "
            + (
                amount_text(kind, int(goal), unit, "", locale)
                if goal
                else _("no goal, every contribution is welcome")
            )
        )
    if draft.get("ends_on"):
        lines.append(
            _("Until {date}").format(date=date.fromisoformat(str(draft["ends_on"])).strftime("%d/%m/%Y"))
        )
    if "money" in draft.get("kinds", []) and draft.get("account_number"):
        lines.append(
            _("Account: {bank} {account} · {holder}").format(
                bank=esc(str(draft.get("bank_name") or draft.get("bank_bin", ""))),
                account=esc(str(draft.get("account_number", ""))),
                holder=esc(str(draft.get("account_holder", ""))),
            )
        )
    lines.append(
        _("Contributors' names shown on the public board.")
        if draft.get("names_public", True)
        else _("Only totals on the public board.")
    )
    return "\n".join(lines)


def review_keyboard(draft: dict[str, Any]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Create the campaign"), callback_data=DgNew(what="create"))
    builder.button(text=_("✏ Name"), callback_data=DgNew(what="edit", kind="name"))
    builder.button(text=_("✏ Kinds and goals"), callback_data=DgNew(what="edit", kind="kinds"))
    builder.button(text=_("✏ Last day"), callback_data=DgNew(what="edit", kind="end"))
    if "money" in draft.get("kinds", []):
        builder.button(text=_("✏ Bank account"), callback_data=DgNew(what="edit", kind="bank"))
    add_cancel(builder)
    return builder.adjust(1, 2, 2, 1).as_markup()


async def show_review(message: Message, state: FSMContext, locale: str) -> None:
    draft = dict((await state.get_data()).get("dg_new") or {})
    draft["review"] = True
    await state.update_data(dg_new=draft)
    await state.set_state(NewCampaign.review)
    await message.answer(review_text(draft, locale), reply_markup=review_keyboard(draft))


def register_review(router: Router) -> None:
    """The review screen's buttons: create, or go back to a step (then back to review)."""

    @router.callback_query(DgNew.filter(F.what == "edit"), StateFilter(NewCampaign.review))
    async def edit_pressed(callback: CallbackQuery, callback_data: DgNew, state: FSMContext, settings: Settings) -> None:
        from handlers.contributions import keyboards

        await callback.answer()
        message = callback.message if isinstance(callback.message, Message) else None
        if message is None:
            return
        await common.set_markup(message, None)
        draft = dict((await state.get_data()).get("dg_new") or {})
        step = callback_data.kind
        if step == "name":
            await state.set_state(NewCampaign.name)
            await message.answer(
                _("Type the new name; on the next lines, what it is for (optional)."),
                reply_markup=add_cancel(InlineKeyboardBuilder()).as_markup(),
            )
        elif step == "kinds":
            draft["goals"] = {}
            await state.update_data(dg_new=draft)
            await state.set_state(NewCampaign.kinds)
            await message.answer(
                _("Which kinds of contribution does it take?"),
                reply_markup=keyboards.new_kinds_keyboard(draft.get("kinds", [])),
            )
        elif step == "end":
            await state.set_state(NewCampaign.end)
            today = service.local_today(common.now(), settings.timezone)
            await message.answer(end_prompt(today), reply_markup=add_cancel(InlineKeyboardBuilder()).as_markup())
        elif step == "bank":
            await state.set_state(NewCampaign.bank)
            await message.answer(
                bank_prompt(),
                reply_markup=add_cancel(InlineKeyboardBuilder()).as_markup(),
            )

    @router.callback_query(DgNew.filter(F.what == "create"), StateFilter(NewCampaign.review))
    async def create_pressed(
        callback: CallbackQuery,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        locale: str,
    ) -> None:
        from handlers.contributions.pledge import show_campaign

        draft = dict((await state.get_data()).get("dg_new") or {})
        now = common.now()
        goals = draft.get("goals") or {}
        try:
            campaign = await service.create_campaign(
                repo,
                actor,
                village_id=actor.village_id or 0,
                name=str(draft.get("name", "")),
                purpose=str(draft.get("purpose", "")),
                goals={kind: goals.get(kind) for kind in draft.get("kinds", [])},
                starts_on=service.local_today(now, settings.timezone),
                ends_on=date.fromisoformat(str(draft.get("ends_on"))),
                bank_bin=str(draft.get("bank_bin", "")),
                bank_name=str(draft.get("bank_name", "")),
                account_number=str(draft.get("account_number", "")),
                account_holder=str(draft.get("account_holder", "")),
                names_public=bool(draft.get("names_public", True)),
                now=now,
            )
        except (DomainError, ValueError) as error:
            await callback.answer(
                texts.error_text(error) if isinstance(error, DomainError) else _("That cannot be done."),
                show_alert=True,
            )
            return
        await state.set_state(None)
        await state.update_data(dg_new=None)
        await callback.answer()
        username = (await bot.me()).username or "villagebot"
        await common.edit(
            callback.message,
            _("✅ Campaign <b>{name}</b> created. Its link for residents:\n{link}").format(
                name=esc(campaign.name),
                link=contrib_delivery.pledge_link(username, campaign.code),
            ),
        )
        if isinstance(callback.message, Message):
            await show_campaign(callback.message, repo, actor, campaign, locale)


def bank_prompt() -> str:
    return _(
        "The village fund's account for transfers: the bank's name, the account number and the holder, for example:\n<code>Agribank 3600205123456 QUY THON NAM BAC THANH</code>"
    )
