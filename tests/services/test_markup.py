"""Issue 14 #1: one escaping rule. Typed text meets ``parse_mode=HTML`` only through
``bot.services.markup.esc``; the screens built from plain values show every hostile field
as text (checked with the sandbox's Telegram-strict HTML parser)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.sandbox.formatting import parse_html
from bot.services.contributions.delivery import board_text
from bot.services.contributions.transparency import Board, Contributor, KindLine
from bot.services.markup import esc
from bot.services.visits.report import (
    CoverageReport,
    MemberCoverage,
    NeedLine,
    OverdueLine,
    report_text,
)
from storage.models import Campaign

ROOT = Path(__file__).resolve().parents[2]
LINK = '<a href="https://evil.example/login">XI MĂNG – bấm xem sao kê</a>'
HOSTILE = [LINK, "<b", "a & b", "</b>", "<i>x", "\"'", "&amp;", "<tg-spoiler>"]


def gettext(text: str) -> str:
    return text


def shown(html_text: str) -> tuple[str, set[str]]:
    """What Telegram would show (raises on what it would refuse) and its entity kinds."""
    plain, entities = parse_html(html_text)
    return plain, {e["type"] for e in entities}


@pytest.mark.parametrize("text", HOSTILE)
def test_esc_round_trips_through_telegram_html(text: str) -> None:
    assert shown(esc(text)) == (text, set())


def test_nothing_else_escapes_html() -> None:
    """One function: ``html.escape`` (or aiogram's ``hd.quote``) elsewhere is a second rule."""
    offenders = []
    for directory in ("bot", "handlers"):
        for path in sorted((ROOT / directory).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in ("bot/services/markup.py",) or relative.startswith("bot/sandbox/"):
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"html\.escape\(|\bhd\.quote\(|html_decoration\.quote\(", source):
                offenders.append(relative)
    assert offenders == []


@pytest.mark.parametrize("text", HOSTILE)
def test_the_board_shows_typed_text_as_text(text: str) -> None:
    campaign = Campaign(
        id=1,
        code="abc",
        village_id=1,
        name=f"Nhà văn hóa {text}",
        purpose=text,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    board = Board(
        campaign,
        [KindLine("material", f"bao {text}", None, 53, 0, 2), KindLine("money", "", 10, 5, 5, 1)],
        2,
        [Contributor(f"Lan {text}", "material", 50, 0, "bao", text, pledge_id=7)],
        1,
        True,
    )
    plain, kinds = shown(board_text(board, gettext, "vi"))
    assert kinds <= {"bold"}
    assert f"Nhà văn hóa {text}" in plain
    assert f"#7 Lan {text}: 50 bao {text}" in plain  # the full view numbers pledges for /huycamket


@pytest.mark.parametrize("text", HOSTILE)
def test_the_visits_report_shows_typed_text_as_text(text: str) -> None:
    report = CoverageReport(
        village_name=f"Thôn {text}",
        month=date(2026, 12, 1),
        members=[MemberCoverage(1, f"An {text}", 2, 1)],
        overdue=[OverdueLine("NBT-001", f"Lê {text}", f"An {text}", date(2026, 12, 1), 4)],
        needs=[
            NeedLine(1, "NBT-001", f"Lê {text}", "health", f"cần {text}", "open", date(2026, 12, 2))
        ],
    )
    plain, kinds = shown(report_text(report, gettext))
    assert kinds <= {"bold", "italic"}
    assert f"An {text}" in plain and f"cần {text}" in plain


@pytest.mark.parametrize("text", HOSTILE)
def test_choices_as_numbered_lines_stay_text(text: str) -> None:
    """A channel without buttons gets the choices (household names…) inside the HTML."""
    from bot.channels.base import Capabilities, degrade
    from bot.delivery.contract import Choice, OutgoingMessage

    message = OutgoingMessage(
        text="<b>Hôm nay</b>", choices=((Choice(f"NBT-001 {text}", data="vis:done:1"),),)
    )
    plain, kinds = shown(degrade(message, Capabilities(False, False, 4096, 1024)).text)
    assert f"1. NBT-001 {text}" in plain and kinds == {"bold"}
