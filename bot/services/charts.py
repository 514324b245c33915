"""Charts as PNG bytes (matplotlib, no display needed).

Made for a phone: Telegram shows a photo at the screen's width (about 390 px on a common
phone), so the figure is narrow and its fonts large enough to stay about 13 px tall once
scaled down. Each criterion is a full-width bar with its wrapped name written inside, so
no label is cut off. Names come from users (a village called "$5$" once crashed the
chart, read as a formula): every text is drawn with ``parse_math=False``.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

COLOURS = {"met": "#2e7d32", "in_progress": "#f9a825", "not_met": "#c62828", None: "#b0bec5"}
TEXT_ON = {"met": "white", "in_progress": "#212121", "not_met": "white", None: "#212121"}

WIDTH_IN = 4.2  # inches; at 200 dpi an 840 px image
DPI = 200
FONT = 11  # points: 11 * 390 / (72 * 4.2) ≈ 14 px on a 390 px wide screen
WRAP = 34  # characters per line inside a bar
LINE_IN = 0.22  # inches per line of text in a bar
GAP_IN = 0.08


def _escape_math(text: str) -> str:
    """For texts matplotlib always parses (legend entries): a literal dollar sign."""
    return text.replace("$", r"\$")


def progress_chart(
    title: str, rows: list[tuple[str, str | None]], legend: dict[str | None, str]
) -> bytes:
    """One bar per criterion, coloured by status; ``rows`` are (label, status)."""
    wrapped = [
        textwrap.wrap(label, WRAP, max_lines=3, placeholder="…") or [""] for label, _ in rows
    ]
    bar_heights = [LINE_IN * len(lines) + 0.12 for lines in wrapped]
    title_lines = textwrap.wrap(title, 30, max_lines=3, placeholder="…") or [""]
    header_in = 0.3 * len(title_lines) + 0.25
    legend_rows = (len(legend) + 1) // 2
    footer_in = 0.3 * legend_rows + 0.2
    body_in = sum(bar_heights) + GAP_IN * len(rows)
    height_in = header_in + body_in + footer_in
    figure = plt.figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    try:
        axes = figure.add_axes((0.03, footer_in / height_in, 0.94, body_in / height_in))
        axes.set_xlim(0, 1)
        axes.set_ylim(body_in, 0)
        axes.axis("off")
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
            Patch(color=COLOURS.get(key, COLOURS[None]), label=_escape_math(text))
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
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
