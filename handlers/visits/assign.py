"""/phancong: who visits whom. The balanced proposal is shown household by household
before it is accepted (or cancelled); any household is found by code or name and moved
to another member; the house QR sheet."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services import households
from bot.services.authz import Action, Actor
from bot.services.errors import NotAllowed, NotFound
from bot.services.markup import esc
from bot.services.visits import assignments, service
from bot.services.visits.plaques import plaque_pages, scan_line
from bot.services.visits.qr import village_codes
from bot.settings import Settings
from handlers.cancel import add_cancel, cancel_keyboard
from handlers.visits import keyboards as kb
from handlers.visits.common import current_day
from storage.repo import Repo

MAX_TEXT = 3800
NAMES_UP_TO = 60  # households in a proposal shown with their head's name; codes only beyond


class Assigning(StatesGroup):
    search = State()


def not_allowed_text() -> str:
    return _("Only the branch secretary and deputy can assign households.")


def left_out_text(left: assignments.LeftOut, proposal: assignments.Proposal) -> str:
    reason = {
        "leader": _("ordinary members are given households before the secretary and deputy"),
        "not_linked": _("members who use the bot (and get its reminders) come first"),
    }.get(left.reason, _("there are not enough households for everyone"))
    return _(
        "• {name} is left out this time: {total} households make {groups} groups of 4–5, and {reason}. Move a household to {name} to change this."
    ).format(
        name=esc(left.name),
        total=proposal.total,
        groups=len(proposal.shares),
        reason=reason,
    )


def proposal_text(proposal: assignments.Proposal) -> str:
    lines = [
        _("<b>Balanced proposal</b>: neighbours together, poor and policy households spread out.")
    ]
    with_names = proposal.total <= NAMES_UP_TO
    for share in proposal.shares:
        houses = ", ".join(
            f"{esc(code)} {esc(head)}" if with_names else esc(code)
            for code, head in share.households
        )
        lines.append(f"<b>{esc(share.name)}</b> ({len(share.households)}): {houses}")
    lines += [left_out_text(left, proposal) for left in proposal.left_out]
    lines.append(_("Nothing changes until you choose “Accept”."))
    text = "\n".join(lines)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rsplit(",", 1)[0] + " …"


def household_label(code: str, head: str) -> str:
    return f"{code} · {head}"[:60]


def register(router: Router) -> None:
    async def show_assignments(message: Message, repo: Repo, actor: Actor) -> None:
        screen = await service.assignment_screen(repo, actor, actor.village_id or 0)
        lines = [_("<b>Household visits: who visits whom</b>")]
        for load in screen.loads:
            lines.append(
                _("• {name}: {count} households ({priority} poor, near-poor or policy)").format(
                    name=esc(load.name), count=load.households, priority=load.priority
                )
            )
        lines.append(_("Not assigned: {count} households.").format(count=len(screen.unassigned)))
        builder = InlineKeyboardBuilder()
        builder.button(
            text=_("⚖️ Propose a balanced split"), callback_data=kb.AssignCb(action="propose")
        )
        builder.button(text=_("🔁 Move a household"), callback_data=kb.AssignCb(action="move"))
        builder.button(text=_("🖨 House QR codes (PDF)"), callback_data=kb.AssignCb(action="qr"))
        for household in screen.unassigned[:10]:
            builder.button(
                text=_("Assign {household}").format(
                    household=household_label(household.code, household.head_name)
                )[:60],
                callback_data=kb.AssignCb(action="pick", household_id=household.id),
            )
        await message.answer("\n".join(lines), reply_markup=builder.adjust(1).as_markup())

    async def ask_member(message: Message, repo: Repo, actor: Actor, household_id: int) -> None:
        household, now, members = await assignments.current_visitor(repo, actor, household_id)
        builder = InlineKeyboardBuilder()
        for member in members[:30]:
            builder.button(
                text=("✅ " if member.name == now else "") + member.name[:55],
                callback_data=kb.AssignCb(
                    action="to", household_id=household.id, member_id=member.id
                ),
            )
        add_cancel(builder)
        text = _("Who visits the household <b>{household}</b>?").format(
            household=esc(household_label(household.code, household.head_name))
        )
        if now:
            text += "\n" + _("Now: {name}.").format(name=esc(now))
        await message.answer(text, reply_markup=builder.adjust(1).as_markup())

    @router.message(Command("phancong"))
    async def command_assign_handler(
        message: Message, state: FSMContext, repo: Repo, actor: Actor
    ) -> None:
        await state.clear()
        try:
            await show_assignments(message, repo, actor)
        except NotAllowed:
            await message.answer(not_allowed_text())

    @router.message(StateFilter(Assigning.search), F.text, ~F.text.startswith("/"))
    async def household_typed(message: Message, repo: Repo, actor: Actor) -> None:
        village_id = actor.village_id or 0
        if not actor.can(Action.ASSIGN_VISITS, village_id):
            await message.answer(not_allowed_text())
            return
        found = await households.find_households(repo, actor, village_id, message.text or "")
        if not found:
            await message.answer(
                _(
                    "No household matches “{query}”. Type at least two letters of the code or of the head's name."
                ).format(query=esc((message.text or "")[:60])),
                reply_markup=cancel_keyboard(),
            )
            return
        builder = InlineKeyboardBuilder()
        for match in found:
            builder.button(
                text=household_label(match.code, match.head_name),
                callback_data=kb.AssignCb(action="pick", household_id=match.household_id),
            )
        add_cancel(builder)
        await message.answer(_("Which household?"), reply_markup=builder.adjust(1).as_markup())

    @router.callback_query(kb.AssignCb.filter())
    async def assign_pressed(
        callback: CallbackQuery,
        callback_data: kb.AssignCb,
        state: FSMContext,
        repo: Repo,
        actor: Actor,
        settings: Settings,
    ) -> None:
        message = callback.message
        village_id = actor.village_id or 0
        if not actor.can(Action.ASSIGN_VISITS, village_id) or not isinstance(message, Message):
            await callback.answer(not_allowed_text(), show_alert=True)
            return
        await callback.answer()
        today = current_day(settings)
        action = callback_data.action
        if action == "propose":
            proposal = await assignments.balanced_proposal(repo, actor, village_id)
            builder = InlineKeyboardBuilder()
            builder.button(
                text=_("✅ Accept this split"), callback_data=kb.AssignCb(action="accept")
            )
            builder.button(text=_("✖ Cancel"), callback_data=kb.AssignCb(action="dismiss"))
            await message.answer(
                proposal_text(proposal), reply_markup=builder.adjust(2).as_markup()
            )
        elif action == "accept":
            changed = await service.apply_proposal(repo, actor, village_id, today)
            await message.edit_text(
                message.html_text
                + "\n\n"
                + _("✅ Accepted: {count} households changed hands.").format(count=changed),
                reply_markup=None,
            )
            await show_assignments(message, repo, actor)
        elif action == "dismiss":
            await message.edit_text(
                message.html_text + "\n\n" + _("✖ Cancelled: nothing was changed."),
                reply_markup=None,
            )
        elif action == "move":
            await state.set_state(Assigning.search)
            await message.answer(
                _(
                    "Type the household's code or part of the head's name, for example <code>NBT-004</code> or <code>Giang</code>."
                ),
                reply_markup=cancel_keyboard(),
            )
        elif action == "qr":
            me = await message.bot.me() if message.bot else None
            houses = await village_codes(repo, village_id, today)
            village = await repo.places.village(village_id)
            pdf = plaque_pages(
                houses,
                me.username if me and me.username else "villagebot",
                village.name if village else "",
                scan_line(_),
            )[0]
            await message.answer_document(
                BufferedInputFile(pdf, filename="qr-ho.pdf"),
                caption=_("Print and put one on each house."),
            )
        elif action == "pick":
            if await state.get_state() == Assigning.search.state:  # a search result: used
                await message.edit_reply_markup(reply_markup=None)
            await state.clear()
            try:
                await ask_member(message, repo, actor, callback_data.household_id)
            except (NotAllowed, NotFound):
                await message.answer(_("You cannot change this."))
        elif action == "to":
            try:
                moved = await assignments.move_household(
                    repo, actor, callback_data.household_id, callback_data.member_id, today
                )
            except (NotAllowed, NotFound):
                await message.answer(_("You cannot change this."))
                return
            await message.edit_text(
                _("✅ The household <b>{household}</b> is now visited by {name}.").format(
                    household=esc(household_label(moved.code, moved.head_name)),
                    name=esc(moved.member_name),
                )
                + (
                    "\n" + _("Before: {name}.").format(name=esc(moved.previous_name))
                    if moved.previous_name and moved.previous_name != moved.member_name
                    else ""
                ),
                reply_markup=None,
            )
            await show_assignments(message, repo, actor)
