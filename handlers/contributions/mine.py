"""/cuatoi and what a resident does with their own pledge: a note, their name shown or
not, the household it is for, a new amount, cancel, the VietQR again, no reminders."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services import households
from bot.services.authz import Actor
from bot.services.contributions import service
from bot.services.contributions.amounts import InvalidAmount
from bot.services.errors import DomainError
from bot.services.markup import esc
from handlers.cancel import cancel_keyboard
from handlers.contributions import common, keyboards, texts
from handlers.contributions.callbacks import DgHousehold, PledgeAction
from handlers.contributions.common import Pledging
from handlers.contributions.pledge import send_vietqr
from storage.repo import Repo


def register(router: Router) -> None:
    @router.callback_query(PledgeAction.filter())
    async def pledge_action_pressed(
        callback: CallbackQuery,
        callback_data: PledgeAction,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        locale: str,
    ) -> None:
        action, pledge_id = callback_data.action, callback_data.pledge_id
        try:
            pledge, campaign = await service.own_pledge(repo, actor, pledge_id)
            if action == "stop":
                await service.stop_reminders(repo, actor, pledge_id, common.now())
                await callback.answer(
                    _("I will not remind you about this pledge again."), show_alert=True
                )
                return
            if action == "name":
                pledge = await service.set_pledge_extras(
                    repo, actor, pledge_id, common.now(), show_name=not pledge.show_name
                )
                await callback.answer(
                    _("Your name will be shown.")
                    if pledge.show_name
                    else _("Your name will not be shown.")
                )
                if isinstance(callback.message, Message):
                    await common.set_markup(
                        callback.message, keyboards.extras_keyboard(pledge, campaign.names_public)
                    )
                return
            if action == "hh":
                await callback.answer()
                if not isinstance(callback.message, Message):
                    return
                if not await households.verified_in(repo, actor, campaign.village_id):
                    await callback.message.answer(texts.household_unverified_text())
                    return
                await state.set_state(Pledging.household)
                await state.update_data(dg_pledge=pledge_id)
                await callback.message.answer(
                    texts.ask_household_text(), reply_markup=cancel_keyboard()
                )
                return
            if action == "qr":
                await callback.answer()
                if pledge.kind == "money" and callback.message is not None:
                    await send_vietqr(bot, callback.message.chat.id, pledge, campaign, locale)
                return
            if action == "cancel":
                await service.cancel_pledge(repo, actor, pledge_id, common.now())
                await callback.answer(_("Your pledge is cancelled."))
                await common.edit(callback.message, texts.pledge_line(pledge, campaign, locale))
                return
            if action in ("note", "change"):
                await state.set_state(Pledging.note if action == "note" else Pledging.change)
                await state.update_data(dg_pledge=pledge_id)
                await callback.answer()
                if isinstance(callback.message, Message):
                    await callback.message.answer(
                        _("Type your note:") if action == "note" else texts.ask_amount(pledge.kind),
                        reply_markup=cancel_keyboard(),
                    )
                return
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer()

    @router.callback_query(DgHousehold.filter())
    async def household_pressed(
        callback: CallbackQuery,
        callback_data: DgHousehold,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
    ) -> None:
        try:
            await service.set_pledge_extras(
                repo,
                actor,
                callback_data.pledge_id,
                common.now(),
                household_id=callback_data.household_id,
            )
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await state.set_state(None)
        household = await repo.contributions.household(callback_data.household_id)
        await callback.answer(_("Saved."))
        await common.edit(
            callback.message,
            _("Saved: your pledge is for the household {code} · {name}.").format(
                code=esc(household.code if household else ""),
                name=esc(household.head_name if household else ""),
            ),
        )

    @router.message(StateFilter(Pledging.household), F.text, ~F.text.startswith("/"))
    async def household_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        pledge_id = int((await state.get_data()).get("dg_pledge", 0))
        try:
            _pledge, campaign = await service.own_pledge(repo, actor, pledge_id)
            found = await households.find_households(
                repo, actor, campaign.village_id, message.text or ""
            )
        except DomainError as error:
            await state.set_state(None)
            await message.answer(texts.error_text(error))
            return
        if not found:
            await message.answer(
                texts.no_household_text(message.text or ""), reply_markup=cancel_keyboard()
            )
            return
        await message.answer(
            _("Which one is your household?"),
            reply_markup=keyboards.households_keyboard(pledge_id, found),
        )

    @router.message(StateFilter(Pledging.note), F.text, ~F.text.startswith("/"))
    async def note_typed(message: Message, state: FSMContext, repo: Repo, actor: Actor) -> None:
        try:
            await service.set_pledge_extras(
                repo,
                actor,
                int((await state.get_data()).get("dg_pledge", 0)),
                common.now(),
                note=message.text or "",
            )
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        await state.set_state(None)
        await message.answer(_("Saved."))

    @router.message(StateFilter(Pledging.change), F.text, ~F.text.startswith("/"))
    async def change_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, locale: str
    ) -> None:
        pledge_id = int((await state.get_data()).get("dg_pledge", 0))
        try:
            pledge = await service.change_pledge(
                repo, actor, pledge_id, message.text or "", common.now()
            )
            campaign = await service.visible_campaign(repo, actor, campaign_id=pledge.campaign_id)
        except InvalidAmount as error:
            pledge_row = await repo.contributions.pledge(pledge_id)
            await message.answer(
                texts.amount_error(error, pledge_row.kind if pledge_row else "money")
            )
            return
        except DomainError as error:
            await state.set_state(None)
            await message.answer(texts.error_text(error))
            return
        await state.set_state(None)
        await message.answer(
            _("Changed.") + "\n" + texts.pledge_line(pledge, campaign, locale),
            reply_markup=keyboards.my_pledge_keyboard(pledge),
        )

    @router.message(Command("cuatoi"))
    async def command_my_pledges_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, locale: str
    ) -> None:
        await state.set_state(None)
        pledges = (
            [p for p in await repo.contributions.pledges_of_user(actor.user_id or 0)][:10]
            if actor.user_id
            else []
        )
        if not pledges:
            await message.answer(_("You have no pledges yet. Use /donggop to contribute."))
            return
        await message.answer(_("Your pledges:"))
        for pledge in pledges:
            campaign = await repo.contributions.campaign(pledge.campaign_id)
            if campaign is None or not actor.lives_in(campaign.village_id):
                continue
            await message.answer(
                texts.pledge_line(pledge, campaign, locale),
                reply_markup=keyboards.my_pledge_keyboard(pledge),
            )
