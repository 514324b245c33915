"""The few words the Zalo bridge adds itself (translated like every other text)."""

from __future__ import annotations

from aiogram.utils.i18n import gettext


def _(msgid: str) -> str:
    try:
        return gettext(msgid)
    except LookupError:  # no i18n context (a test, a tool): the English words
        return msgid


def menu_hint(count: int) -> str:
    return _("Reply with a number from 1 to {count}.").format(count=count)


def way_out_hint(count: int) -> str:
    """Under a step's buttons when one of them is the way out, numbered 0."""
    if count == 0:
        return _("Type your answer, or 0 to cancel.")
    return _("Reply with a number from 1 to {count}, or 0 to cancel.").format(count=count)


def contact_hint() -> str:
    return _("Party member? Type the invite code your branch secretary gave you.")


def out_of_range(count: int) -> str:
    return _("Please reply with a number from 1 to {count}.").format(count=count)


def menu_expired() -> str:
    return _("That list has expired. Please send /start to see what I can do.")


def not_understood() -> str:
    return _("I can only read text messages. Please type your question.")


def group_not_served(bot_name: str) -> str:
    return _(
        "I cannot answer in Zalo groups yet. Please write to me in a private chat: open “{name}” and send your question there."
    ).format(name=bot_name)


def quota_notice() -> str:
    return _(
        "Zalo says our message quota is exceeded. Zalo messages now wait and are retried; "
        "nothing is dropped. Telegram is not affected. See `villagebot status`."
    )


def about_missing_controls() -> list[str]:
    """Sentences of the handlers that point at a control Zalo does not have (the phone
    button), in the current language and in English; the bridge leaves them out and
    says what to do instead (:func:`contact_hint`)."""
    msgids = ["Party member? Choose “📱 I am a party member: share my phone” below to link your account."]
    return [*msgids, *(t for t in (_(m) for m in msgids) if t not in msgids)]


def near_quota_notice(sent: int, quota: int) -> str:
    return _(
        "Zalo: {sent} of the {quota} messages of this month's plan are used. Announcements "
        "to Zalo now wait (nothing is dropped); replies and reminders still go. Raise "
        "ZALO_MONTHLY_QUOTA after upgrading the plan, or wait for next month. See `villagebot status`."
    ).format(sent=sent, quota=quota)
