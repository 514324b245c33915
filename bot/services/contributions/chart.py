"""The campaign's chart for /congkhai: per kind, what was pledged and received.

A kind with a goal shows both as shares of the goal; a kind without one (labour days
nobody set a target for) shows its amounts, never a percentage of nothing (it read
"100%"). The title carries the same household count as the board's text."""

from __future__ import annotations

from collections.abc import Callable

from bot.services.charts import Bar, bar_chart
from bot.services.contributions.delivery import amount_text, kind_labels
from bot.services.contributions.transparency import Board

PLEDGED = "#90caf9"
RECEIVED = "#2e7d32"


def board_chart(board: Board, _: Callable[[str], str], locale: str) -> bytes:
    labels = kind_labels(_)
    bars = []
    for line in board.kinds:
        label = labels.get(line.kind, line.kind)
        if line.kind == "material" and line.unit:
            label = f"{label} ({line.unit})"
        pledged = amount_text(line.kind, line.pledged, line.unit, "", locale)
        received = amount_text(line.kind, line.received, line.unit, "", locale)
        if line.goal:
            caption = _("Pledged {pledged}%, received {received}% of the goal {goal}").format(
                pledged=line.pledged * 100 // line.goal,
                received=line.received * 100 // line.goal,
                goal=amount_text(line.kind, line.goal, line.unit, "", locale),
            )
            whole = line.goal
        else:
            caption = _("Pledged {pledged}, received {received} (no goal set)").format(
                pledged=pledged, received=received
            )
            whole = max(line.pledged, line.received, 1)
        bars.append(
            Bar(
                label, caption, ((line.pledged / whole, PLEDGED), (line.received / whole, RECEIVED))
            )
        )
    title = (
        board.campaign.name
        + "\n"
        + _("Households taking part: {count}").format(count=board.households)
    )
    return bar_chart(title, bars, ((PLEDGED, _("Pledged")), (RECEIVED, _("Received"))))
