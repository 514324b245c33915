"""Vietnamese is the default language and must be complete."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import create_i18n

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
TAG = re.compile(r"</?[a-z]+>")


KEYWORDS = {"_": None, "__": None, "pgettext": ((1, "c"), 2)}


def source_messages() -> set[tuple[str | None, str]]:
    """(gettext context or None, msgid) of every message in the code."""
    found: set[tuple[str | None, str]] = set()
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder, keywords=KEYWORDS, method_map=[("**.py", "python")]
        ):
            found.add((context, message if isinstance(message, str) else message[0]))
    return found


def test_every_message_has_a_vietnamese_translation() -> None:
    with (ROOT / "locales/vi/LC_MESSAGES/messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="vi")
    translated = {
        (m.context, m.id): m.string for m in catalog if m.id and m.string and "fuzzy" not in m.flags
    }
    missing = sorted(f"{c}|{m}" if c else m for c, m in source_messages() - translated.keys())
    assert not missing, "untranslated (run `make locales` and fill locales/vi): " + "; ".join(missing)


def test_translations_keep_placeholders_and_tags() -> None:
    with (ROOT / "locales/vi/LC_MESSAGES/messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="vi")
    for message in catalog:
        if not message.id or not message.string:
            continue
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id
        assert sorted(TAG.findall(message.id)) == sorted(TAG.findall(message.string)), message.id


def test_catalogs_load_without_compiled_files() -> None:
    i18n = create_i18n("vi")
    assert set(i18n.available_locales) == {"vi", "en"}
    assert i18n.gettext("Change language", locale="vi") == "Đổi ngôn ngữ"
    assert i18n.gettext("Change language", locale="en") == "Change language"
