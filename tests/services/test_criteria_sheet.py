"""Issue 11, item 5: the offices' indicator sheet (export, validation with row and column,
nothing loaded on error) and the levels a village is told, with their source."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.services import village_criteria as vc
from bot.services.criteria import Catalog
from bot.services.criteria.sheet import SheetInvalid, export_sheet, level_keys, read_sheet
from bot.services.org_import import apply_org, parse_org
from storage.models import CriteriaLevel
from storage.repo import Repo
from tests.data_org import ORG_YAML

CATALOG = Catalog.builtin()


def _fill(path: Path, edits: dict[tuple[str, str], str]) -> None:
    """Set cells by (indicator code, header key) like an office would."""
    book = load_workbook(path)
    sheet = book.active
    header = [c.value for c in sheet[1]]
    col = {h.rsplit("(", 1)[1].rstrip(")"): i + 1 for i, h in enumerate(header)}
    for row in range(2, sheet.max_row + 1):
        code = sheet.cell(row, 2).value
        for (indicator, key), value in edits.items():
            if code == indicator:
                sheet.cell(row, col[key]).value = value
    book.save(path)


def test_export_has_every_indicator_and_the_right_columns(tmp_path: Path) -> None:
    for code in ("ntm-2021-2025", "ntm-2026-2030", "ha-tinh-vuon-mau"):
        criteria_set = CATALOG.get(code)
        path = tmp_path / f"{code}.xlsx"
        count = export_sheet(criteria_set, [], path)
        assert count == sum(len(c.indicators) for c in criteria_set.criteria)
        header = [c.value for c in load_workbook(path).active[1]]
        assert [h.rsplit("(", 1)[1].rstrip(")") for h in header[5:-1]] == [
            k for k, _ in level_keys(criteria_set)
        ]
    keys = [k for k, _ in level_keys(CATALOG.get("ntm-2026-2030"))]
    assert keys == ["all", "group1", "group2", "group3"]
    # Confirmed numbers are filled in already, with their source.
    set_code, levels = read_sheet(tmp_path / "ntm-2021-2025.xlsx", CATALOG)
    irrigation = [lv for lv in levels if lv.indicator == "3.1"]
    assert (
        set_code == "ntm-2021-2025"
        and irrigation[0].value == "≥ 80%"
        and "dantocmiennui" in irrigation[0].source
    )


def test_a_filled_sheet_is_read(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    export_sheet(CATALOG.get("ntm-2026-2030"), [], path)
    _fill(
        path,
        {("2.1", "group2"): "≥ 90%", ("2.1", "source"): "QĐ 123/QĐ-UBND tỉnh Hà Tĩnh, mục 2.1"},
    )
    set_code, levels = read_sheet(path, CATALOG)
    assert (set_code, [(lv.indicator, lv.key, lv.value) for lv in levels]) == (
        "ntm-2026-2030",
        [("2.1", "group2", "≥ 90%")],
    )


def test_every_error_is_named_by_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    export_sheet(CATALOG.get("ntm-2026-2030"), [], path)
    _fill(
        path, {("2.1", "group1"): "≥ 90%", ("3.1", "group3"): "x" * 300, ("3.1", "source"): "QĐ 1"}
    )
    book = load_workbook(path)
    book.active.cell(5, 2).value = "9.9"
    book.save(path)
    with pytest.raises(SheetInvalid) as caught:
        read_sheet(path, CATALOG)
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("row 4, column J:") and "source" in m for m in messages), (
        messages
    )  # 2.1 (row 4) without source
    assert any(m.startswith("row 5, column B:") and "9.9" in m for m in messages), messages
    assert any("column I:" in m and "longer than" in m for m in messages), messages
    with pytest.raises(SheetInvalid):
        read_sheet(b"not a workbook", CATALOG)


async def test_the_village_is_told_its_group_level_with_the_source(repo: Repo) -> None:
    await apply_org(repo, parse_org(ORG_YAML))  # Xã Cẩm Thành: group 2, Hà Tĩnh (Bắc Trung Bộ)
    village = await repo.places.village_by_code("nam-bac-thanh")
    assert vc.level_keys_for(village) == ["group2", "BTB", "all"]
    new_set = CATALOG.get("ntm-2026-2030")
    assert (
        await vc.levels_for(repo, village, new_set.criterion(2)) == []
    )  # nothing filled: honest wording
    await repo.criteria.replace_levels(
        "ntm-2026-2030",
        [
            CriteriaLevel(
                set_code="ntm-2026-2030", indicator="2.1", key="group1", value="100%", source="S1"
            ),
            CriteriaLevel(
                set_code="ntm-2026-2030", indicator="2.1", key="group2", value="≥ 90%", source="S2"
            ),
        ],
    )
    await repo.session.commit()
    shown = await vc.levels_for(repo, village, new_set.criterion(2))
    assert [(s.indicator.code, s.value, s.source) for s in shown] == [("2.1", "≥ 90%", "S2")]
    old_set = CATALOG.get("ntm-2021-2025")
    school = await vc.levels_for(
        repo, village, old_set.criterion(5)
    )  # the region's confirmed level
    assert school and school[0].key == "BTB" and "QĐ 1491" in school[0].source
