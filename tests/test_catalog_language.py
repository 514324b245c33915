"""One language per sentence (issue 16.5): no Vietnamese words inside an English message
and no English words inside its Vietnamese translation. A heuristic over the catalogs:
examples the user may type (<code>…</code>, <i>…</i>), quotations, brackets, placeholders and
commands are left out; what remains of an English msgid must have no Vietnamese letters,
and what remains of a Vietnamese msgstr no common English words. Units shown with amounts
are translated too ("pledged 4 ngày công" in English)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

from bot.services.contributions.delivery import amount_text

ROOT = Path(__file__).resolve().parent.parent
VIETNAMESE = re.compile(
    "[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)
QUOTED = re.compile(
    r"<code>.*?</code>|<i>.*?</i>|“[^”]*”|\"[^\"]*\"|\([^)]*\)|\{[a-z_]+\}|/[a-z_]+|<[^>]+>", re.DOTALL
)
ENGLISH = re.compile(
    r"\b(the|and|please|your|you|campaign|pledge|button|household|member|send|press|file|"
    r"export|error|with|from|for|not|this|that|of|is|are|next|back|cancel)\b",
    re.IGNORECASE,
)


def _messages() -> list[tuple[str, str]]:
    with (ROOT / "locales/vi/LC_MESSAGES/messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="vi")
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        pairs.append((msgid, msgstr or ""))
    return pairs


def test_english_messages_have_no_vietnamese_words() -> None:
    mixed = [msgid for msgid, _ in _messages() if VIETNAMESE.search(QUOTED.sub(" ", msgid))]
    assert not mixed, "Vietnamese inside English (put examples in <code>…</code>): " + " | ".join(mixed)


def test_vietnamese_translations_have_no_english_words() -> None:
    mixed = [
        f"{msgstr!r}: {ENGLISH.findall(QUOTED.sub(' ', msgstr))}"
        for _, msgstr in _messages()
        if ENGLISH.search(QUOTED.sub(" ", msgstr))
    ]
    assert not mixed, "English inside Vietnamese: " + " | ".join(mixed)


def test_amounts_in_english_use_english_units() -> None:
    assert amount_text("labour", 4, "ngày công", "", "en") == "4 labour days"
    assert amount_text("material", 50, "bao", "xi măng", "en") == "50 bags xi măng"
    assert amount_text("labour", 4, "ngày công", "", "vi") == "4 ngày công"
