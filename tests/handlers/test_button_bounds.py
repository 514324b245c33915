"""Issue 14 #8: numbers in button data are bounded where the data is unpacked, by one
set of types (``bot.callback_ids``), and an impossible value is refused politely before
any handler takes it to the database."""

from __future__ import annotations

import typing

import pytest
from aiogram.filters.callback_data import CallbackData
from annotated_types import Ge, Le

import handlers  # noqa: F401  (defines every CallbackData class)
from bot.channels.telegram.preview import AckButton  # noqa: F401
from handlers import build_routers
from handlers.contributions.callbacks import DgAmount, DgCampaign, DgMatch, PledgeAction
from handlers.criteria.callbacks import Crit
from handlers.fallback import _callback_classes, button_data_out_of_range
from handlers.visits.keyboards import AssignCb, SnoozeCb, VisitCb

build_routers()

ATTACKS = [
    "dgo:+99999999999999999999",
    "dgo:99999999999999999999",
    "dgo:0",
    "dgo:-1",
    "dgo: +2147483648",
    "dgo:1_000_000_000_000",
    "dgp:cancel:+9223372036854775808",
    "dga:-5",
    "dga:+99999999999999999999",
    "vis:card:+99999999999999999999",
    "vis:card:0",
    "vis:done:1.5e30",
    "vas:to:+99999999999999999999:1",
    "vsz:5:+99999999999999999999",
    "c:faqpick:ntm:0:+99999999999999999999",
    "bcs:+99999999999999999999",
    "invite:+99999999999999999999",
    "vil:0",
]


@pytest.mark.parametrize("data", ATTACKS)
def test_forged_numbers_are_refused(data: str) -> None:
    assert button_data_out_of_range(data)


@pytest.mark.parametrize(
    "button",
    [
        DgCampaign(campaign_id=1),
        DgCampaign(campaign_id=2**31 - 1),
        DgAmount(amount=0),
        DgAmount(amount=5_000_000_000),
        DgMatch(index=-1),
        PledgeAction(action="stop", pledge_id=42),
        VisitCb(action="card", household_id=7),
        SnoozeCb(household_id=7, days=0),
        AssignCb(action="propose"),
        Crit(a="sets"),
        Crit(a="faqpick", s="ntm-2026-2030", n=0, v="12"),
    ],
)
def test_real_buttons_pass(button: CallbackData) -> None:
    assert not button_data_out_of_range(button.pack())


def test_unknown_prefixes_are_left_to_the_stale_buttons_router() -> None:
    assert not button_data_out_of_range("zzz:1")


def test_every_number_in_button_data_is_bounded() -> None:
    """One shared set of types: a new CallbackData class with a bare ``int`` fails here."""
    classes = _callback_classes()
    assert len(classes) >= 30
    unbounded = []
    for prefix, cls in classes.items():
        for name, field in cls.model_fields.items():
            if field.annotation is not int:
                continue
            bounds = {type(m) for m in field.metadata}
            if not {Ge, Le} <= bounds:
                unbounded.append(f"{prefix}.{name}")
            maximum = next(m.le for m in field.metadata if isinstance(m, Le))
            assert maximum <= 2**63 - 1, (prefix, name)
    assert unbounded == []


def test_prefixes_are_unique() -> None:
    seen: dict[str, str] = {}
    for cls in typing.cast(list[type[CallbackData]], _all_subclasses(CallbackData)):
        prefix = cls.__prefix__
        assert seen.setdefault(prefix, cls.__qualname__) == cls.__qualname__, prefix


def _all_subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_all_subclasses(sub))
    return out
