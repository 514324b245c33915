"""/layykien is in /help, for residents and the secretary, in both languages (issue 20)."""

from __future__ import annotations

import pytest

from bot.i18n import create_i18n
from bot.services.authz import Actor
from handlers.start import help_text
from storage.models import Role


@pytest.mark.parametrize(
    ("locale", "line"),
    [
        ("vi", "/layykien – Lấy ý kiến: trả lời câu hỏi của chi bộ"),
        ("en", "/layykien – Consultations: answer the branch's questions"),
    ],
)
def test_help_lists_layykien_in_both_languages(locale: str, line: str) -> None:
    i18n = create_i18n("vi")
    secretary = Actor(user_id=1, platform_user_id=1, village_id=1, member_id=1, role=Role.SECRETARY)
    with i18n.context(), i18n.use_locale(locale):
        for actor in (None, secretary):
            assert line in help_text(actor, None).splitlines()
