"""The treasurer's books: /thu (one receipt), a receipts sheet, a bank statement whose
lines are matched to pledges and confirmed one by one or all at once."""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.services.authz import Actor
from bot.services.contributions import files, service, statements
from bot.services.contributions.amounts import InvalidAmount, parse_money
from bot.services.contributions.delivery import amount_text
from bot.services.errors import DomainError
from bot.services.markup import esc
from bot.services.safefiles import FileRefused
from bot.settings import Settings
from handlers.confirm import confirm
from handlers.contributions import common, keyboards, texts
from handlers.contributions.callbacks import DgMatch, DgReceipt
from handlers.contributions.common import MAX_UPLOAD, Books
from storage.repo import Repo


def register_receipts(router: Router) -> None:
    """/thu and how the money came in."""

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
                name=esc(pledge.contributor_name or "—"),
                amount=esc(
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
            await common.edit(callback.message, _("Cancelled. Nothing was recorded."))
            return
        now = common.now()
        try:
            receipt = await service.record_receipt(
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
        if receipt is not None:
            text += "\n" + _("Receipt #{id} (to take it back: /huythu {id} reason)").format(
                id=receipt.id
            )
        if pledge.received > pledge.amount:
            text += "\n" + _("More than pledged was received: thank you!")
        await common.edit(callback.message, text)


def register_sheets(router: Router) -> None:
    """A receipts sheet or a bank statement, and confirming its matches."""

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
            await message.answer(texts.error_text(FileRefused("too_big", limit=MAX_UPLOAD)))
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
                    common.now(),
                    settings.timezone,
                )
        except (DomainError, files.SheetInvalid, FileRefused) as error:
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
                    "flags": list(m.flags),
                }
                for m in matches[:20]
            ]
        )
        await message.answer(
            texts.matches_text(matches[:20], locale),
            reply_markup=keyboards.matches_keyboard([bool(m.flags) for m in matches[:20]]),
        )

    @router.message(StateFilter(Books.statement, Books.receipts))
    async def sheet_expected(message: Message) -> None:
        await message.answer(
            _("Please send the file as a document (XLSX, XLS or CSV), or /donggop to stop.")
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
        chosen = statements.chosen(matches, callback_data.index)
        if not chosen:
            await callback.answer(
                _("This question has expired. Please start again with /donggop."), show_alert=True
            )
            return
        now = common.now()
        recorded: list[int] = []
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
                if receipt is not None:
                    recorded.append(receipt.id)
        except DomainError as error:
            await callback.answer(texts.error_text(error), show_alert=True)
            return
        text = _("Already recorded.")
        if recorded:
            text = (
                _("✅ {count} receipts recorded.").format(count=len(recorded))
                + "\n"
                + _("Receipt numbers: {numbers}. To take one back: /huythu NUMBER reason").format(
                    numbers=", ".join(f"#{number}" for number in recorded)
                )
            )
        # "Confirm all" leaves the flagged lines' own buttons: each is pressed only when checked.
        every = callback_data.index == -1 and not any(m.get("flags") for m in matches)
        await confirm(callback, text, drop="all" if every else "button")


def register_reversal(router: Router) -> None:
    """/huythu: the treasurer takes back a receipt recorded by mistake."""

    @router.message(Command("huythu"))
    async def command_reverse_handler(
        message: Message, command: CommandObject, repo: Repo, actor: Actor, locale: str
    ) -> None:
        parts = (command.args or "").split(maxsplit=1)
        if not parts or not parts[0].lstrip("#").isdigit() or len(parts[0]) > 18:
            await message.answer(
                _(
                    "Take back a receipt like this: <code>/huythu 17 wrong pledge</code> (the receipt number, then why)."
                )
            )
            return
        reason = parts[1] if len(parts) > 1 else ""
        try:
            receipt, pledge = await service.reverse_receipt(
                repo, actor, int(parts[0].lstrip("#")), reason, common.now()
            )
            _pledge, campaign = await service.pledge_for_treasurer(repo, actor, pledge.id)
        except DomainError as error:
            await message.answer(texts.error_text(error))
            return
        await message.answer(
            _("Receipt #{id} was taken back; the audit log keeps it.").format(id=receipt.id)
            + "\n"
            + texts.pledge_line(pledge, campaign, locale)
        )


def _looks_like_receipt_number(word: str) -> bool:
    """``PT01``, ``BL-123``: letters first; an amount never starts with letters but
    ``hai`` or ``năm`` may, so those stay part of the amount."""
    try:
        parse_money(word)
    except InvalidAmount:
        return word[:1].isalpha()
    return False
