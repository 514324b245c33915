"""/donggop and the ``dg_<code>`` deep link: campaign → kind → amount → confirm, then the
VietQR; and /ghinhan, a pledge recorded for a household without a phone."""

from __future__ import annotations

import secrets

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Action, Actor
from bot.services.contributions import banks, safeguards, service, vietqr
from bot.services.contributions.amounts import InvalidAmount, format_money, guess_kind
from bot.services.contributions.delivery import amount_text
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.markup import esc
from bot.settings import Settings
from handlers.cancel import cancel_keyboard
from handlers.contributions import common, keyboards, texts
from handlers.contributions.callbacks import DgAmount, DgCampaign, DgConfirm, DgKind
from handlers.contributions.common import Pledging
from storage.models import Campaign, CampaignStatus, Pledge, User
from storage.repo import Repo


def idempotency_key(user: User, token: str) -> str:
    return f"tg:{user.id}:{token}"


async def show_campaign(
    message: Message, repo: Repo, actor: Actor, campaign: Campaign, locale: str
) -> None:
    """The campaign card: what it is for, and a button per kind it accepts (1 tap)."""
    kinds = [goal.kind for goal in await repo.contributions.goals(campaign.id)]
    lines = [f"🤝 <b>{esc(campaign.name)}</b>"]
    if campaign.purpose:
        lines.append(esc(campaign.purpose))
    lines.append(_("Until {date}").format(date=campaign.ends_on.strftime("%d/%m/%Y")))
    if campaign.status != CampaignStatus.OPEN:
        lines.append(_("This campaign is closed and does not take pledges any more."))
    else:
        lines.append(_("What would you like to contribute?"))
    await message.answer(
        "\n".join(lines),
        reply_markup=keyboards.kinds_keyboard(
            campaign, kinds if campaign.status == CampaignStatus.OPEN else [], actor
        ),
    )


async def open_campaign_link(
    message: Message, repo: Repo, user: User, actor: Actor, code: str, locale: str
) -> None:
    """``/start dg_<code>``. Somebody without a village yet who scans the poster of a
    village's campaign is taken to be a resident of that village."""
    try:
        actor, campaign = await service.open_by_link(repo, user, actor, code)
    except NotFound as error:
        await message.answer(texts.error_text(error))
        return
    await show_campaign(message, repo, actor, campaign, locale)


async def send_vietqr(
    bot: Bot, chat_id: int, pledge: Pledge, campaign: Campaign, locale: str
) -> bool:
    """The VietQR photo of a money pledge: what is still owed, with the pledge's memo."""
    owed = max(pledge.amount - pledge.received, 0)
    if not owed:
        return False
    memo = vietqr.pledge_memo(campaign.code, pledge.id, pledge.memo_check)
    try:
        payload = vietqr.payload(campaign.bank_bin, campaign.account_number, owed, memo)
    except vietqr.VietQRError as error:
        await bot.send_message(chat_id, texts.error_text(error))
        return False
    caption = _(
        "Scan with your bank app to pay <b>{amount}</b>.\nBank: {bank}\nAccount: <code>{account}</code>\nHolder: {holder}\nContent: <code>{memo}</code>"
    ).format(
        amount=format_money(owed, locale),
        bank=esc(banks.shown_name(campaign.bank_bin, campaign.bank_name)),
        account=esc(campaign.account_number),
        holder=esc(campaign.account_holder),
        memo=memo,
    )
    photo = BufferedInputFile(vietqr.png(payload), filename=f"vietqr-{pledge.id}.png")
    await bot.send_photo(chat_id, photo, caption=caption)
    return True


