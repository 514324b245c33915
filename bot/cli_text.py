"""The CLI's language: ``DEFAULT_LOCALE`` (Vietnamese unless set otherwise), through the
same gettext catalogs as the bot; English is the second language."""

from __future__ import annotations

from collections.abc import Callable

from bot.settings import Settings


def cli_gettext(settings: Settings) -> Callable[[str], str]:
    from bot.i18n import create_i18n

    i18n = create_i18n(settings.default_locale)
    locale = settings.default_locale

    def translate(text: str) -> str:
        return i18n.gettext(text, locale=locale)

    return translate
