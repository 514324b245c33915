"""Contributions in chat: /donggop and the ``dg_<code>`` deep link (campaign → kind →
amount → confirm, then the VietQR), /cuatoi (my pledges), /congkhai (the public board
and chart), /thu (a receipt), and the campaign tools of the secretary and treasurer.

Handlers parse, call ``bot.services.contributions.service`` and render; a domain error
becomes a polite answer and nothing typed is lost (the state stays where it was)."""

from __future__ import annotations

import html
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import clock
from bot.delivery.contract import Delivery
from bot.services.authz import Action, Actor
from bot.services.contributions import delivery as contrib_delivery
from bot.services.contributions import files, service, vietqr
from bot.services.contributions.amounts import InvalidAmount, format_money, guess_kind, parse_money
from bot.services.contributions.delivery import amount_text, board_text, kind_labels
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.settings import Settings
from handlers.contributions import keyboards, texts
from handlers.contributions.callbacks import (
    DgAmount,
    DgCampaign,
    DgConfirm,
    DgHousehold,
    DgKind,
    DgManage,
    DgMatch,
    DgNew,
    DgReceipt,
    PledgeAction,
)
from storage.models import Campaign, CampaignStatus, Pledge, User
from storage.repo import Repo

EnqueueDelivery = Callable[[Repo, Delivery], Awaitable[bool]]
MAX_UPLOAD = files.MAX_BYTES


class Pledging(StatesGroup):
    amount = State()
    note = State()
    change = State()


class Books(StatesGroup):
    statement = State()
    receipts = State()
    end_date = State()
    receipt_method = State()


class NewCampaign(StatesGroup):
    name = State()
    kinds = State()
    goal = State()
    end = State()
    bank = State()
    names = State()


def _now() -> datetime:
    return clock.now()


def idempotency_key(user: User, token: str) -> str:
    return f"tg:{user.id}:{token}"


async def _edit(message: Any, text: str, markup: Any = None) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise


async def show_campaign(
    message: Message, repo: Repo, actor: Actor, campaign: Campaign, locale: str
) -> None:
    """The campaign card: what it is for, and a button per kind it accepts (1 tap)."""
    kinds = [goal.kind for goal in await repo.contributions.goals(campaign.id)]
    lines = [f"🤝 <b>{html.escape(campaign.name)}</b>"]
    if campaign.purpose:
        lines.append(html.escape(campaign.purpose))
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
    campaign = await repo.contributions.campaign_by_code(code[:16])
    if campaign is not None and user.village_id is None and actor.village_id is None:
        user.village_id = campaign.village_id
        actor = Actor(
            actor.user_id,
            actor.platform_user_id,
            campaign.village_id,
            actor.member_id,
            actor.role,
            actor.is_admin,
        )
        repo.audit.add(
            "village_chosen",
            actor_user_id=user.id,
            village_id=campaign.village_id,
            details={"via": "campaign_link"},
        )
    try:
        campaign = await service.visible_campaign(repo, actor, code=code)
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
    memo = vietqr.pledge_memo(campaign.code, pledge.id)
    try:
        payload = vietqr.payload(campaign.bank_bin, campaign.account_number, owed, memo)
    except vietqr.VietQRError as error:
        await bot.send_message(chat_id, texts.error_text(error))
        return False
    caption = _(
        "Scan with your bank app to pay <b>{amount}</b>.\nBank: {bank}\nAccount: <code>{account}</code>\nHolder: {holder}\nContent: <code>{memo}</code>"
    ).format(
        amount=format_money(owed, locale),
        bank=html.escape(campaign.bank_name or campaign.bank_bin),
        account=html.escape(campaign.account_number),
        holder=html.escape(campaign.account_holder),
        memo=memo,
    )
    photo = BufferedInputFile(vietqr.png(payload), filename=f"vietqr-{pledge.id}.png")
    await bot.send_photo(chat_id, photo, caption=caption)
    return True


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


