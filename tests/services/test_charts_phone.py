"""Issue 14 #3 and issue 16 #7: every chart draws any name as plain text (no TeX, no
mathtext, no emoji boxes), is readable at phone width, keeps its legend off the bars,
and says what the board's text says. "Every chart" is the criteria progress chart, the
/congkhai board, the /baocao chart, the campaign poster, the house plaques (the QR
sheet) and a consultation's chart and minutes PDF."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from matplotlib.text import Text

from bot.services import charts
from bot.services.charts import progress_chart
from bot.services.consultations import documents
from bot.services.consultations.domain import Ballot, OptionCount, Tally
from bot.services.consultations.service import Result
from bot.services.contributions.chart import board_chart
from bot.services.contributions.delivery import board_text
from bot.services.contributions.transparency import Board, Contributor, KindLine
from bot.services.visits.plaques import plaque_pages
from bot.services.visits.qr import HouseCode
from bot.services.visits.report import CoverageReport, MemberCoverage, report_chart
from storage.models import Campaign, Consultation

LEGEND = {"met": "Đạt", "in_progress": "Đang làm", "not_met": "Chưa đạt", None: "Chưa rõ"}
NASTY = ["$\\foo$", "x $^$ y", "a $_$", "$\\sqrt[$", "a$b$c$d", "💰🛠 Tiền", "\\begin{x}", "<b", "%s {0}"]


def gettext(text: str) -> str:
    return text


def campaign(name: str) -> Campaign:
    return Campaign(
        id=1,
        code="abc",
        village_id=1,
        name=name,
        purpose="",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )


def a_board(name: str, material: str = "bao") -> Board:
    return Board(
        campaign(name),
        [
            KindLine("money", "", 600_000_000, 3_000_000, 1_000_000, 2),
            KindLine("labour", "ngày công", None, 3, 0, 1),
            KindLine("material", material, None, 53, 10, 2),
        ],
        3,
        [Contributor("Lan", "money", 1_000_000, 0, "", "")],
    )


def a_report(name: str) -> CoverageReport:
    return CoverageReport(
        name, date(2026, 12, 1), [MemberCoverage(1, name, 4, 3), MemberCoverage(2, "B", 2, 0)]
    )


def draw_all(name: str) -> list[bytes]:
    return [
        progress_chart(f"{name}: 1/2", [(f"1. {name}", "met"), ("2. Giao thông", None)], LEGEND),
        board_chart(a_board(name, material=name), gettext, "vi"),
        report_chart(a_report(name), gettext),
    ]


def a_result(name: str) -> Result:
    """A closed consultation whose question, options, "other" answers and voters are ``name``."""
    moment = datetime(2026, 3, 1, 8, tzinfo=UTC)
    consultation = Consultation(
        id=1, code="abc", village_id=1, question=name, kind="single", allow_other=True,
        voters="household", names_public=True, opens_at=moment, closes_at=moment,
        closed_at=moment, status="closed",
    )  # fmt: skip
    tally = Tally([OptionCount(name, 1, 50), OptionCount("Không", 0, 0)], OptionCount("Khác", 1, 50),
                  2, 3, [name])  # fmt: skip
    ballots = [Ballot(name, (0,), "", moment, 0), Ballot("B", (-1,), name, moment, 1)]
    return Result(consultation, [name, "Không"], tally, ballots)


def draw_papers(name: str) -> list[bytes]:
    """The sheets that are not phone charts: house plaques (PNG and PDF), a consultation's
    chart and its minutes PDF."""
    houses = [HouseCode(name[:24] or "H1", name, "t001Xy9kQ")]
    result = a_result(name)
    lines = documents.minutes_lines(result, gettext, "Asia/Ho_Chi_Minh", village=name,
                                    campaign=name, now=datetime(2026, 3, 2, tzinfo=UTC))  # fmt: skip
    return [
        *plaque_pages(houses, "villagebot", name, name, fmt="png"),
        *plaque_pages(houses, "villagebot", name, name, per_page=6),
        documents.chart_png(result, gettext),
        documents.minutes_pdf(lines),
    ]


def drawn(images: list[bytes]) -> bool:
    return all(image.startswith((b"\x89PNG", b"%PDF")) for image in images)


@pytest.mark.parametrize("name", NASTY)
def test_names_that_look_like_formulas_draw(name: str) -> None:
    """A campaign called ``$\\foo$`` broke /congkhai for everyone (mathtext)."""
    assert all(png.startswith(b"\x89PNG") for png in draw_all(name))


@pytest.mark.parametrize("name", NASTY)
def test_plaques_and_consultation_papers_draw_names_that_look_like_formulas(name: str) -> None:
    """A village called "x $^$ y" broke the house plaques (``villagebot qr village`` and the
    secretary's "House QR codes"): matplotlib's ``wrap=True`` reads words as mathtext."""
    assert drawn(draw_papers(name))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=60))
@example("ﬀ")  # found by this test: the plaque's monospace code font has no such ligature
def test_any_unicode_name_draws(name: str) -> None:
    from bot.services.contributions import files

    assert all(png.startswith(b"\x89PNG") for png in draw_all(name))
    assert files.poster(name, name, "https://t.me/v?start=dg_a").startswith(b"\x89PNG")
    assert drawn(draw_papers(name))


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """What each chart drew, read just before it is saved."""
    seen: list[dict] = []
    save = charts._save

    def watch(figure: Figure) -> bytes:
        figure.canvas.draw()
        texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
        legend_boxes = [legend.get_window_extent() for legend in figure.legends]
        bar_boxes = [p.get_window_extent() for ax in figure.axes for p in ax.patches]
        label_boxes = [t.get_window_extent() for ax in figure.axes for t in ax.texts]
        seen.append(
            {
                "width_in": figure.get_figwidth(),
                "texts": [(t.get_text(), t.get_fontsize()) for t in texts],
                "legend": legend_boxes,
                "bars": bar_boxes + label_boxes,
            }
        )
        return save(figure)

    monkeypatch.setattr(charts, "_save", watch)
    return seen


def test_readable_at_phone_width_with_no_emoji_and_legends_off_the_bars(
    figures: list[dict],
) -> None:
    draw_all("💰 Nhà văn hóa thôn Nam Bắc Thành 🛠")
    assert len(figures) == 3
    for drawn in figures:
        for text, size in drawn["texts"]:
            px = size * charts.PHONE_PX / (72 * drawn["width_in"])
            assert px >= charts.MIN_PX, (text, px)
            assert not set(text) & set("💰🛠🧱🏞"), text
        for legend in drawn["legend"]:
            assert not any(legend.overlaps(box) for box in drawn["bars"])
        assert drawn["legend"], "every chart says what its colours mean"


def test_a_kind_without_a_goal_shows_its_amount_and_the_count_matches_the_text(
    figures: list[dict],
) -> None:
    board = a_board("Nhà văn hóa")
    board_chart(board, gettext, "vi")
    texts = [text for text, _ in figures[0]["texts"]]
    labour = next(t for t in texts if "3 ngày công" in t)
    assert "%" not in labour  # labour showed 100% with no goal
    assert any("Pledged 0%, received 0% of the goal" in t for t in texts)
    count = "Households taking part: 3"
    assert count in board_text(board, gettext, "vi") and any(count in t for t in texts)


@pytest.mark.parametrize("name", NASTY)
def test_the_campaign_poster_draws_any_name(name: str) -> None:
    """The poster button broke on a campaign called ``$\\foo$`` (drawn before any chart)."""
    import subprocess
    import sys

    code = (
        "from bot.services.contributions import files; import sys; "
        "sys.stdout.write(str(files.poster(sys.argv[1], 'x', 'https://t.me/v?start=dg_a')[:4]))"
    )
    done = subprocess.run([sys.executable, "-c", code, name], capture_output=True, text=True)
    assert done.returncode == 0 and "PNG" in done.stdout, done.stderr[-500:]
