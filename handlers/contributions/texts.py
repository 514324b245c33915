"""What the contributions flow says; domain errors become polite, localized answers."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from bot.services.contributions.amounts import InvalidAmount, format_money
from bot.services.contributions.delivery import amount_text, kind_labels
from bot.services.contributions.files import SheetInvalid
from bot.services.contributions.safeguards import RecordTooLarge
from bot.services.contributions.service import CampaignInvalid, ParsedAmount
from bot.services.contributions.statements import StatementMatch
from bot.services.contributions.vietqr import VietQRError
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.markup import esc
from bot.services.safefiles import FileRefused, refusal_text
from storage.models import Campaign, Pledge


def amount_example(kind: str) -> str:
    examples = {
        "money": _("for example <code>500k</code>, <code>1tr5</code> or <code>2 triệu</code>"),
        "labour": _("for example <code>3 ngày</code> or <code>2 công</code>"),
        "material": _("for example <code>2 khối cát</code> or <code>50 bao xi măng</code>"),
        "land": _("for example <code>100 m2</code>"),
    }
    return examples.get(kind, "")


def ask_amount(kind: str) -> str:
    return _("How much would you like to give? Type it, {example}.").format(
        example=amount_example(kind)
    )


def outlier_warning(times: int | None) -> str:
    """A line for the confirmation when the amount is far above the campaign's usual."""
    if not times:
        return ""
    return "\n\n" + _(
        "⚠️ This is {times} times the usual pledge of this campaign. Please check the number before confirming."
    ).format(times=times)


def amount_error(error: InvalidAmount, kind: str) -> str:
    if isinstance(error, RecordTooLarge):
        return _(
            "A pledge recorded for a household can be at most {cap}. Please check the number."
        ).format(cap=esc(amount_text(error.kind, error.cap, error.unit, "", "vi")))
    reasons = {
        "empty": _("Please type an amount."),
        "zero": _("The amount must be more than zero."),
        "negative": _("The amount cannot be negative."),
        "too_large": _("That is more than 10 billion dong: please check the number of zeros."),
        "fraction": _("Please give a whole number."),
        "no_material": _("Please say which material, too."),
        "unreadable": _("Sorry, I could not read that amount."),
    }
    return (
        reasons.get(error.reason, reasons["unreadable"])
        + " "
        + _("Try again, {example}.").format(example=amount_example(kind))
    )


def matches_text(matches: Sequence[StatementMatch], locale: str) -> str:
    """The statement lines that name pledges, each flagged one with why."""
    reasons = {
        "check": _("the content lacks the pledge's check letters"),
        "low": _("far less than is owed"),
        "payer": _("sent by someone else"),
    }
    lines = [_("Lines matching pledges (nothing is recorded until you confirm):")]
    for index, match in enumerate(matches, start=1):
        date_text = match.line.on.strftime("%d/%m/%Y") if match.line.on else "—"
        line = f"{index}. {date_text} · {format_money(match.line.amount, locale)} → #{match.pledge_id} · <i>{esc(match.line.memo[:60])}</i>"
        if match.flags:
            line += "\n   ⚠ " + "; ".join(reasons.get(flag, flag) for flag in match.flags)
        lines.append(line)
    if any(match.flags for match in matches):
        lines.append(_("⚠ Lines need checking one by one: choose each only if you are sure."))
    return "\n".join(lines)


def error_text(error: DomainError | SheetInvalid | VietQRError | FileRefused) -> str:
    if isinstance(error, NotAllowed) and error.args == ("household_unverified",):
        return household_unverified_text()
    if isinstance(error, NotAllowed) and error.args == ("record_pledge_for_household",):
        return _(
            "You can record pledges only for the households on your visiting list. For other households, please ask the treasurer or the secretary."
        )
    if isinstance(error, NotAllowed):
        return _("Sorry, only the village's treasurer or secretary can do that.")
    if isinstance(error, NotFound):
        return _("I could not find that. It may belong to another village or no longer exist.")
    if isinstance(error, FileRefused):
        return refusal_text(error, _)
    if isinstance(error, SheetInvalid) and error.reason == "no_header" and error.found:
        return _(
            "I could not find the columns I need in that sheet. Found: {found}. Needed: {needed}."
        ).format(
            found=esc(", ".join(error.found)), needed=esc(", ".join(error.needed))
        )
    if isinstance(error, SheetInvalid):
        return {
            "too_big": _("That file is too big (at most 5 MB)."),
            "no_header": _(
                "I could not find the columns in that sheet. It needs a header row (for example: Ngày, Nội dung, Ghi có)."
            ),
        }.get(error.reason, _("I could not read that file. Please send an XLSX, XLS or CSV file."))
    if isinstance(error, VietQRError):
        return _(
            "The campaign's bank account is not complete, so I cannot make a VietQR code. Please tell the treasurer."
        )
    if isinstance(error, CampaignInvalid):
        return {
            "closed": _("This campaign is closed and does not take pledges any more."),
            "kind_not_accepted": _("This campaign does not take that kind of contribution."),
            "has_receipts": _(
                "Something has already been received on this pledge, so it can no longer be changed. Please talk to the treasurer."
            ),
            "name": _("Please give the campaign a name."),
            "dates": _("The end date cannot be before the start date."),
            "kinds": _("Choose at least one kind of contribution."),
            "bank": _(
                "I could not tell the bank and account. Type the bank's name, the account number and the holder, for example: Agribank 3600205123456 QUY THON NAM BAC THANH."
            ),
            "void_reason": _(
                "Please give the reason, like this: <code>/huycamket 42 ghi nhầm số tiền</code>."
            ),
            "already_cancelled": _("That pledge is already cancelled."),
        }.get(error.reason, _("That cannot be done."))
    if isinstance(error, InvalidAmount):
        return amount_error(error, "money")
    return _("That cannot be done.")


def confirm_text(campaign: Campaign, parsed: ParsedAmount, locale: str) -> str:
    return _("Please confirm your pledge to <b>{campaign}</b>:\n{kind}: <b>{amount}</b>").format(
        campaign=esc(campaign.name),
        kind=kind_labels(_).get(parsed.kind, parsed.kind),
        amount=esc(
            amount_text(parsed.kind, parsed.amount, parsed.unit, parsed.material, locale)
        ),
    )


def status_name(status: str) -> str:
    return {
        "pledged": _("pledged"),
        "partly_received": _("partly received"),
        "received": _("received"),
        "overdue": _("overdue"),
        "cancelled": _("cancelled"),
    }.get(status, status)


def pledge_line(pledge: Pledge, campaign: Campaign, locale: str) -> str:
    text = _("#{id} · {campaign}: {amount} ({status})").format(
        id=pledge.id,
        campaign=esc(campaign.name),
        amount=esc(
            amount_text(pledge.kind, pledge.amount, pledge.unit, pledge.material, locale)
        ),
        status=status_name(pledge.status),
    )
    if pledge.received:
        text += "\n" + _("Received: {amount}").format(
            amount=esc(amount_text(pledge.kind, pledge.received, pledge.unit, "", locale))
        )
    return text


def household_unverified_text() -> str:
    return _(
        "To say which household you give for, first confirm that you live in this village: send /doithon and choose your village."
    )


def ask_household_text() -> str:
    return _(
        "Type your household's code or part of the head's name, for example <code>NBT-004</code> or <code>Giang</code>."
    )


def no_household_text(query: str) -> str:
    return _(
        "No household in your village matches “{query}”. Type at least two letters of the code or of the head's name, or choose Cancel."
    ).format(query=esc(query[:60]))
