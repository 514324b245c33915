"""The printable sheet of house QR codes: one code per household, its household code
and head's name under it. The QR holds ``https://t.me/<bot>?start=h_<token>``: an
opaque token, never the household code (a neighbour must not guess another's link)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

COLUMNS, ROWS = 3, 4  # 12 codes on an A4 page, about 5 cm each
A4 = (8.27, 11.69)


@dataclass(frozen=True, slots=True)
class HouseCode:
    code: str
    head_name: str
    token: str


def house_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start=h_{token}"


def qr_matrix(data: str) -> list[list[int]]:
    import segno

    qr = segno.make_qr(data, error="m")
    size = qr.symbol_size(border=2)[0]
    matrix = [[0] * size for _ in range(size)]
    for y, row in enumerate(qr.matrix_iter(border=2)):
        for x, dark in enumerate(row):
            matrix[y][x] = 1 if dark else 0
    return matrix


def qr_pages(
    houses: Sequence[HouseCode], bot_username: str, fmt: str = "pdf", title: str = ""
) -> list[bytes]:
    """PDF: one document (a list of one); PNG: one image per page."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    per_page = COLUMNS * ROWS
    chunks = [houses[i : i + per_page] for i in range(0, len(houses), per_page)] or [[]]
    outputs: list[bytes] = []
    pdf_buffer = io.BytesIO()
    pdf = PdfPages(pdf_buffer) if fmt == "pdf" else None
    try:
        for number, chunk in enumerate(chunks, start=1):
            figure, axes = plt.subplots(ROWS, COLUMNS, figsize=A4, dpi=150)
            try:
                if title:
                    figure.suptitle(f"{title} ({number}/{len(chunks)})", fontsize=12)
                for index, ax in enumerate(axes.flat):
                    ax.set_axis_off()
                    if index >= len(chunk):
                        continue
                    house = chunk[index]
                    ax.imshow(
                        qr_matrix(house_link(bot_username, house.token)),
                        cmap="binary",
                        interpolation="nearest",
                    )
                    ax.set_title(f"{house.code}\n{house.head_name}", y=-0.22, fontsize=11)
                figure.subplots_adjust(
                    left=0.04, right=0.96, top=0.94, bottom=0.06, hspace=0.45, wspace=0.15
                )
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


async def village_codes(repo, village_id: int, today) -> list[HouseCode]:  # type: ignore[no-untyped-def]
    await repo.visits.ensure_plans(today, village_id=village_id)
    return [
        HouseCode(household.code, household.head_name, plan.qr_token)
        for household, plan, _member in await repo.visits.plans_of_village(village_id)
    ]
