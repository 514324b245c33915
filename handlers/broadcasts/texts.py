"""Texts of the announcement flows: weekdays, when it goes out, why a draft is refused,
a status."""

from __future__ import annotations

from typing import Any

from aiogram.utils.i18n import gettext as _

from bot.services import broadcasts as service
from bot.services import timeparse
from storage.models import Broadcast


def weekday_names() -> list[str]:
    return [
        _("Monday"),
        _("Tuesday"),
        _("Wednesday"),
        _("Thursday"),
        _("Friday"),
        _("Saturday"),
        _("Sunday"),
    ]


def _current_locale() -> str:
    from aiogram.utils.i18n import get_i18n

    return get_i18n().current_locale


def when_text(draft: service.Draft, tz: Any, locale: str | None = None) -> str:
    if draft.recurrence is not None:
        rule = draft.recurrence
        at = f"{rule.hour:02d}:{rule.minute:02d}"
        if rule.kind == "weekly":
            return _("every {day} at {time}").format(day=weekday_names()[rule.day], time=at)
        return _("on day {day} of every month at {time}").format(day=rule.day, time=at)
    if draft.when is not None:
        return timeparse.describe(draft.when, locale or _current_locale(), tz)
    return _("now")


def invalid_text(reason: str) -> str:
    texts = {
        "empty": _(
            "The announcement is empty. Please send its text, or a photo or file with a caption."
        ),
        "too_long": _(
            "The announcement is too long. Please shorten it (text up to 3900 characters, caption up to 900)."
        ),
        "no_audience": _("Please choose at least one audience."),
        "no_recipients": _(
            "Nobody can receive this announcement yet: no linked groups or users in this audience."
        ),
        "bad_datetime": _(
            "I could not read that. Type the day and time the way you would say them, for example "
            "“3/12 7h30”, “sáng mai 7 giờ”, “thứ 7 này 19h” or “25/12 19:00”."
        ),
        "in_past": _("That time has already passed. Please choose a time in the future."),
        "bad_recurrence": _("That schedule is not valid. Please start again."),
        "not_cancellable": _("This announcement can no longer be cancelled."),
    }
    return texts.get(reason, texts["empty"])


def status_text(broadcast: Broadcast) -> str:
    names = {
        "scheduled": _("scheduled"),
        "active": _("sending"),
        "done": _("sent"),
        "cancelled": _("cancelled"),
        "missed": _("missed (bot was offline)"),
    }
    return names.get(broadcast.status, broadcast.status)
