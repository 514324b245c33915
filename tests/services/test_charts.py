"""The progress chart: user-written names are plain text, and it is sized for a phone."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.services.charts import progress_chart

LEGEND = {
    "met": "Đạt",
    "in_progress": "Đang thực hiện",
    "not_met": "Chưa đạt",
    None: "Chưa có thông tin",
}


@pytest.mark.parametrize(
    "name", ["Thôn $5$", "x $\\foo$ y", "Xóm $^$ b", "a $_$", "$\\sqrt[$", "a$b$c$d"]
)
def test_dollar_signs_in_names_do_not_crash(name: str) -> None:
    png = progress_chart(f"{name}: 1/2", [(f"1. {name}", "met"), ("2. Giao thông", None)], LEGEND)
    assert png.startswith(b"\x89PNG")


def test_phone_width_and_long_names_wrapped() -> None:
    rows = [
        (f"{i}. Hệ thống chính trị và tiếp cận pháp luật, quốc phòng và an ninh", "met")
        for i in range(1, 20)
    ]
    image = Image.open(
        io.BytesIO(progress_chart("Thôn Nam Bắc Thành: 19/19 tiêu chí đạt", rows, LEGEND))
    )
    width, height = image.size
    assert width == 840  # shown at ~390 px: fonts of 11 pt end up ~14 px tall
    assert height > 19 * 2 * 0.22 * 200  # two lines a bar: the names are wrapped, not cut
