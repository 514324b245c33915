"""The one escaping rule: text a person typed (names, titles, notes, materials, answers,
village and household names, memos) is passed through :func:`esc` wherever it meets
Telegram's ``parse_mode=HTML``, and nowhere else (an export or a chart takes it raw).

Every message the bot sends is HTML (``bot.app``), so a material typed as
``<a href="https://evil.example/login">XI MĂNG</a>`` would otherwise become a live link
under the bot's name, and an unclosed ``<b`` would make the message fail to send.
``tests/services/test_markup.py`` keeps ``html.escape`` out of the rest of the code and
sends every user-writable field through every screen that shows it.
"""

from __future__ import annotations

import html

__all__ = ["esc"]


def esc(text: object) -> str:
    """``text`` safe inside HTML: ``& < > " '`` become entities Telegram reads back."""
    return html.escape("" if text is None else str(text), quote=True)
