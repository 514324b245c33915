"""The household sheet import on both databases: refused rows, --skip-bad, idempotence,
assignment by member name or phone, and the coverage report it feeds."""

from __future__ import annotations

from datetime import date

from bot.services.visits.importer import import_households, parse_rows
from bot.services.visits.report import build_report, report_xlsx
from storage.repo import Repo
from tests.storage.test_visits_planners import World, world  # noqa: F401  (fixture)

HEADER = [
    "Mã hộ",
    "Chủ hộ",
    "Địa chỉ",
    "Tổ liên gia",
    "Diện hộ",
    "Số điện thoại",
    "Đảng viên phụ trách",
]
TODAY = date(2026, 3, 10)


async def test_import_refuses_then_skips_bad_then_changes_nothing(repo: Repo, world: World) -> None:  # noqa: F811
    sheet = parse_rows(
        [
            HEADER,
            [
                "N1",
                "Hộ Một",
                "Xóm 1",
                "Tổ 1",
                "nghèo, chính sách",
                "0912 345 678",
                "Đảng viên Cường",
            ],
            ["N2", "", "Xóm 1", "Tổ 1", "không", "", ""],
            ["N3", "Hộ Ba", "", "Tổ 2", "cận nghèo", "12", ""],
            ["N1", "Hộ Trùng", "", "", "", "", ""],
            ["N4", "Hộ Bốn", "", "Tổ 2", "Cận Nghèo", "", "0912000002"],
            ["N5", "Hộ Năm", "", "", "", "", "Đảng viên Xa"],  # a member of another branch
        ]
    )
    before = len(await repo.households.of_village(world.village_id))
    refused = await import_households(repo, world.village_id, sheet, skip_bad=False, today=TODAY)
    assert not refused.written
    assert [(r.number, r.code) for r in refused.refused] == [
        (3, "N2"),
        (4, "N3"),
        (5, "N1"),
        (7, "N5"),
    ]
    assert (
        "Chủ hộ is empty" in refused.refused[0].reason
        and "not a phone number" in refused.refused[1].reason
    )
    assert (
        "repeats row 2" in refused.refused[2].reason
        and "not a member of this branch" in refused.refused[3].reason
    )
    assert len(await repo.households.of_village(world.village_id)) == before

    imported = await import_households(repo, world.village_id, sheet, skip_bad=True, today=TODAY)
    assert (imported.created, imported.assigned) == (2, 2)
    roster = {h.code: (h, m) for h, m in await repo.visits.village_roster(world.village_id)}
    n1, n1_member = roster["N1"]
    assert n1.poor and n1.policy and not n1.near_poor and n1.phone == "0912345678"
    assert n1_member == world.other.member_id and roster["N4"][1] == world.member.member_id
    assert roster["N4"][0].near_poor

    again = await import_households(repo, world.village_id, sheet, skip_bad=True, today=TODAY)
    assert (again.created, again.updated, again.unchanged, again.assigned) == (0, 0, 2, 0)

    report = await build_report(repo, world.village_id, TODAY, TODAY)
    assert report.due == 6  # four from the fixture and two imported, all due today
    assert report_xlsx(report, lambda s: s)[:2] == b"PK"
