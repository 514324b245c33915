"""Translations: gettext catalogs under ``locales/``, compiled in memory from the .po files
(so a plain ``pip install`` needs no build step), and the locale chosen per update."""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject
from aiogram.utils.i18n import I18n, I18nMiddleware
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot.settings import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


class PoI18n(I18n):
    """aiogram's I18n, reading .po catalogs directly."""

    @contextmanager
    def context(self) -> Iterator[I18n]:
        # aiogram's gettext() looks the instance up on I18n's own context variable;
        # a subclass would otherwise set a variable of its own.
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for locale in SUPPORTED_LOCALES:
            po_path = self.path / locale / "LC_MESSAGES" / f"{self.domain}.po"
            if not po_path.exists():
                continue
            with po_path.open("rb") as fp:
                catalog = read_po(fp, locale=locale)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            translations[locale] = gettext.GNUTranslations(buffer)
        return translations


def pgettext(context: str, message: str) -> str:
    """``message`` in the current locale, told apart by ``context`` from the same English
    words with another meaning ("Next ▶": continue a wizard, or the next page)."""
    i18n = I18n.get_current(no_error=True)
    translation = i18n.locales.get(i18n.current_locale) if i18n is not None else None
    return translation.pgettext(context, message) if translation is not None else message


def create_i18n(default_locale: str = "vi") -> PoI18n:
    return PoI18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


def pick_locale(chosen: str | None, telegram_code: str | None, default: str) -> str:
    """The user's chosen language, else Telegram's language_code, else the default."""
    if chosen in SUPPORTED_LOCALES:
        return chosen  # type: ignore[return-value]
    if telegram_code:
        base = telegram_code.split("-")[0].lower()
        if base in SUPPORTED_LOCALES:
            return base
    return default


class UserLocaleMiddleware(I18nMiddleware):
    """Sets the locale for the update and leaves it in ``data['locale']`` (the error
    handler, which runs outside this middleware, reads it from there)."""

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user = data.get("user")
        from_user = data.get("event_from_user")
        locale = pick_locale(
            getattr(user, "language", None),
            getattr(from_user, "language_code", None),
            self.i18n.default_locale,
        )
        data["locale"] = locale
        return locale
