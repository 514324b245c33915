"""Two meanings, two msgids (issue 16, item 5): the wizards' "Next ▶" continues
("Tiếp ▶", as their texts say "chọn Tiếp") and the inbox's "Next ▶" turns the page
("Trang sau ▶"). Before, one msgid read "Trang sau ▶" on both."""

from __future__ import annotations

from bot.i18n import create_i18n, pgettext
from handlers.broadcasts.keyboards import audience_keyboard
from handlers.contributions.keyboards import new_kinds_keyboard


def _labels(markup) -> list[str]:  # type: ignore[no-untyped-def]
    return [b.text for row in markup.inline_keyboard for b in row]


def test_continue_and_next_page_read_differently() -> None:
    i18n = create_i18n("vi")
    with i18n.context(), i18n.use_locale("vi"):
        assert pgettext("continue", "Next ▶") == "Tiếp ▶"
        assert pgettext("page", "Next ▶") == "Trang sau ▶"
        assert "Tiếp ▶" in _labels(new_kinds_keyboard(["money"]))
        assert "Tiếp ▶" in _labels(audience_keyboard({}, []))
        assert not any("Trang sau" in label for label in _labels(new_kinds_keyboard(["money"])))
    with i18n.context(), i18n.use_locale("en"):
        assert pgettext("continue", "Next ▶") == pgettext("page", "Next ▶") == "Next ▶"
