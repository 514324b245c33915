"""Issue 15 item 6: house plaques for the gate. Every page of the PDF is rendered to an
image and every code decoded back to its house's link; ``$…$`` in any name is printed
as typed."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from bot.services.visits.plaques import plaque_pages, scan_line
from bot.services.visits.qr import HouseCode, house_link

HOUSES = [
    HouseCode(f"NBT-{i:03d}", f"Hộ $x^{i}$ \\frac{{1}}{{2}}", f"t{i:03d}Xy9kQ") for i in range(7)
]
VILLAGE = "Thôn $Nam$ Bắc Thành $\\alpha"
LINE = "Quét để gửi ý kiến cho chi bộ / đảng viên phụ trách"


def decoded(image: Image.Image) -> list[str]:
    return sorted(result.text for result in zxingcpp.read_barcodes(image))


@pytest.mark.parametrize("per_page", [4, 6])
def test_every_code_on_every_pdf_page_decodes_to_its_house(per_page: int) -> None:
    [pdf] = plaque_pages(HOUSES, "villagebot", VILLAGE, LINE, per_page=per_page)
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [document[i].render(scale=2).to_pil() for i in range(len(document))]
    finally:
        document.close()
    assert len(pages) == -(-len(HOUSES) // per_page)
    for number, page in enumerate(pages):
        chunk = HOUSES[number * per_page : (number + 1) * per_page]
        assert decoded(page) == sorted(house_link("villagebot", h.token) for h in chunk)
        assert page.width < page.height  # A4 portrait


def test_png_pages_decode_too_and_the_line_is_translated() -> None:
    import io

    pages = plaque_pages(HOUSES[:2], "villagebot", VILLAGE, LINE, fmt="png")
    assert decoded(Image.open(io.BytesIO(pages[0]))) == sorted(
        house_link("villagebot", h.token) for h in HOUSES[:2]
    )
    from bot.i18n import create_i18n

    i18n = create_i18n("vi")
    assert scan_line(lambda text: i18n.gettext(text, locale="vi")) == LINE
