"""Charts as PNG bytes (matplotlib, no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

COLOURS = {"met": "#2e7d32", "in_progress": "#f9a825", "not_met": "#c62828", None: "#b0bec5"}


def progress_chart(
    title: str, rows: list[tuple[str, str | None]], legend: dict[str | None, str]
) -> bytes:
    """One bar per criterion, coloured by status; ``rows`` are (label, status)."""
    height = max(3.0, 0.42 * len(rows) + 1.4)
    figure, axes = plt.subplots(figsize=(8, height), dpi=110)
    try:
        labels = [label for label, _ in rows][::-1]
        colours = [COLOURS.get(status, COLOURS[None]) for _, status in rows][::-1]
        axes.barh(range(len(rows)), [1] * len(rows), color=colours, edgecolor="white")
        axes.set_yticks(range(len(rows)), labels, fontsize=9)
        axes.set_xticks([])
        axes.set_xlim(0, 1)
        for side in ("top", "right", "bottom"):
            axes.spines[side].set_visible(False)
        axes.set_title(title, fontsize=12, loc="left")
        handles = [Patch(color=COLOURS[key], label=text) for key, text in legend.items()]
        axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=len(handles), frameon=False, fontsize=9)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
