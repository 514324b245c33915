"""No keyboard ever exceeds Telegram's limits (issue 16.1): at most 100 inline buttons,
8 in a row, button data of 1–64 bytes, whatever the village's size. Every keyboard
builder of the handlers is called here with the largest inputs it can meet (500
households, 300 campaigns or groups, ids at the top of their range); a new builder fails
this test until it is given its inputs below."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import SimpleNamespace
from typing import Any

import pytest
from aiogram.types import InlineKeyboardMarkup

import handlers
from bot.i18n import create_i18n
from bot.services.authz import Actor
from bot.services.criteria.catalog import Catalog
from bot.services.households import HouseholdMatch
from bot.services.visits.domain import CHECKLIST

BIG = 2**31 - 1
ADMIN = Actor(user_id=1, platform_user_id=1, village_id=1, is_admin=True)
CAMPAIGN = SimpleNamespace(id=BIG, village_id=1, status="open", name="Nhà văn hóa " * 20, code="ABCDEFGH")
PLEDGE = SimpleNamespace(id=BIG, received=0, status="pledged", kind="money", stop_reminders=False, show_name=True)
KINDS = ["money", "labour", "material", "land"]


def _sets() -> list[Any]:
    return list(Catalog.builtin()._sets.values())


CAMPAIGNS = [SimpleNamespace(id=BIG - n, status="open", name=f"Chiến dịch {n}" * 5) for n in range(300)]
ARGUMENTS: dict[str, Any] = {
    "actor": ADMIN,
    "campaign": CAMPAIGN,
    "campaigns": CAMPAIGNS,
    "kinds": KINDS,
    "chosen": KINDS,
    "locale": "vi",
    "token": "x" * 12,
    "pledge": PLEDGE,
    "pledge_id": BIG,
    "names_public": True,
    "count": 500,
    "matches": [HouseholdMatch(BIG - n, f"NBT-{n:03d}", "Nguyễn Văn " * 10) for n in range(500)],
    "household_id": BIG,
    "code_id": BIG,
    "need_id": BIG,
    "village_id": BIG,
    "checks": dict.fromkeys(CHECKLIST, "ok"),
    "groups": [(BIG - n, f"Nhóm thôn {n}") for n in range(300)],  # chat row ids, as village_groups gives
    "data": {"group_ids": [BIG - n for n in range(300)], "members": True, "residents": True, "pin": True, "ack": True},
    "page": 0,
    "draft": {"kinds": KINDS, "name": "Đường " * 40, "goals": {}},
    "view": SimpleNamespace(assigned_to_me=True, household=SimpleNamespace(id=BIG, village_id=1)),
}
# Builders that need the database are measured where they are tested.
ELSEWHERE = {
    "handlers.criteria.inbox.inbox_page",  # five questions a page: tests/e2e/test_criteria.py
    "handlers.confirm.without_button",  # takes a keyboard away, never adds to one
}
CONSULTATION = SimpleNamespace(
    id=BIG, village_id=1, status="open", kind="multi", allow_other=True, question="Ý kiến " * 80
)
CONSULTATIONS = [SimpleNamespace(id=BIG - n, status="open", question="Làm đường " * 20) for n in range(10)]
PER_FUNCTION: dict[str, list[dict[str, Any]]] = {
    # The wizard's steps offer fixed lists; the longest is the kinds of question (3) or voters (3).
    "handlers.consultations.keyboards.choices": [{"what": "kind", "items": [(str(n), "Lựa chọn " * 10) for n in range(5)]}],
    "handlers.consultations.keyboards.campaigns": [{"items": CAMPAIGNS}],
    # At most 10 options (MAX_OPTIONS) and "other"; every one ticked.
    "handlers.consultations.keyboards.ballot": [
        {"consultation": CONSULTATION, "labels": ["Phương án " * 12] * 10, "mask": 2**11 - 1},
        {"consultation": SimpleNamespace(**{**vars(CONSULTATION), "kind": "single"}), "labels": ["P"] * 10},
    ],
    # The village's 10 newest (ConsultationsRepository.of_village's limit).
    "handlers.consultations.keyboards.listing": [{"items": CONSULTATIONS, "actor": ADMIN, "village_id": 1}],
    "handlers.consultations.keyboards.manage": [{"consultation": CONSULTATION, "actor": ADMIN}],
    "handlers.consultations.keyboards.confirm_close": [{"consultation_id": BIG}],
    # A statement gives at most 20 lines a keyboard; all unflagged, then all flagged.
    "handlers.contributions.keyboards.matches_keyboard": [{"flagged": [False] * 40}, {"flagged": [True] * 40}],
    "handlers.broadcasts.keyboards.day_keyboard": [{"kind": "weekly"}, {"kind": "monthly"}],
    "handlers.visits.keyboards.needs_keyboard": [{"chosen": ["all"] * 20}],
}


def builders() -> list[Any]:  # noqa: C901
    found = []
    for module in pkgutil.walk_packages(handlers.__path__, "handlers."):
        mod = importlib.import_module(module.name)
        for name, function in vars(mod).items():
            if not inspect.isfunction(function) or function.__module__ != mod.__name__ or name.startswith("_"):
                continue
            if f"{mod.__name__}.{name}" in ELSEWHERE:
                continue
            if "InlineKeyboardMarkup" in str(inspect.signature(function).return_annotation):
                found.append(function)
    return found


def calls(function: Any) -> list[dict[str, Any]]:
    qualified = f"{function.__module__}.{function.__name__}"
    if qualified in PER_FUNCTION:
        return PER_FUNCTION[qualified]
    parameters = inspect.signature(function).parameters
    if "criterion" in parameters:
        every = [c for s in _sets() for c in s.criteria]
        return [
            {"criterion": c, "related": tuple(every[:5]), "question_id": BIG, "can_edit": True, "answered": None}
            for c in every
        ]
    if "criteria_set" in parameters:
        return [{"criteria_set": s, "page": 0} for s in _sets()]
    if "sets" in parameters:
        return [{"sets": _sets() * 20}]
    missing = [p for p in parameters if p not in ARGUMENTS]
    assert not missing, f"{qualified}: give the test the largest inputs for {missing}"
    return [{p: ARGUMENTS[p] for p in parameters}]


def assert_fits(markup: InlineKeyboardMarkup, where: str) -> None:
    rows = markup.inline_keyboard
    assert sum(len(r) for r in rows) <= 100, f"{where}: {sum(len(r) for r in rows)} buttons"
    assert all(len(r) <= 8 for r in rows), f"{where}: a row of {max(len(r) for r in rows)}"
    for row in rows:
        for button in row:
            assert button.text
            if button.callback_data is not None:
                assert 1 <= len(button.callback_data.encode()) <= 64, f"{where}: {button.callback_data!r}"


BUILDERS = builders()


def test_builders_are_found() -> None:
    names = {f.__name__ for f in BUILDERS}
    assert {"households_keyboard", "campaigns_keyboard", "audience_keyboard", "cancel_keyboard"} <= names


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_every_keyboard_fits_telegram(builder: Any) -> None:
    i18n = create_i18n("vi")
    with i18n.context(), i18n.use_locale("vi"):
        for kwargs in calls(builder):
            markup = builder(**kwargs)
            if markup is not None:
                assert_fits(markup, builder.__name__)
