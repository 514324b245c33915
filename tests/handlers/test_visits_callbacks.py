"""The buttons the reminders carry (written by the renderers, which import no aiogram)
are exactly what the visits handlers unpack."""

from __future__ import annotations

import pytest

from bot.services.visits.delivery import need_callback, visit_callback
from handlers.visits.keyboards import NeedCb, VisitCb


@pytest.mark.parametrize("action", ["done", "later", "cannot", "card"])
def test_visit_buttons_round_trip(action: str) -> None:
    packed = visit_callback(action, 12345)
    assert packed == VisitCb(action=action, household_id=12345).pack()
    assert VisitCb.unpack(packed) == VisitCb(action=action, household_id=12345)
    assert len(packed.encode()) <= 64


@pytest.mark.parametrize("state", ["in_progress", "resolved"])
def test_need_buttons_round_trip(state: str) -> None:
    packed = need_callback(state, 987654321)
    assert NeedCb.unpack(packed) == NeedCb(state=state, need_id=987654321)
    assert len(packed.encode()) <= 64


def test_forged_callback_data_does_not_unpack() -> None:
    with pytest.raises(ValueError):
        VisitCb.unpack("vis:done:not-a-number")
