"""Keyboards of the contributions flow."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import pgettext
from bot.services.authz import Action, Actor
from bot.services.contributions.amounts import format_money
from bot.services.contributions.delivery import kind_labels
from bot.services.households import MAX_MATCHES, HouseholdMatch
from handlers.cancel import add_cancel
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
from storage.models import Campaign, CampaignStatus, Pledge

MAX_CAMPAIGNS = 20
QUICK_MONEY = (200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000)


def campaigns_keyboard(campaigns: Sequence[Campaign], actor: Actor) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    # Newest first; open ones before closed ones, and never more than a screenful.
    shown = sorted(campaigns, key=lambda c: c.status != CampaignStatus.OPEN)[:MAX_CAMPAIGNS]
    for campaign in shown:
        mark = "🤝" if campaign.status == CampaignStatus.OPEN else "🔒"
        builder.button(
            text=f"{mark} {campaign.name}", callback_data=DgCampaign(campaign_id=campaign.id)
        )
    if actor.village_id is not None and actor.can(Action.MANAGE_CAMPAIGN, actor.village_id):
        builder.button(text=_("➕ New campaign"), callback_data=DgNew(what="start"))
    return builder.adjust(1).as_markup()


def kinds_keyboard(campaign: Campaign, kinds: Sequence[str], actor: Actor) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    labels = kind_labels(_)
    for kind in kinds:
        builder.button(
            text=labels.get(kind, kind), callback_data=DgKind(campaign_id=campaign.id, kind=kind)
        )
    sizes = [2] * ((len(kinds) + 1) // 2)
    managers = manage_buttons(builder, campaign, actor)
    return builder.adjust(*sizes, *([2] * ((managers + 1) // 2))).as_markup()


def manage_buttons(builder: InlineKeyboardBuilder, campaign: Campaign, actor: Actor) -> int:
    count = 0
    village = campaign.village_id
    if actor.can(Action.RECORD_PAYMENT, village):
        builder.button(
            text=_("🏦 Bank statement"),
            callback_data=DgManage(action="statement", campaign_id=campaign.id),
        )
        builder.button(
            text=_("📥 Import receipts"),
            callback_data=DgManage(action="import", campaign_id=campaign.id),
        )
        count += 2
    if actor.can(Action.VIEW_ALL_CONTRIBUTIONS, village):
        builder.button(
            text=_("📊 Export XLSX/CSV"),
            callback_data=DgManage(action="export", campaign_id=campaign.id),
        )
        count += 1
    if actor.can(Action.MANAGE_CAMPAIGN, village):
        builder.button(
            text=_("🖨 QR poster"), callback_data=DgManage(action="poster", campaign_id=campaign.id)
        )
        builder.button(
            text=_("📣 Announce"),
            callback_data=DgManage(action="announce", campaign_id=campaign.id),
        )
        builder.button(
            text=_("📅 Change end date"),
            callback_data=DgManage(action="end", campaign_id=campaign.id),
        )
        if campaign.status == CampaignStatus.OPEN:
            builder.button(
                text=_("🔒 Close"), callback_data=DgManage(action="close", campaign_id=campaign.id)
            )
        else:
            builder.button(
                text=_("🔓 Reopen"),
                callback_data=DgManage(action="reopen", campaign_id=campaign.id),
            )
        count += 4
    return count


def amounts_keyboard(locale: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for amount in QUICK_MONEY:
        builder.button(text=format_money(amount, locale), callback_data=DgAmount(amount=amount))
    builder.button(text=_("✍ Another amount"), callback_data=DgAmount(amount=0))
    add_cancel(builder)
    return builder.adjust(2, 2, 2, 2).as_markup()


def confirm_keyboard(token: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Confirm"), callback_data=DgConfirm(token=token))
    builder.button(text=_("✖ Cancel"), callback_data=DgConfirm(token=token, ok=False))
    return builder.adjust(2).as_markup()


def extras_keyboard(pledge: Pledge, names_public: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✍ Add a note"), callback_data=PledgeAction(action="note", pledge_id=pledge.id)
    )
    if names_public:
        label = _("🙈 Hide my name") if pledge.show_name else _("👁 Show my name")
        builder.button(text=label, callback_data=PledgeAction(action="name", pledge_id=pledge.id))
    builder.button(
        text=_("🏠 My household"), callback_data=PledgeAction(action="hh", pledge_id=pledge.id)
    )
    return builder.adjust(1).as_markup()


def my_pledge_keyboard(pledge: Pledge) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    if pledge.received == 0 and pledge.status in ("pledged", "overdue"):
        builder.button(
            text=_("✏ Change"), callback_data=PledgeAction(action="change", pledge_id=pledge.id)
        )
        builder.button(
            text=_("🗑 Cancel pledge"),
            callback_data=PledgeAction(action="cancel", pledge_id=pledge.id),
        )
    if pledge.kind == "money" and pledge.status in ("pledged", "partly_received", "overdue"):
        builder.button(
            text=_("🔳 VietQR"), callback_data=PledgeAction(action="qr", pledge_id=pledge.id)
        )
    if not pledge.stop_reminders and pledge.status in ("pledged", "partly_received", "overdue"):
        builder.button(
            text=_("🔕 Stop reminding me"),
            callback_data=PledgeAction(action="stop", pledge_id=pledge.id),
        )
    if not list(builder.buttons):
        return None
    return builder.adjust(2).as_markup()


def households_keyboard(
    pledge_id: int, matches: Sequence[HouseholdMatch]
) -> InlineKeyboardMarkup:
    """The few households that matched what the resident typed, and a way out."""
    builder = InlineKeyboardBuilder()
    for match in matches[:MAX_MATCHES]:
        builder.button(
            text=f"{match.code} · {match.head_name}"[:60],
            callback_data=DgHousehold(pledge_id=pledge_id, household_id=match.household_id),
        )
    add_cancel(builder)
    return builder.adjust(1).as_markup()


def matches_keyboard(flagged: Sequence[bool]) -> InlineKeyboardMarkup:
    """A button per line (⚠ on a flagged one); "confirm all" takes only the unflagged."""
    builder = InlineKeyboardBuilder()
    for index, doubtful in enumerate(flagged[:20]):
        label = _("⚠ Line {number}") if doubtful else _("✅ Line {number}")
        builder.button(text=label.format(number=index + 1), callback_data=DgMatch(index=index))
    if sum(1 for doubtful in flagged[:20] if not doubtful) > 1:
        builder.button(text=_("✅ Confirm all unmarked"), callback_data=DgMatch(index=-1))
    return builder.adjust(3).as_markup()


def receipt_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("💵 Cash"), callback_data=DgReceipt(method="cash"))
    builder.button(text=_("🏦 Transfer"), callback_data=DgReceipt(method="transfer"))
    builder.button(text=_("✖ Cancel"), callback_data=DgReceipt(method="cancel"))
    return builder.adjust(2, 1).as_markup()


def new_kinds_keyboard(chosen: Sequence[str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind, label in kind_labels(_).items():
        mark = "✅" if kind in chosen else "⬜"
        builder.button(text=f"{mark} {label}", callback_data=DgNew(what="kind", kind=kind))
    builder.button(text=pgettext("continue", "Next ▶"), callback_data=DgNew(what="next"))
    builder.button(text=_("✖ Cancel"), callback_data=DgNew(what="cancel"))
    return builder.adjust(2, 2, 2).as_markup()


def names_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("👁 Names shown (if they agree)"), callback_data=DgNew(what="public"))
    builder.button(text=_("🙈 Totals only"), callback_data=DgNew(what="private"))
    add_cancel(builder)
    return builder.adjust(1).as_markup()


def board_keyboard(campaign: Campaign, actor: Actor) -> InlineKeyboardMarkup | None:
    builder = InlineKeyboardBuilder()
    if actor.can(Action.POST_CONTRIBUTION_BOARD, campaign.village_id):
        builder.button(
            text=_("📌 Post to the village group"),
            callback_data=DgManage(action="post", campaign_id=campaign.id),
        )
    if actor.can(Action.VIEW_ALL_CONTRIBUTIONS, campaign.village_id):
        builder.button(
            text=_("📊 Export XLSX/CSV"),
            callback_data=DgManage(action="export", campaign_id=campaign.id),
        )
    return builder.adjust(1).as_markup() if list(builder.buttons) else None
