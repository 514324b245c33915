"""Issue 15 item 2: household sheets as offices make them (title rows, the usual header
wordings, totals and signatures), errors by row and column as Excel shows them, in
Vietnamese; and a column the sheet does not have never wipes that field."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.i18n import create_i18n
from bot.services.visits.importer import import_households, load_sheet, parse_rows
from bot.services.visits.sheet import SheetError
from storage.repo import Repo
from tests.storage.test_visits_planners import World, world  # noqa: F401  (fixture)

TODAY = date(2026, 3, 10)
VI = create_i18n("vi")


def vi(text: str) -> str:
    return VI.gettext(text, locale="vi")


def office_xlsx(path: Path) -> Path:
    """A commune office's list: merged title, a date line, the header in its own words,
    a row of column numbers, a totals row, signatures and names under them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DANH SÁCH HỘ GIA ĐÌNH THÔN NAM BẮC THÀNH"])
    sheet.merge_cells("A1:H1")
    sheet.append(["(Kèm theo Quyết định số 12/QĐ-UBND ngày 01/03/2026)"])
    sheet.append([])
    sheet.append(
        ["STT", "Mã hộ", "Họ và tên chủ hộ", "Địa chỉ", "Xóm", "Đối tượng", "SĐT", "ĐV phụ trách"]
    )
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)"])
    sheet.append(
        [1, "X1", "Nguyễn Văn Một", "Số 1", "Xóm 1", "Hộ nghèo", "0912 345 001", "Đảng viên Bình"]
    )
    sheet.append([2, "X2", "Lê Thị Hai", "Số 2", "Xóm 2", "Hộ khá", None, None])
    sheet.append([])
    sheet.append([3, "X3", "Trần Văn Ba", "Số 3", "Xóm 2", "cận nghèo", "0912345003", "0912000003"])
    sheet.append(["Tổng cộng: 3 hộ"])
    sheet.append([None, None, "Người lập biểu", None, None, "Trưởng thôn"])
    sheet.append([None, None, "Phạm Thị Lập", None, None, "Hoàng Văn Trưởng"])
    target = path / "danh_sach_ho.xlsx"
    workbook.save(target)
    return target


async def test_an_office_sheet_with_title_numbers_totals_and_signatures(
    repo: Repo,
    world: World,  # noqa: F811
    tmp_path: Path,
) -> None:
    sheet = await load_sheet(office_xlsx(tmp_path))
    assert [(row.number, row.cells["code"]) for row in sheet] == [(6, "X1"), (7, "X2"), (9, "X3")]
    assert sheet.letters == {"code": "B", "head": "C", "address": "D", "cluster": "E",
                             "category": "F", "phone": "G", "member": "H"}  # fmt: skip
    assert sheet.ignored == 5  # numbers, a blank row, the totals, two signature rows
    report = await import_households(repo, world.village_id, sheet, skip_bad=False, today=TODAY)
    assert report.written and report.created == 3 and report.assigned == 2
    lines = report.lines(vi)
    assert "Bỏ qua 5 dòng (dòng trống, dòng tổng cộng, chữ ký)" in lines
    roster = {h.code: (h, m) for h, m in await repo.visits.village_roster(world.village_id)}
    one, member = roster["X1"]
    assert one.poor and one.cluster == "Xóm 1" and one.phone == "0912345001"
    assert member == world.member.member_id
    assert roster["X3"][0].near_poor and roster["X3"][1] == world.other.member_id


async def test_errors_name_the_row_and_column_as_excel_shows_them_in_vietnamese(
    repo: Repo,
    world: World,  # noqa: F811
) -> None:
    rows = [
        ["Danh sách hộ"],
        ["Mã hộ", "Tên chủ hộ", "Điện thoại", "Diện hộ", "Tổ", "Đảng viên phụ trách"],
        ["Y1", "Hộ Một", "0912345011", "nghèo", "Tổ 1", ""],
        ["Y2", "Hộ Hai", "12", "giàu", "Tổ 1", "Người Lạ"],
    ]
    report = await import_households(
        repo, world.village_id, parse_rows(rows), skip_bad=False, today=TODAY
    )
    assert not report.written
    text = report.refused[0].text(vi)
    assert "dòng 4, cột C: Điện thoại “12” không phải số điện thoại" in text
    assert "dòng 4, cột D: Diện hộ “giàu” không thuộc diện nào bảng được dùng: nghèo" in text
    assert "dòng 4, cột F: Đảng viên phụ trách “Người Lạ” không phải đảng viên của chi bộ" in text


def test_a_sheet_without_the_needed_columns_says_what_it_found() -> None:
    with pytest.raises(SheetError) as caught:
        parse_rows(
            [["Danh sách"], ["STT", "Họ và tên chủ hộ", "SĐT"], ["1", "A", "0912"]], "ho.csv"
        )
    text = caught.value.text(vi)
    assert text.startswith(
        "ho.csv: trong 15 dòng đầu không có dòng tiêu đề với các cột Mã hộ, Chủ hộ"
    )
    assert "tìm thấy: Chủ hộ, Số điện thoại" in text


FULL = [
    "Mã hộ",
    "Chủ hộ",
    "Địa chỉ",
    "Tổ liên gia",
    "Diện hộ",
    "Số điện thoại",
    "Đảng viên phụ trách",
]
ROW = ["Z1", "Hộ Đầy Đủ", "Số 9", "Tổ 9", "nghèo, chính sách", "0912345099", "Đảng viên Bình"]


@pytest.mark.parametrize("absent", FULL[2:])
async def test_a_column_absent_from_the_sheet_never_wipes_its_field(
    absent: str,
    repo: Repo,
    world: World,  # noqa: F811
) -> None:
    first = await import_households(
        repo, world.village_id, parse_rows([FULL, ROW]), skip_bad=False, today=TODAY
    )
    assert first.written
    before = {h.code: h for h, _m in await repo.visits.village_roster(world.village_id)}["Z1"]
    snapshot = (before.address, before.cluster, before.poor, before.policy, before.phone)
    keep = [i for i, name in enumerate(FULL) if name != absent]
    sheet = parse_rows([[FULL[i] for i in keep], [ROW[i] for i in keep]])
    again = await import_households(repo, world.village_id, sheet, skip_bad=False, today=TODAY)
    assert again.written and again.unchanged == 1
    assert "Các cột không có trong bảng, giữ nguyên dữ liệu cũ" in " ".join(again.lines(vi))
    roster = dict(await repo.visits.village_roster(world.village_id))
    after = next(h for h in roster if h.code == "Z1")
    assert (after.address, after.cluster, after.poor, after.policy, after.phone) == snapshot
    assert roster[after] == world.member.member_id


def test_a_csv_with_semicolons_and_the_short_wordings() -> None:
    text = "Danh sách hộ;;\nMã hộ;Tên chủ hộ;SĐT;ĐV phụ trách;Xóm\nW1;Hộ Một;0912345001;;Xóm 1\n"
    rows = [line.split(";") for line in io.StringIO(text).read().splitlines()]
    sheet = parse_rows(rows)
    assert [row.cells for row in sheet] == [
        {"code": "W1", "head": "Hộ Một", "phone": "0912345001", "member": "", "cluster": "Xóm 1"}
    ]
    assert sheet.absent == ["address", "category"]