def contributions_router() -> Router:
    router = Router(name="contributions")
    router.message.filter(F.chat.type == "private")
    router.callback_query.filter(F.message.chat.type == "private")

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
                _("How much? Tap an amount or type it, {example}.").format(
                    example=texts.amount_example("money")
                ),
                reply_markup=keyboards.amounts_keyboard(locale),
            )
        else:
            await callback.message.answer(texts.ask_amount(callback_data.kind))

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
        await message.answer(
            texts.confirm_text(campaign, parsed, locale),
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
            await callback.message.answer(texts.ask_amount("money"))
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
            await message.answer(texts.amount_error(error, kind))
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
            await _edit(callback.message, _("Cancelled. Nothing was recorded."))
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
                now=_now(),
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
        await _edit(
            callback.message,
            _(
                "✅ Thank you! Your pledge #{id} is recorded: {amount}.\nYou may add a note, show your name or say which household you give for:"
            ).format(
                id=pledge.id,
                amount=html.escape(
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
        token = secrets.token_urlsafe(9)
        await state.update_data(
            dg_pending={
                "token": token, "campaign": campaigns[0].id, "kind": kind, "amount": amount, "unit": unit,
                "material": material, "household": household.id, "name": household.head_name,
            }
        )  # fmt: skip
        await message.answer(
            _("For the household {code} · {name}:").format(
                code=html.escape(household.code), name=html.escape(household.head_name)
            )
            + "\n"
            + texts.confirm_text(campaigns[0], parsed, locale),
            reply_markup=keyboards.confirm_keyboard(token),
        )

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
                await service.stop_reminders(repo, actor, pledge_id, _now())
                await callback.answer(
                    _("I will not remind you about this pledge again."), show_alert=True
                )
                return
            if action == "name":
                pledge = await service.set_pledge_extras(
                    repo, actor, pledge_id, _now(), show_name=not pledge.show_name
                )
                await callback.answer(
                    _("Your name will be shown.")
                    if pledge.show_name
                    else _("Your name will not be shown.")
                )
                if isinstance(callback.message, Message):
                    await set_markup(
                        callback.message, keyboards.extras_keyboard(pledge, campaign.names_public)
                    )
                return
            if action == "hh":
                households = await repo.households.of_village(campaign.village_id)
                await callback.answer()
                if isinstance(callback.message, Message):
                    await callback.message.answer(
                        _("Which household do you give for?"),
                        reply_markup=keyboards.households_keyboard(pledge_id, households),
                    )
                return
            if action == "qr":
                await callback.answer()
                if pledge.kind == "money" and callback.message is not None:
                    await send_vietqr(bot, callback.message.chat.id, pledge, campaign, locale)
                return
            if action == "cancel":
                await service.cancel_pledge(repo, actor, pledge_id, _now())
                await callback.answer(_("Your pledge is cancelled."))
                await _edit(callback.message, texts.pledge_line(pledge, campaign, locale))
                return
            if action in ("note", "change"):
                await state.set_state(Pledging.note if action == "note" else Pledging.change)
                await state.update_data(dg_pledge=pledge_id)
                await callback.answer()
                if isinstance(callback.message, Message):
                    await callback.message.answer(
                        _("Type your note:") if action == "note" else texts.ask_amount(pledge.kind)
                    )
                return
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer()

    @router.callback_query(DgHousehold.filter())
    async def household_pressed(
        callback: CallbackQuery, callback_data: DgHousehold, repo: Repo, actor: Actor
    ) -> None:
        try:
            await service.set_pledge_extras(
                repo,
                actor,
                callback_data.pledge_id,
                _now(),
                household_id=callback_data.household_id,
            )
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer(_("Saved."))
        await _edit(callback.message, _("Saved: your pledge is for this household."))

    @router.message(StateFilter(Pledging.note), F.text, ~F.text.startswith("/"))
    async def note_typed(message: Message, state: FSMContext, repo: Repo, actor: Actor) -> None:
        try:
            await service.set_pledge_extras(
                repo,
                actor,
                int((await state.get_data()).get("dg_pledge", 0)),
                _now(),
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
            pledge = await service.change_pledge(repo, actor, pledge_id, message.text or "", _now())
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

    # the treasurer's books

    @router.message(Command("thu"))
    async def command_receipt_handler(
        message: Message,
        command: CommandObject,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        locale: str,
    ) -> None:
        parts = (command.args or "").split()
        if len(parts) < 2 or not parts[0].lstrip("#").isdigit():
            await message.answer(
                _(
                    "Record a receipt like this: <code>/thu 42 500k PT01</code> (pledge number, amount, receipt number if any)."
                )
            )
            return
        try:
            pledge, campaign = await service.pledge_for_treasurer(
                repo, actor, int(parts[0].lstrip("#"))
            )
            number, amount_words = "", parts[1:]
            if len(parts) > 2 and _looks_like_receipt_number(parts[-1]):
                number, amount_words = parts[-1], parts[1:-1]
            amount = service.parse_amount(pledge.kind, " ".join(amount_words)).amount
        except InvalidAmount as error:
            await message.answer(texts.amount_error(error, "money"))
            return
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        await state.set_state(Books.receipt_method)
        await state.update_data(
            dg_receipt={"pledge": pledge.id, "amount": amount, "number": number}
        )
        await message.answer(
            _("Receipt for pledge #{id} ({name}): <b>{amount}</b>. How was it received?").format(
                id=pledge.id,
                name=html.escape(pledge.contributor_name or "—"),
                amount=html.escape(
                    amount_text(pledge.kind, amount, pledge.unit, pledge.material, locale)
                ),
            ),
            reply_markup=keyboards.receipt_keyboard(),
        )

    @router.callback_query(DgReceipt.filter())
    async def receipt_method_pressed(
        callback: CallbackQuery,
        callback_data: DgReceipt,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
        locale: str,
    ) -> None:
        pending = (await state.get_data()).get("dg_receipt")
        await state.update_data(dg_receipt=None)
        await state.set_state(None)
        if callback_data.method == "cancel" or not pending:
            await callback.answer()
            await _edit(callback.message, _("Cancelled. Nothing was recorded."))
            return
        now = _now()
        try:
            await service.record_receipt(
                repo,
                actor,
                int(pending["pledge"]),
                amount=int(pending["amount"]),
                received_on=service.local_today(now, settings.timezone),
                number=str(pending.get("number", "")),
                method="transfer" if callback_data.method == "transfer" else "cash",
                now=now,
            )
            pledge, campaign = await service.pledge_for_treasurer(
                repo, actor, int(pending["pledge"])
            )
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer(_("Recorded."))
        text = _("✅ Recorded.") + "\n" + texts.pledge_line(pledge, campaign, locale)
        if pledge.received > pledge.amount:
            text += "\n" + _("More than pledged was received: thank you!")
        await _edit(callback.message, text)

    @router.callback_query(DgManage.filter())
    async def manage_pressed(
        callback: CallbackQuery,
        callback_data: DgManage,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        locale: str,
        enqueue_delivery: EnqueueDelivery | None = None,
    ) -> None:
        action = callback_data.action
        message = callback.message if isinstance(callback.message, Message) else None
        try:
            campaign = await service.visible_campaign(
                repo, actor, campaign_id=callback_data.campaign_id
            )
            if action in ("statement", "import"):
                actor.require(Action.RECORD_PAYMENT, campaign.village_id)
                await state.set_state(Books.statement if action == "statement" else Books.receipts)
                await state.update_data(dg_books=campaign.id)
                await callback.answer()
                if message:
                    await message.answer(
                        _(
                            "Send the bank's statement export (XLSX or CSV). Lines whose content names a pledge (DG {code} …) will be shown for you to confirm."
                        ).format(code=campaign.code)
                        if action == "statement"
                        else _(
                            "Send your receipts sheet (XLSX or CSV) with the columns: Mã cam kết, Số tiền, Ngày nhận, Số phiếu thu, Hình thức. If any row is wrong, nothing is recorded and I tell you which rows."
                        )
                    )
                return
            if action == "export":
                pledges, receipts = await service.export_rows(repo, actor, campaign)
                await callback.answer()
                if message:
                    await message.answer_document(
                        BufferedInputFile(
                            files.export_xlsx(campaign.name, pledges, receipts),
                            filename=f"donggop-{campaign.code}.xlsx",
                        )
                    )
                    await message.answer_document(
                        BufferedInputFile(
                            files.export_csv(pledges), filename=f"donggop-{campaign.code}.csv"
                        )
                    )
                return
            if action in ("close", "reopen"):
                status = CampaignStatus.CLOSED if action == "close" else CampaignStatus.OPEN
                campaign = await service.set_campaign_status(
                    repo, actor, campaign.id, status, _now()
                )
                await callback.answer(
                    _("The campaign is closed.")
                    if action == "close"
                    else _("The campaign is open again."),
                    show_alert=True,
                )
                return
            if action == "end":
                actor.require(Action.MANAGE_CAMPAIGN, campaign.village_id)
                await state.set_state(Books.end_date)
                await state.update_data(dg_books=campaign.id)
                await callback.answer()
                if message:
                    await message.answer(_("Type the new end date (dd/mm/yyyy):"))
                return
            if action == "poster":
                actor.require(Action.MANAGE_CAMPAIGN, campaign.village_id)
                username = (await bot.me()).username or "villagebot"
                link = contrib_delivery.pledge_link(username, campaign.code)
                await callback.answer()
                if message:
                    subtitle = _("Scan to contribute")
                    await message.answer_document(
                        BufferedInputFile(
                            files.poster(campaign.name, subtitle, link),
                            filename=f"poster-{campaign.code}.png",
                        ),
                        caption=link,
                    )
                    await message.answer_document(
                        BufferedInputFile(
                            files.poster(campaign.name, subtitle, link, "pdf"),
                            filename=f"poster-{campaign.code}.pdf",
                        )
                    )
                return
            if action in ("announce", "post"):
                actor.require(
                    Action.MANAGE_CAMPAIGN
                    if action == "announce"
                    else Action.POST_CONTRIBUTION_BOARD,
                    campaign.village_id,
                )
                groups = list(await repo.chats.of_village(campaign.village_id))
                if not groups:
                    await callback.answer(
                        _("Your village has no linked group yet (/lienket in the group)."),
                        show_alert=True,
                    )
                    return
                if enqueue_delivery is None:
                    await callback.answer(
                        _("Sending to groups is not available yet. Please try again later."),
                        show_alert=True,
                    )
                    return
                now = _now()
                if action == "announce":
                    username = (await bot.me()).username or "villagebot"
                    deliveries = contrib_delivery.announcement_deliveries(
                        campaign.id, [g.id for g in groups], username, now
                    )
                else:
                    await repo.contributions.set_board(campaign.id, chat_id=groups[0].id)
                    deliveries = [contrib_delivery.board_delivery(campaign.id, groups[0].id, now)]
                for item in deliveries:
                    await enqueue_delivery(repo, item)
                repo.audit.add(
                    f"campaign_{action}",
                    actor_user_id=actor.user_id,
                    village_id=campaign.village_id,
                    details={"campaign_id": campaign.id},
                )
                await callback.answer(_("Queued for the village group."), show_alert=True)
                return
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer()

    @router.message(StateFilter(Books.end_date), F.text, ~F.text.startswith("/"))
    async def end_date_typed(message: Message, state: FSMContext, repo: Repo, actor: Actor) -> None:
        ends_on = files.parse_date(message.text or "")
        if ends_on is None:
            await message.answer(_("Please type a date like 30/06/2026."))
            return
        try:
            campaign = await service.edit_campaign(
                repo,
                actor,
                int((await state.get_data()).get("dg_books", 0)),
                _now(),
                ends_on=ends_on,
            )
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        await state.set_state(None)
        await message.answer(
            _("The campaign now ends on {date}.").format(date=campaign.ends_on.strftime("%d/%m/%Y"))
        )

    @router.message(StateFilter(Books.statement, Books.receipts), F.document)
    async def sheet_sent(
        message: Message,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        locale: str,
    ) -> None:
        document = message.document
        assert document is not None
        if (document.file_size or 0) > MAX_UPLOAD:
            await message.answer(texts.error_text(files.SheetInvalid("too_big")))
            return
        buffer = await bot.download(document)
        content = buffer.read() if buffer else b""
        statement = await state.get_state() == Books.statement.state
        try:
            campaign = await service.visible_campaign(
                repo, actor, campaign_id=int((await state.get_data()).get("dg_books", 0))
            )
            if statement:
                matches = await service.statement_matches(
                    repo, actor, campaign, content, document.file_name or ""
                )
            else:
                report = await service.import_receipts(
                    repo,
                    actor,
                    campaign,
                    content,
                    document.file_name or "",
                    _now(),
                    settings.timezone,
                )
        except (DomainError, files.SheetInvalid) as error:
            await message.answer(texts.error_text(error))
            return
        await state.set_state(None)
        if not statement:
            if report.refused:
                reasons = {
                    "pledge": _("no such pledge in this campaign"),
                    "amount": _("the amount cannot be read"),
                    "date": _("the date is wrong or in the future"),
                    "method": _("the method is not cash (tiền mặt) or transfer (chuyển khoản)"),
                }
                lines = [_("Nothing was recorded: please fix these rows and send the sheet again.")]
                lines += [
                    _("Row {row}: {reason}").format(row=row, reason=reasons.get(reason, reason))
                    for row, reason in report.refused[:40]
                ]
                await message.answer("\n".join(lines))
            elif report.recorded == 0:
                await message.answer(_("The sheet has no receipts."))
            else:
                await message.answer(
                    _("✅ {count} receipts recorded.").format(count=report.recorded)
                )
            return
        if not matches:
            await message.answer(
                _(
                    "No line of this statement names a pledge of this campaign that is not recorded yet."
                )
            )
            return
        await state.update_data(
            dg_matches=[
                {
                    "pledge": m.pledge_id,
                    "amount": m.line.amount,
                    "on": m.line.on.isoformat() if m.line.on else None,
                    "ref": m.source_ref,
                }
                for m in matches[:20]
            ]
        )
        lines = [_("Lines matching pledges (nothing is recorded until you confirm):")]
        for index, match in enumerate(matches[:20], start=1):
            date_text = match.line.on.strftime("%d/%m/%Y") if match.line.on else "—"
            lines.append(
                f"{index}. {date_text} · {format_money(match.line.amount, locale)} → #{match.pledge_id} · <i>{html.escape(match.line.memo[:60])}</i>"
            )
        await message.answer(
            "\n".join(lines), reply_markup=keyboards.matches_keyboard(len(matches[:20]))
        )

    @router.message(StateFilter(Books.statement, Books.receipts))
    async def sheet_expected(message: Message) -> None:
        await message.answer(
            _("Please send the file as a document (XLSX or CSV), or /donggop to stop.")
        )

    @router.callback_query(DgMatch.filter())
    async def match_pressed(
        callback: CallbackQuery,
        callback_data: DgMatch,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
        locale: str,
    ) -> None:
        matches = list((await state.get_data()).get("dg_matches") or [])
        chosen = (
            matches
            if callback_data.index == -1
            else matches[callback_data.index : callback_data.index + 1]
            if 0 <= callback_data.index < len(matches)
            else []
        )
        if not chosen:
            await callback.answer(
                _("This question has expired. Please start again with /donggop."), show_alert=True
            )
            return
        now = _now()
        recorded = 0
        try:
            for match in chosen:
                on = (
                    datetime.fromisoformat(match["on"]).date()
                    if match.get("on")
                    else service.local_today(now, settings.timezone)
                )
                receipt = await service.record_receipt(
                    repo,
                    actor,
                    int(match["pledge"]),
                    amount=int(match["amount"]),
                    received_on=on,
                    number="",
                    method="transfer",
                    now=now,
                    source_ref=str(match["ref"]),
                )
                recorded += receipt is not None
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer(
            _("✅ {count} receipts recorded.").format(count=recorded)
            if recorded
            else _("Already recorded."),
            show_alert=True,
        )

    # a new campaign

    @router.message(Command("taodonggop"))
    async def command_new_campaign_handler(
        message: Message, state: FSMContext, actor: Actor
    ) -> None:
        await start_new(message, state, actor)

    @router.callback_query(DgNew.filter(F.what == "start"))
    async def new_pressed(callback: CallbackQuery, state: FSMContext, actor: Actor) -> None:
        await callback.answer()
        if isinstance(callback.message, Message):
            await start_new(callback.message, state, actor)

    async def start_new(message: Message, state: FSMContext, actor: Actor) -> None:
        if actor.village_id is None or not actor.can(Action.MANAGE_CAMPAIGN, actor.village_id):
            await message.answer(texts.error_text(NotAllowed("manage_campaign")))
            return
        await state.set_state(NewCampaign.name)
        await state.update_data(dg_new={"kinds": []})
        await message.answer(
            _(
                "New contribution campaign. Type its name; on the next lines, what it is for (optional)."
            )
        )

    @router.message(StateFilter(NewCampaign.name), F.text, ~F.text.startswith("/"))
    async def new_name_typed(message: Message, state: FSMContext) -> None:
        name, _sep, purpose = (message.text or "").strip().partition("\n")
        if not name.strip():
            await message.answer(texts.error_text(service.CampaignInvalid("name")))
            return
        await state.update_data(
            dg_new={"name": name.strip()[:200], "purpose": purpose.strip()[:2000], "kinds": []}
        )
        await state.set_state(NewCampaign.kinds)
        await message.answer(
            _("Which kinds of contribution does it take?"),
            reply_markup=keyboards.new_kinds_keyboard([]),
        )

    @router.callback_query(
        DgNew.filter(F.what.in_({"kind", "next", "cancel"})), StateFilter(NewCampaign.kinds)
    )
    async def new_kind_pressed(
        callback: CallbackQuery, callback_data: DgNew, state: FSMContext
    ) -> None:
        draft = dict((await state.get_data()).get("dg_new") or {})
        kinds = list(draft.get("kinds", []))
        if callback_data.what == "cancel":
            await state.set_state(None)
            await callback.answer()
            await _edit(callback.message, _("Cancelled. Nothing was recorded."))
            return
        if callback_data.what == "kind":
            if callback_data.kind in service.KINDS:
                kinds = (
                    [k for k in kinds if k != callback_data.kind]
                    if callback_data.kind in kinds
                    else [*kinds, callback_data.kind]
                )
            draft["kinds"] = kinds
            await state.update_data(dg_new=draft)
            await callback.answer()
            if isinstance(callback.message, Message):
                await set_markup(callback.message, keyboards.new_kinds_keyboard(kinds))
            return
        if not kinds:
            await callback.answer(
                texts.error_text(service.CampaignInvalid("kinds")), show_alert=True
            )
            return
        await callback.answer()
        if isinstance(callback.message, Message):
            if "money" in kinds:
                await state.set_state(NewCampaign.goal)
                await callback.message.answer(
                    _(
                        "The money goal? For example <code>600 triệu</code>, or <code>-</code> for none."
                    )
                )
            else:
                await state.set_state(NewCampaign.end)
                await callback.message.answer(_("The last day of the campaign (dd/mm/yyyy)?"))

    @router.message(StateFilter(NewCampaign.goal), F.text, ~F.text.startswith("/"))
    async def new_goal_typed(message: Message, state: FSMContext) -> None:
        draft = dict((await state.get_data()).get("dg_new") or {})
        text = (message.text or "").strip()
        if text not in ("-", "0", "không", "khong"):
            try:
                draft["goal"] = parse_money(text)
            except InvalidAmount as error:
                await message.answer(texts.amount_error(error, "money"))
                return
        await state.update_data(dg_new=draft)
        await state.set_state(NewCampaign.end)
        await message.answer(_("The last day of the campaign (dd/mm/yyyy)?"))

    @router.message(StateFilter(NewCampaign.end), F.text, ~F.text.startswith("/"))
    async def new_end_typed(message: Message, state: FSMContext, settings: Settings) -> None:
        ends_on = files.parse_date(message.text or "")
        if ends_on is None or ends_on < service.local_today(_now(), settings.timezone):
            await message.answer(_("Please type a date from today on, like 30/06/2026."))
            return
        draft = dict((await state.get_data()).get("dg_new") or {})
        draft["ends_on"] = ends_on.isoformat()
        await state.update_data(dg_new=draft)
        if "money" in draft.get("kinds", []):
            await state.set_state(NewCampaign.bank)
            await message.answer(
                _(
                    "The village fund's account for transfers: bank code (BIN), account number and holder, for example:\n<code>970405 3600205123456 QUY THON NAM BAC THANH</code>"
                )
            )
        else:
            await state.set_state(NewCampaign.names)
            await message.answer(
                _("Show contributors' names on the public board?"),
                reply_markup=keyboards.names_keyboard(),
            )

    @router.message(StateFilter(NewCampaign.bank), F.text, ~F.text.startswith("/"))
    async def new_bank_typed(message: Message, state: FSMContext) -> None:
        parts = (message.text or "").split()
        if len(parts) < 3 or not (parts[0].isdigit() and len(parts[0]) == 6):
            await message.answer(texts.error_text(service.CampaignInvalid("bank")))
            return
        try:
            vietqr.payload(parts[0], parts[1])
        except vietqr.VietQRError:
            await message.answer(_("The account number is 1 to 19 letters or digits."))
            return
        draft = dict((await state.get_data()).get("dg_new") or {})
        draft.update(
            bank_bin=parts[0], account_number=parts[1], account_holder=" ".join(parts[2:])[:120]
        )
        await state.update_data(dg_new=draft)
        await state.set_state(NewCampaign.names)
        await message.answer(
            _("Show contributors' names on the public board?"),
            reply_markup=keyboards.names_keyboard(),
        )

    @router.callback_query(
        DgNew.filter(F.what.in_({"public", "private"})), StateFilter(NewCampaign.names)
    )
    async def new_names_pressed(
        callback: CallbackQuery,
        callback_data: DgNew,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        bot: Bot,
        settings: Settings,
        locale: str,
    ) -> None:
        draft = dict((await state.get_data()).get("dg_new") or {})
        now = _now()
        try:
            campaign = await service.create_campaign(
                repo,
                actor,
                village_id=actor.village_id or 0,
                name=str(draft.get("name", "")),
                purpose=str(draft.get("purpose", "")),
                goals={
                    kind: (draft.get("goal") if kind == "money" else None)
                    for kind in draft.get("kinds", [])
                },
                starts_on=service.local_today(now, settings.timezone),
                ends_on=datetime.fromisoformat(str(draft.get("ends_on"))).date(),
                bank_bin=str(draft.get("bank_bin", "")),
                account_number=str(draft.get("account_number", "")),
                account_holder=str(draft.get("account_holder", "")),
                names_public=callback_data.what == "public",
                now=now,
            )
        except (DomainError, ValueError) as error:
            await callback.answer(
                texts.error_text(error)
                if isinstance(error, DomainError)
                else _("That cannot be done."),
                show_alert=True,
            )
            return
        await state.set_state(None)
        await state.update_data(dg_new=None)
        await callback.answer()
        username = (await bot.me()).username or "villagebot"
        await _edit(
            callback.message,
            _("✅ Campaign <b>{name}</b> created. Its link for residents:\n{link}").format(
                name=html.escape(campaign.name),
                link=contrib_delivery.pledge_link(username, campaign.code),
            ),
        )
        if isinstance(callback.message, Message):
            await show_campaign(callback.message, repo, actor, campaign, locale)

    return router


def _looks_like_receipt_number(word: str) -> bool:
    """``PT01``, ``BL-123``: letters first; an amount never starts with letters but
    ``hai`` or ``năm`` may, so those stay part of the amount."""
    try:
        parse_money(word)
    except InvalidAmount:
        return word[:1].isalpha()
    return False


async def set_markup(message: Message, markup: Any) -> None:
    try:
        await message.edit_reply_markup(reply_markup=markup)
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message:
            raise
