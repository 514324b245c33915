"""House plaques for the gate: one card per household with its QR code, the village's
name, the house code in big type and one line saying what scanning does; dashed cut
lines between the cards; A4 with 4 cards (about A6, 10.5 × 14.8 cm, a house-number
plate) or 6 (10.5 × 9.9 cm) per page.

Every text is drawn with ``parse_math=False`` and wrapped here by
:func:`bot.services.charts.wrapped_text` (never matplotlib's ``wrap=True``, which measures
words as mathtext whatever ``parse_math`` says: a village called "x $^$ y" crashed the
plaques), so a name with ``$…$`` is printed as typed; characters the font lacks (emoji)
are left out. The QR holds the house link
(``https://t.me/<bot>?start=h_<token>``), never the household code."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from bot.services.visits.qr import A4, HouseCode, house_link, qr_matrix

LAYOUTS = {4: (2, 2), 6: (2, 3)}  # cards per page -> (columns, rows)
MARGIN = 0.03  # of the page, around the cards


def scan_line(_: Callable[[str], str]) -> str:
    """The one line under each code, in the residents' language."""
    return _("Scan to send a message to the party branch / the member in charge")


def plaque_pages(
    houses: Sequence[HouseCode],
    bot_username: str,
    village_name: str,
    scan_line: str,
    *,
    per_page: int = 4,
    fmt: str = "pdf",
) -> list[bytes]:
    """PDF: one document (a list of one); PNG: one image per page. ``scan_line`` is
    :func:`scan_line` in the residents' language."""
    from matplotlib.backends.backend_pdf import PdfPages

    from bot.services.charts import pyplot

    plt = pyplot()

    columns, rows = LAYOUTS.get(per_page, LAYOUTS[4])
    per_page = columns * rows
    chunks = [houses[i : i + per_page] for i in range(0, len(houses), per_page)] or [[]]
    outputs: list[bytes] = []
    pdf_buffer = io.BytesIO()
    pdf = PdfPages(pdf_buffer) if fmt == "pdf" else None
    width = (1 - 2 * MARGIN) / columns
    height = (1 - 2 * MARGIN) / rows
    try:
        for chunk in chunks:
            figure = plt.figure(figsize=A4, dpi=150)
            try:
                _cut_lines(figure, columns, rows, width, height)
                for index, house in enumerate(chunk):
                    column, row = index % columns, index // columns
                    left = MARGIN + column * width
                    bottom = 1 - MARGIN - (row + 1) * height
                    _card(figure, house, bot_username, village_name, scan_line,
                          (left, bottom, width, height), per_page)  # fmt: skip
                if pdf is not None:
                    pdf.savefig(figure)
                else:
                    buffer = io.BytesIO()
                    figure.savefig(buffer, format="png")
                    outputs.append(buffer.getvalue())
            finally:
                plt.close(figure)
    finally:
        if pdf is not None:
            pdf.close()
    if fmt == "pdf":
        outputs.append(pdf_buffer.getvalue())
    return outputs


def _cut_lines(figure, columns: int, rows: int, width: float, height: float) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.lines import Line2D

    style = {"color": "#888888", "linestyle": (0, (4, 3)), "linewidth": 0.8}
    for column in range(columns + 1):
        x = MARGIN + column * width
        figure.add_artist(Line2D([x, x], [0, 1], transform=figure.transFigure, **style))
    for row in range(rows + 1):
        y = MARGIN + row * height
        figure.add_artist(Line2D([0, 1], [y, y], transform=figure.transFigure, **style))


def _card(  # type: ignore[no-untyped-def]
    figure, house: HouseCode, bot_username: str, village_name: str, scan_line: str,
    box: tuple[float, float, float, float], per_page: int,
) -> None:  # fmt: skip
    from bot.services.charts import chart_text, wrapped_text

    left, bottom, width, height = box
    big = per_page <= 4
    centre = left + width / 2
    text = {"ha": "center", "va": "center", "parse_math": False}
    figure.text(centre, bottom + height * 0.93, wrapped_text(village_name[:60], 26 if big else 32, 2),
                fontsize=15 if big else 12, fontweight="bold", **text)  # fmt: skip
    aspect = A4[0] / A4[1]  # a square on paper is taller in figure fractions
    side = min(width * 0.8, height * (0.6 if big else 0.55) / aspect)
    axes = figure.add_axes((centre - side / 2, bottom + height * 0.27, side, side * aspect))
    axes.imshow(qr_matrix(house_link(bot_username, house.token)), cmap="binary",
                interpolation="nearest")  # fmt: skip
    axes.set_axis_off()
    code = chart_text(house.code[:24], "monospace")  # whole, on one line: smaller type when it is long
    fits = 14 if big else 20  # characters of the big monospace type across a card
    figure.text(centre, bottom + height * 0.17, code,
                fontsize=(30 if big else 22) * min(1.0, fits / max(len(code), 1)),
                fontweight="bold", family="monospace", **text)  # fmt: skip
    figure.text(centre, bottom + height * 0.07, wrapped_text(scan_line, 46 if big else 54, 3),
                fontsize=10 if big else 8.5, **text)  # fmt: skip
