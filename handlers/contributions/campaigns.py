"""The campaign tools of the secretary and treasurer: the manage buttons (books,
export, close/reopen, end date, poster, announce and post to the group) and the
new-campaign wizard (/taodonggop)."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Action, Actor
from bot.services.contributions import banks, files, service, vietqr
from bot.services.contributions import delivery as contrib_delivery
from bot.services.contributions.amounts import InvalidAmount
from bot.services.errors import DomainError, NotAllowed
from bot.services.markup import esc
from bot.settings import Settings
from handlers.cancel import cancel_keyboard
from handlers.confirm import confirm
from handlers.contributions import common, keyboards, texts, wizard
from handlers.contributions.callbacks import DgManage, DgNew
from handlers.contributions.common import Books, EnqueueDelivery, NewCampaign
from storage.models import CampaignStatus
from storage.repo import Repo


def register_manage(router: Router) -> None:
    """The manage buttons of a campaign, and the new end date they ask for."""

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
                            "Send the bank's statement export (XLSX, XLS or CSV). Lines whose content names a pledge (DG {code} …) will be shown for you to confirm."
                        ).format(code=campaign.code)
                        if action == "statement"
                        else _(
                            "Send your receipts sheet (XLSX or CSV) with the columns: <code>Mã cam kết, Số tiền, Ngày nhận, Số phiếu thu, Hình thức</code>. If any row is wrong, nothing is recorded and I tell you which rows."
                        ),
                        reply_markup=cancel_keyboard(),
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
                    repo, actor, campaign.id, status, common.now()
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
                    await message.answer(
                        _("Type the new end date (dd/mm/yyyy):"), reply_markup=cancel_keyboard()
                    )
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
                now = common.now()
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
                await confirm(
                    callback,
                    _("📣 The announcement of <b>{name}</b> is on its way to {count} village groups.").format(
                        name=esc(campaign.name), count=len(groups)
                    )
                    if action == "announce"
                    else _("📌 The board of <b>{name}</b> is on its way to the village group.").format(
                        name=esc(campaign.name)
                    ),
                )
                return
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        await callback.answer()

    @router.message(StateFilter(Books.end_date), F.text, ~F.text.startswith("/"))
    async def end_date_typed(
        message: Message, state: FSMContext, repo: Repo, actor: Actor, settings: Settings
    ) -> None:
        ends_on = wizard.parse_end(message.text or "", common.now(), settings.timezone)
        if ends_on is None:
            await message.answer(_("Please type a date like 30/06/2026."))
            return
        try:
            campaign = await service.edit_campaign(
                repo,
                actor,
                int((await state.get_data()).get("dg_books", 0)),
                common.now(),
                ends_on=ends_on,
            )
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        await state.set_state(None)
        await message.answer(
            _("The campaign now ends on {date}.").format(date=campaign.ends_on.strftime("%d/%m/%Y"))
        )


def register_wizard(router: Router) -> None:
    """A new campaign, step by step."""

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
    async def new_name_typed(message: Message, state: FSMContext, locale: str) -> None:
        name, _sep, purpose = (message.text or "").strip().partition("\n")
        if not name.strip():
            await message.answer(texts.error_text(service.CampaignInvalid("name")))
            return
        draft = dict((await state.get_data()).get("dg_new") or {})
        draft.update(name=name.strip()[:200], purpose=purpose.strip()[:2000])
        await state.update_data(dg_new={"kinds": [], **draft})
        if draft.get("review"):
            await wizard.show_review(message, state, locale)
            return
        await state.set_state(NewCampaign.kinds)
        await message.answer(
            _("Which kinds of contribution does it take?"),
            reply_markup=keyboards.new_kinds_keyboard([]),
        )

    @router.callback_query(
        DgNew.filter(F.what.in_({"kind", "next", "cancel"})), StateFilter(NewCampaign.kinds)
    )
    async def new_kind_pressed(
        callback: CallbackQuery,
        callback_data: DgNew,
        state: FSMContext,
        settings: Settings,
        locale: str,
    ) -> None:
        draft = dict((await state.get_data()).get("dg_new") or {})
        kinds = list(draft.get("kinds", []))
        if callback_data.what == "cancel":
            await state.set_state(None)
            await callback.answer()
            await common.edit(callback.message, _("Cancelled. Nothing was recorded."))
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
                await common.set_markup(callback.message, keyboards.new_kinds_keyboard(kinds))
            return
        if not kinds:
            await callback.answer(
                texts.error_text(service.CampaignInvalid("kinds")), show_alert=True
            )
            return
        await callback.answer()
        if isinstance(callback.message, Message):
            await common.set_markup(callback.message, None)
            await next_step(callback.message, state, draft, settings, locale)

    async def next_step(
        message: Message, state: FSMContext, draft: dict, settings: Settings, locale: str
    ) -> None:
        """The next missing piece of the draft: a goal, the last day, the bank account
        (for money), whether names are shown; then (or when editing) the review."""
        await state.update_data(dg_new=draft)
        kind = wizard.next_goal_kind(draft)
        if kind is not None:
            await state.set_state(NewCampaign.goal)
            await state.update_data(dg_new={**draft, "goal_kind": kind})
            await message.answer(wizard.goal_prompt(kind), reply_markup=cancel_keyboard())
        elif not draft.get("ends_on"):
            await state.set_state(NewCampaign.end)
            today = service.local_today(common.now(), settings.timezone)
            await message.answer(wizard.end_prompt(today), reply_markup=cancel_keyboard())
        elif "money" in draft.get("kinds", []) and not draft.get("account_number"):
            await state.set_state(NewCampaign.bank)
            await message.answer(
                wizard.bank_prompt(),
                reply_markup=cancel_keyboard(),
            )
        elif draft.get("review"):
            await wizard.show_review(message, state, locale)
        else:
            await state.set_state(NewCampaign.names)
            await message.answer(
                _("Show contributors' names on the public board?"),
                reply_markup=keyboards.names_keyboard(),
            )

    @router.message(StateFilter(NewCampaign.goal), F.text, ~F.text.startswith("/"))
    async def new_goal_typed(
        message: Message, state: FSMContext, settings: Settings, locale: str
    ) -> None:
        draft = dict((await state.get_data()).get("dg_new") or {})
        kind = str(draft.get("goal_kind") or wizard.next_goal_kind(draft) or "money")
        try:
            goal = wizard.parse_goal(kind, message.text or "")
        except InvalidAmount as error:
            await message.answer(texts.amount_error(error, kind), reply_markup=cancel_keyboard())
            return
        draft["goals"] = {**(draft.get("goals") or {}), kind: goal}
        draft.pop("goal_kind", None)
        await next_step(message, state, draft, settings, locale)

    @router.message(StateFilter(NewCampaign.end), F.text, ~F.text.startswith("/"))
    async def new_end_typed(
        message: Message, state: FSMContext, settings: Settings, locale: str
    ) -> None:
        now = common.now()
        today = service.local_today(now, settings.timezone)
        ends_on = wizard.parse_end(message.text or "", now, settings.timezone)
        if ends_on is None or ends_on < today:
            await message.answer(
                (
                    _("That day has passed.")
                    if ends_on is not None
                    else _("Sorry, I could not read that day.")
                )
                + " "
                + wizard.end_prompt(today),
                reply_markup=cancel_keyboard(),
            )
            return
        draft = dict((await state.get_data()).get("dg_new") or {})
        draft["ends_on"] = ends_on.isoformat()
        await next_step(message, state, draft, settings, locale)

    @router.message(StateFilter(NewCampaign.bank), F.text, ~F.text.startswith("/"))
    async def new_bank_typed(message: Message, state: FSMContext) -> None:
        account = banks.parse_account_line(message.text or "")
        if account is None:
            await message.answer(texts.error_text(service.CampaignInvalid("bank")))
            return
        try:
            vietqr.payload(account.bank.bin, account.account)
        except vietqr.VietQRError:
            await message.answer(_("The account number is 1 to 19 letters or digits."))
            return
        draft = dict((await state.get_data()).get("dg_new") or {})
        draft.update(
            bank_bin=account.bank.bin,
            bank_name=account.bank.short_name,
            account_number=account.account,
            account_holder=account.holder,
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
        callback: CallbackQuery, callback_data: DgNew, state: FSMContext, locale: str
    ) -> None:
        draft = dict((await state.get_data()).get("dg_new") or {})
        draft["names_public"] = callback_data.what == "public"
        await state.update_data(dg_new=draft)
        await callback.answer()
        if isinstance(callback.message, Message):
            await common.set_markup(callback.message, None)
            await wizard.show_review(callback.message, state, locale)

    wizard.register_review(router)
