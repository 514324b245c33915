"""What the consultation screens say; domain errors become polite, localized answers.
Every text a person typed is HTML-escaped here."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import gettext as _

from bot.services import timeparse
from bot.services.consultations import documents
from bot.services.consultations.domain import ConsultationInvalid, NotEligible
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.markup import esc
from storage.models import Consultation


def unverified_without_contact() -> str:
    """"unverified" on a channel without the phone-sharing button: what can be done there."""
    return _(
        "To count your answer I need to know your household, and this app cannot share your phone with me. "
        "A party member of the branch can record your household's answer: they type its code, for example "
        "<code>NBT-001</code>. If you also use the bot on an app where you can share your phone, share it "
        "there and link the two apps with /ketnoi."
    )


def error_text(error: DomainError) -> str:
    if isinstance(error, NotAllowed):
        return _("Sorry, only the branch secretary or deputy can do that.")
    if isinstance(error, NotFound):
        return _("I could not find that consultation. It may belong to another village or no longer exist.")
    if isinstance(error, NotEligible):
        return {
            "other_village": _(
                "Sorry, this consultation is for the residents of another village: your answer cannot be counted."
            ),
            "unverified": _(
                "To count your answer I need to know your household. Share your phone with the 📱 button: "
                "it must be the phone on your household's entry in the village list. If it is not, "
                "ask the branch secretary to add it."
            ),
            "not_member": _("Only the branch's party members answer this consultation."),
            "need_code": _(
                "Which household do you answer for? Type its code, for example <code>NBT-001</code> "
                "(ask the branch if you do not know it). Type <i>hủy</i> to stop."
            ),
            "code_unknown": _(
                "No household of this village has that code. Check it and type it again, or type <i>hủy</i> to stop."
            ),
            "one_household": _(
                "You have already answered for another household in this consultation: each person answers for one household."
            ),
        }.get(error.reason, _("Sorry, your answer cannot be counted."))
    if isinstance(error, ConsultationInvalid):
        return {
            "question_empty": _("Please type the question."),
            "question_long": _("The question is too long (at most 500 characters). Please shorten it."),
            "options_few": _("Please give at least two options, one per line."),
            "options_many": _("At most 10 options, please."),
            "option_long": _("An option is too long (at most 100 characters). Please shorten it."),
            "options_same": _("Two options are the same. Please make each one different."),
            "closes_past": _("That time has already passed. Please give a time in the future."),
            "closes_soon": _("Please leave residents at least 10 minutes to answer."),
            "closes_far": _("At most 90 days from now, please."),
            "closed": _("This consultation is closed: answers are no longer taken."),
            "choice": _("That choice is not one of this consultation's options."),
            "other_empty": _("Please type your answer."),
            "other_long": _("Your answer is too long (at most 300 characters)."),
            "campaign": _("That campaign is not open in your village."),
        }.get(error.reason, _("Sorry, that did not work."))
    return _("Sorry, that did not work.")


def when_text(moment: datetime, locale: str, tz: str) -> str:
    return timeparse.describe(moment, locale, ZoneInfo(tz))


def header(consultation: Consultation, locale: str, tz: str) -> str:
    """The question as a ballot shows it."""
    lines = [
        "🗳 <b>" + _("Consultation") + "</b>",
        esc(consultation.question),
        "<i>"
        + esc(documents.voters_text(consultation.voters, _))
        + " · "
        + esc(documents.kind_text(consultation.kind, _))
        + "</i>",
    ]
    if consultation.status == "open":
        lines.append(_("Closes: {time}").format(time=when_text(consultation.closes_at, locale, tz)))
    else:
        lines.append(_("This consultation is closed: answers are no longer taken."))
    return "\n".join(lines)


def answer_text(labels: list[str], choices: list[int] | tuple[int, ...], other_text: str = "") -> str:
    from bot.services.consultations.service import choice_labels

    return esc(choice_labels(labels, documents.other_label(_), choices, other_text))