def register(router: Router) -> None:
    """The pledge flow, in this order (the router's order is the handlers' priority)."""

    @router.message(Command("donggop"))
    async def command_contribute_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, locale: str
    ) -> None:
        await state.set_state(None)
        campaigns = await service.campaigns_for(
            repo, actor, open_only=not actor.can(Action.MANAGE_CAMPAIGN, actor.village_id)
        )
        if len(campaigns) == 1 and not actor.can(Action.MANAGE_CAMPAIGN, actor.village_id):
            await show_campaign(message, repo, actor, campaigns[0], locale)
            return
        if not campaigns and not actor.can(Action.MANAGE_CAMPAIGN, actor.village_id):
            await message.answer(_("There is no contribution campaign in your village right now."))
            return
        await message.answer(
            _("Contribution campaigns of your village:"),
            reply_markup=keyboards.campaigns_keyboard(campaigns, actor),
        )

    @router.callback_query(DgCampaign.filter())
    async def campaign_pressed(
        callback: CallbackQuery, callback_data: DgCampaign, repo: Repo, actor: Actor, locale: str
    ) -> None:
        try:
            campaign = await service.visible_campaign(
                repo, actor, campaign_id=callback_data.campaign_id
            )
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer()
        if isinstance(callback.message, Message):
            await show_campaign(callback.message, repo, actor, campaign, locale)

    @router.callback_query(DgKind.filter())
    async def kind_pressed(
        callback: CallbackQuery,
        callback_data: DgKind,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        locale: str,
    ) -> None:
        try:
            campaign = await service.visible_campaign(
                repo, actor, campaign_id=callback_data.campaign_id
            )
            kinds = {goal.kind for goal in await repo.contributions.goals(campaign.id)}
            if callback_data.kind not in kinds:
                raise service.CampaignInvalid("kind_not_accepted")
            if campaign.status != CampaignStatus.OPEN:
                raise service.CampaignInvalid("closed")
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer()
        await state.set_state(Pledging.amount)
        await state.update_data(dg_campaign=campaign.id, dg_kind=callback_data.kind)
        if not isinstance(callback.message, Message):
            return
        if callback_data.kind == "money":
            await callback.message.answer(
                _("How much? Choose an amount or type it, {example}.").format(
                    example=texts.amount_example("money")
                ),
                reply_markup=keyboards.amounts_keyboard(locale),
            )
        else:
            await callback.message.answer(
                texts.ask_amount(callback_data.kind), reply_markup=cancel_keyboard()
            )

    async def ask_confirmation(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        parsed: service.ParsedAmount,
        locale: str,
    ) -> None:
        data = await state.get_data()
        try:
            campaign = await service.visible_campaign(
                repo, actor, campaign_id=int(data.get("dg_campaign", 0))
            )
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        token = secrets.token_urlsafe(9)
        await state.update_data(
            dg_pending={
                "token": token,
                "campaign": campaign.id,
                "kind": parsed.kind.value,
                "amount": parsed.amount,
                "unit": parsed.unit,
                "material": parsed.material,
            }
        )
        times = await safeguards.outlier_times(repo, campaign.id, parsed)
        await message.answer(
            texts.confirm_text(campaign, parsed, locale) + texts.outlier_warning(times),
            reply_markup=keyboards.confirm_keyboard(token),
        )

    @router.callback_query(DgAmount.filter(), StateFilter(Pledging.amount))
    async def amount_pressed(
        callback: CallbackQuery,
        callback_data: DgAmount,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        locale: str,
    ) -> None:
        await callback.answer()
        if not isinstance(callback.message, Message):
            return
        if callback_data.amount <= 0 or callback_data.amount not in keyboards.QUICK_MONEY:
            await callback.message.answer(texts.ask_amount("money"), reply_markup=cancel_keyboard())
            return
        parsed = service.ParsedAmount(service.ContributionKind.MONEY, callback_data.amount, "đ")
        await ask_confirmation(callback.message, state, repo, actor, parsed, locale)

    @router.callback_query(DgAmount.filter())
    async def amount_pressed_late(callback: CallbackQuery) -> None:
        await callback.answer(
            _("This question has expired. Please start again with /donggop."), show_alert=True
        )

    @router.message(StateFilter(Pledging.amount), F.text, ~F.text.startswith("/"))
    async def amount_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, locale: str
    ) -> None:
        kind = str((await state.get_data()).get("dg_kind", "money"))
        try:
            parsed = service.parse_amount(kind, message.text or "")
        except InvalidAmount as error:
            await message.answer(texts.amount_error(error, kind), reply_markup=cancel_keyboard())
            return
        await ask_confirmation(message, state, repo, actor, parsed, locale)

    @router.callback_query(DgConfirm.filter())
    async def confirm_pressed(
        callback: CallbackQuery,
        callback_data: DgConfirm,
        state: FSMContext,
        repo: Repo,
        user: User,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        locale: str,
    ) -> None:
        data = await state.get_data()
        pending = data.get("dg_pending")
        key = idempotency_key(user, callback_data.token)
        if not callback_data.ok:
            await state.set_state(None)
            await state.update_data(dg_pending=None)
            await callback.answer()
            await common.edit(callback.message, _("Cancelled. Nothing was recorded."))
            return
        if not pending or pending.get("token") != callback_data.token:
            existing = await repo.contributions.pledge_by_key(key)
            await callback.answer(
                _("Already recorded. Thank you!")
                if existing
                else _("This question has expired. Please start again with /donggop."),
                show_alert=existing is None,
            )
            return
        parsed = service.ParsedAmount(
            service.ContributionKind(pending["kind"]),
            int(pending["amount"]),
            pending["unit"],
            pending["material"],
        )
        try:
            pledge, created = await service.confirm_pledge(
                repo,
                actor,
                campaign_id=int(pending["campaign"]),
                parsed=parsed,
                idempotency_key=key,
                contributor_name=str(pending.get("name") or user.full_name),
                now=common.now(),
                timezone=settings.timezone,
                household_id=pending.get("household"),
                for_household=bool(pending.get("household")),
            )
            campaign = await service.visible_campaign(repo, actor, campaign_id=pledge.campaign_id)
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await state.set_state(None)
        await state.update_data(dg_pending=None)
        if not created:
            await callback.answer(_("Already recorded. Thank you!"))
            return
        await callback.answer(_("Thank you!"))
        await common.edit(
            callback.message,
            _(
                "✅ Thank you! Your pledge #{id} is recorded: {amount}.\nYou may add a note, show your name or say which household you give for:"
            ).format(
                id=pledge.id,
                amount=esc(
                    amount_text(pledge.kind, pledge.amount, pledge.unit, pledge.material, locale)
                ),
            ),
            keyboards.extras_keyboard(pledge, campaign.names_public),
        )
        if pledge.kind == "money" and pledge.user_id is not None and callback.message is not None:
            await send_vietqr(bot, callback.message.chat.id, pledge, campaign, locale)

    @router.message(Command("ghinhan"))
    async def command_household_pledge_handler(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        locale: str,
    ) -> None:
        """A member or the treasurer records a pledge for a household without a phone:
        ``/ghinhan NBT-001 500k`` (the village's newest open campaign)."""
        parts = (command.args or "").split(maxsplit=1)
        if actor.village_id is None or not actor.can(
            Action.RECORD_PLEDGE_FOR_HOUSEHOLD, actor.village_id
        ):
            await message.answer(texts.error_text(NotAllowed("record_pledge_for_household")))
            return
        if len(parts) < 2:
            await message.answer(
                _(
                    "Record a household's pledge like this: <code>/ghinhan NBT-001 500k</code> (household code, what they give)."
                )
            )
            return
        households = {
            h.code.casefold(): h for h in await repo.households.of_village(actor.village_id)
        }
        household = households.get(parts[0].casefold())
        campaigns = await service.campaigns_for(repo, actor, open_only=True)
        if household is None:
            await message.answer(texts.error_text(NotFound("household")))
            return
        if not campaigns:
            await message.answer(_("There is no contribution campaign in your village right now."))
            return
        try:
            kind, amount, unit, material = guess_kind(parts[1])
        except InvalidAmount as error:
            await message.answer(texts.amount_error(error, "money"))
            return
        parsed = service.ParsedAmount(service.ContributionKind(kind), amount, unit, material)
        try:
            await safeguards.check_household_record(repo, actor, campaigns[0], household.id, parsed)
        except InvalidAmount as error:
            await message.answer(texts.amount_error(error, kind))
            return
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        times = await safeguards.outlier_times(repo, campaigns[0].id, parsed)
        token = secrets.token_urlsafe(9)
        await state.update_data(
            dg_pending={
                "token": token, "campaign": campaigns[0].id, "kind": kind, "amount": amount, "unit": unit,
                "material": material, "household": household.id, "name": household.head_name,
            }
        )  # fmt: skip
        await message.answer(
            _("For the household {code} · {name}:").format(
                code=esc(household.code), name=esc(household.head_name)
            )
            + "\n"
            + texts.confirm_text(campaigns[0], parsed, locale)
            + texts.outlier_warning(times),
            reply_markup=keyboards.confirm_keyboard(token),
        )
