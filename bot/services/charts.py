"""Charts as PNG bytes (matplotlib, no display needed).

Made for a phone: Telegram shows a photo at the screen's width (about 390 px on a common
phone), so the figure is narrow and its fonts large enough to stay about 13 px tall once
scaled down. Each row is a full-width bar with its wrapped name written inside or above
it, so no label is cut off, and the legend sits below the bars, never over them.

Names come from users (a village called "$5$", a campaign called "$\\foo$" once crashed
the charts, read as formulas): matplotlib never interprets text here (``text.usetex``
and ``text.parse_math`` off for the whole process, before any figure is made), and a
character the font cannot draw (an emoji: 💰 became an empty box) is left out by
:func:`chart_text`. Every chart goes through :func:`_save`, which the tests watch to
check the font sizes at phone width.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams.update(
    {"text.usetex": False, "text.parse_math": False, "axes.formatter.use_mathtext": False}
)

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

COLOURS = {"met": "#2e7d32", "in_progress": "#f9a825", "not_met": "#c62828", None: "#b0bec5"}
TEXT_ON = {"met": "white", "in_progress": "#212121", "not_met": "white", None: "#212121"}

WIDTH_IN = 4.2  # inches; at 200 dpi an 840 px image
DPI = 200
FONT = 11  # points: 11 * 390 / (72 * 4.2) ≈ 14 px on a 390 px wide screen
WRAP = 34  # characters per line inside a bar
LINE_IN = 0.22  # inches per line of text in a bar
GAP_IN = 0.08


PHONE_PX = 390  # the width a chart is shown at on a common phone
MIN_PX = 13  # the smallest text, in pixels, once shown at PHONE_PX
_SPACES = re.compile(r"\s+")


def pyplot():  # type: ignore[no-untyped-def]
    """matplotlib's pyplot, set never to read text as TeX or mathtext (for every figure
    of the process: charts, posters, QR sheets)."""
    return plt


@cache
def _drawable(family: str = "sans-serif") -> frozenset[int]:
    path = font_manager.findfont(matplotlib.rcParams[f"font.{family}"][0])
    return frozenset(FT2Font(path).get_charmap())


def chart_text(text: str, family: str = "sans-serif") -> str:
    """``text`` as the chart's font (``family``: the rcParams family it is drawn in) can draw
    it: characters it has no glyph for (emoji, variation selectors; in monospace also
    ligatures such as "ﬀ") are left out, spaces collapsed. The rest is shown as typed."""
    drawable = _drawable(family)
    kept = "".join(c if ord(c) in drawable or c in "\n " else " " for c in text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in kept.split("\n"))


def wrapped_text(text: str, width: int, max_lines: int) -> str:
    """:func:`chart_text`, wrapped to lines of ``width`` characters (at most
    ``max_lines``, the last one ending in …). Never use matplotlib's ``wrap=True``: it
    measures words as mathtext whatever ``parse_math`` says, and "$^$" crashes it."""
    return "\n".join(
        textwrap.wrap(chart_text(text), width, max_lines=max_lines, placeholder="…") or [""]
    )


def _save(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def progress_chart(
    title: str, rows: list[tuple[str, str | None]], legend: dict[str | None, str]
) -> bytes:
    """One bar per criterion, coloured by status; ``rows`` are (label, status)."""
    wrapped = [
        textwrap.wrap(chart_text(label), WRAP, max_lines=3, placeholder="…") or [""]
        for label, _ in rows
    ]
    bar_heights = [LINE_IN * len(lines) + 0.12 for lines in wrapped]
    title_lines = _title_lines(title)
    header_in = 0.3 * len(title_lines) + 0.25
    legend_rows = (len(legend) + 1) // 2
    footer_in = 0.3 * legend_rows + 0.2
    body_in = sum(bar_heights) + GAP_IN * len(rows)
    height_in = header_in + body_in + footer_in
    figure = plt.figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    try:
        axes = _bar_axes(figure, footer_in, body_in, height_in)
        top = 0.0
        for (_label, status), lines, bar in zip(rows, wrapped, bar_heights, strict=True):
            axes.barh(
                top + bar / 2,
                1,
                height=bar,
                color=COLOURS.get(status, COLOURS[None]),
                edgecolor="white",
            )
            axes.text(
                0.03,
                top + bar / 2,
                "\n".join(lines),
                va="center",
                ha="left",
                fontsize=FONT,
                color=TEXT_ON.get(status, TEXT_ON[None]),
                parse_math=False,
                linespacing=1.15,
            )
            top += bar + GAP_IN
        figure.text(
            0.03,
            1 - 0.12 / height_in,
            "\n".join(title_lines),
            va="top",
            ha="left",
            fontsize=FONT + 2,
            fontweight="bold",
            parse_math=False,
        )
        handles = [
            Patch(color=COLOURS.get(key, COLOURS[None]), label=chart_text(text))
            for key, text in legend.items()
        ]
        figure.legend(
            handles=handles,
            loc="lower center",
            ncol=2,
            frameon=False,
            fontsize=FONT,
            bbox_to_anchor=(0.5, 0.02 / height_in),
        )
        return _save(figure)
    finally:
        plt.close(figure)


@dataclass(frozen=True, slots=True)
class Bar:
    """One row: its name above, the bar, the numbers below. ``parts`` are (share of the
    full width, colour) drawn over one another in order (a light "pledged" under a dark
    "received"); the grey track behind them is the whole (the goal)."""

    label: str
    caption: str
    parts: tuple[tuple[float, str], ...]


TRACK = "#eceff1"
BAR_IN = 0.26


def bar_chart(title: str, bars: Sequence[Bar], legend: Sequence[tuple[str, str]]) -> bytes:
    """Rows of labelled bars for a phone: every text at :data:`FONT`, the legend (colour,
    text) below the bars, never over them."""
    rows = []
    for bar in bars:
        label = textwrap.wrap(chart_text(bar.label), WRAP, max_lines=2, placeholder="…") or [""]
        caption = textwrap.wrap(chart_text(bar.caption), 40, max_lines=2, placeholder="…")
        rows.append((bar, label, caption))
    row_heights = [
        LINE_IN * (len(label) + len(caption)) + BAR_IN + 0.2 for _, label, caption in rows
    ]
    title_lines = _title_lines(title)
    header_in = 0.3 * len(title_lines) + 0.2
    footer_in = 0.3 * ((len(legend) + 1) // 2) + 0.2 if legend else 0.1
    body_in = sum(row_heights) or 0.1
    height_in = header_in + body_in + footer_in
    figure = plt.figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    try:
        axes = _bar_axes(figure, footer_in, body_in, height_in)
        top = 0.0
        for (bar, label, caption), row in zip(rows, row_heights, strict=True):
            axes.text(
                0,
                top,
                "\n".join(label),
                va="top",
                ha="left",
                fontsize=FONT,
                fontweight="bold",
                linespacing=1.15,
            )
            bar_top = top + LINE_IN * len(label) + 0.05
            middle = bar_top + BAR_IN / 2
            axes.barh(middle, 1, height=BAR_IN, color=TRACK)
            for share, colour in bar.parts:
                axes.barh(middle, max(0.0, min(share, 1.0)), height=BAR_IN, color=colour)
            if caption:
                axes.text(
                    0,
                    bar_top + BAR_IN + 0.04,
                    "\n".join(caption),
                    va="top",
                    ha="left",
                    fontsize=FONT,
                    color="#37474f",
                    linespacing=1.15,
                )
            top += row
        figure.text(
            0.03,
            1 - 0.1 / height_in,
            "\n".join(title_lines),
            va="top",
            ha="left",
            fontsize=FONT + 2,
            fontweight="bold",
        )
        if legend:
            figure.legend(
                handles=[Patch(color=colour, label=chart_text(text)) for colour, text in legend],
                loc="lower center",
                ncol=2,
                frameon=False,
                fontsize=FONT,
                bbox_to_anchor=(0.5, 0.02 / height_in),
            )
        return _save(figure)
    finally:
        plt.close(figure)


def _title_lines(title: str) -> list[str]:
    """The chart's title as drawn: each line wrapped at 30 characters, at most 3 lines each."""
    return [
        wrapped
        for line in chart_text(title).split("\n")
        for wrapped in textwrap.wrap(line, 30, max_lines=3, placeholder="…") or [""]
    ]


def _bar_axes(figure: Any, footer_in: float, body_in: float, height_in: float) -> Any:
    """The bars' area between the title and the legend, in inches from the top, no frame."""
    axes = figure.add_axes((0.03, footer_in / height_in, 0.94, body_in / height_in))
    axes.set_xlim(0, 1)
    axes.set_ylim(body_in, 0)
    axes.axis("off")
    return axes
