"""The real ``villagebot`` command: the household sheet import (broken rows refused,
nothing imported, or the good rows with --skip-bad; twice changes nothing) and the
house QR sheet (opaque tokens, never the household code)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.data_org import ORG_YAML
from tests.filebombs import BOMBS

SHEET_HEADER = "Mã hộ,Chủ hộ,Địa chỉ,Tổ liên gia,Diện hộ,Số điện thoại,Đảng viên phụ trách\n"
GOOD = [
    "NBT-010,Nguyễn Văn Mười,Xóm 2,Tổ 2,nghèo,0912 000 110,Trần Văn B\n",
    "NBT-011,Lê Thị Mười Một,Xóm 2,Tổ 2,cận nghèo,,0912000002\n",
    "NBT-012,Phan Văn Mười Hai,Xóm 3,Tổ 3,không,,\n",
]
BAD = [
    ",Không Có Mã,Xóm 4,Tổ 4,không,,\n",
    "NBT-013,Hộ Lạ,Xóm 4,Tổ 4,giàu,,\n",
    "NBT-014,Hộ Khác,Xóm 4,Tổ 4,không,,Người Lạ\n",
]


def villagebot(
    tmp_path: Path, *args: str, locale: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"}
    if locale:
        env["DEFAULT_LOCALE"] = locale
    env.update(extra)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path.cwd(),
        timeout=120,
    )


def households(tmp_path: Path) -> list[tuple[str, str, int, int]]:
    with sqlite3.connect(tmp_path / "bot.db") as db:
        return db.execute(
            "SELECT h.code, h.head_name, h.poor, coalesce(a.member_id, 0) FROM households h "
            "LEFT JOIN visit_assignments a ON a.household_id = h.id ORDER BY h.code"
        ).fetchall()


def test_import_households_and_qr_sheet(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(ORG_YAML, encoding="utf-8")
    assert villagebot(tmp_path, "import", "org", str(org)).returncode == 0
    before = households(tmp_path)

    sheet = tmp_path / "ho.csv"
    sheet.write_text(SHEET_HEADER + "".join(GOOD[:1] + BAD + GOOD[1:]), encoding="utf-8")
    refused = villagebot(tmp_path, "import", "households", str(sheet), "--village", "nam-bac-thanh")
    assert refused.returncode == 2
    # The operator's language (DEFAULT_LOCALE, Vietnamese by default); row and column as Excel shows them.
    assert "dòng 3, cột A: Mã hộ để trống" in refused.stdout
    assert "dòng 4, cột E: Diện hộ “giàu” không thuộc diện nào bảng được dùng: nghèo" in refused.stdout
    assert "dòng 5, cột G: Đảng viên phụ trách “Người Lạ” không phải đảng viên" in refused.stdout
    assert "chưa nhập gì" in refused.stdout
    english = villagebot(
        tmp_path, "import", "households", str(sheet), "--village", "nam-bac-thanh", locale="en"
    )
    assert "row 3, column A: Mã hộ is empty" in english.stdout
    assert "nothing was imported" in english.stdout
    assert households(tmp_path) == before

    imported = villagebot(
        tmp_path, "import", "households", str(sheet), "--village", "nam-bac-thanh", "--skip-bad"
    )
    assert imported.returncode == 0, imported.stderr
    assert "thêm 3 hộ" in imported.stdout
    after = households(tmp_path)
    assert {row[0] for row in after} - {row[0] for row in before} == {
        "NBT-010",
        "NBT-011",
        "NBT-012",
    }
    member_b = next(
        row[3] for row in after if row[0] == "NBT-001"
    )  # Trần Văn B visits NBT-001 in the org file
    assert [row[3] for row in after if row[0] in ("NBT-010", "NBT-011")] == [member_b, member_b]

    again = villagebot(
        tmp_path, "import", "households", str(sheet), "--village", "nam-bac-thanh", "--skip-bad"
    )
    assert "thêm 0 hộ, cập nhật 0, giữ nguyên 3, đổi phân công 0" in again.stdout
    assert households(tmp_path) == after

    xlsx = tmp_path / "ho.xlsx"
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(SHEET_HEADER.strip().split(","))
    workbook.active.append(
        ["NBT-010", "Nguyễn Văn Mười", "Xóm 2", "Tổ 2", "nghèo", 912000110, "Trần Văn B"]
    )
    workbook.save(xlsx)
    same = villagebot(tmp_path, "import", "households", str(xlsx), "--village", "nam-bac-thanh")
    assert "thêm 0 hộ, cập nhật 0, giữ nguyên 1" in same.stdout, same.stdout + same.stderr

    out = tmp_path / "qr.png"
    qr = villagebot(
        tmp_path,
        "qr",
        "village",
        "nam-bac-thanh",
        "--format",
        "png",
        "--bot",
        "villagebot",
        "--out",
        str(out),
    )
    assert qr.returncode == 0, qr.stderr
    assert (tmp_path / "qr-1.png").read_bytes()[:4] == b"\x89PNG"  # 4 plaques a page
    with sqlite3.connect(tmp_path / "bot.db") as db:
        tokens = [t for (t,) in db.execute("SELECT qr_token FROM household_visit_plans")]
    assert len(tokens) == len(after) and len(set(tokens)) == len(tokens)
    assert not any(token.startswith("NBT") for token in tokens)
    pdf = villagebot(
        tmp_path,
        "qr",
        "village",
        "nam-bac-thanh",
        "--bot",
        "villagebot",
        "--out",
        str(tmp_path / "qr.pdf"),
    )
    assert pdf.returncode == 0 and (tmp_path / "qr.pdf").read_bytes()[:5] == b"%PDF-"


def test_qr_plaques_work_offline(tmp_path: Path) -> None:
    """No network: the username comes from --bot, BOT_USERNAME or the last getMe stored;
    with none of them, one line says to pass --bot."""
    import pypdfium2
    import zxingcpp

    org = tmp_path / "org.yaml"
    org.write_text(ORG_YAML, encoding="utf-8")
    assert villagebot(tmp_path, "import", "org", str(org)).returncode == 0
    out = tmp_path / "plaques.pdf"
    unknown = villagebot(tmp_path, "qr", "village", "nam-bac-thanh", "--out", str(out))
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1 and "--bot" in unknown.stderr
    assert not out.exists()

    configured = villagebot(
        tmp_path, "qr", "village", "nam-bac-thanh", "--out", str(out), BOT_USERNAME="cfgbot"
    )
    assert configured.returncode == 0, configured.stderr
    with sqlite3.connect(tmp_path / "bot.db") as db:  # what the running bot stores at start
        db.execute(
            "INSERT INTO bot_identity (bot_id, username, seen_at) VALUES (42, 'storedbot', '2026-03-01 00:00:00')"
        )
    stored = villagebot(
        tmp_path, "qr", "village", "nam-bac-thanh", "--out", str(out), "--per-page", "6"
    )
    assert stored.returncode == 0, stored.stderr
    document = pypdfium2.PdfDocument(out.read_bytes())
    try:
        first = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    links = [result.text for result in zxingcpp.read_barcodes(first)]
    with sqlite3.connect(tmp_path / "bot.db") as db:
        tokens = {t for (t,) in db.execute("SELECT qr_token FROM household_visit_plans")}
    assert {link.removeprefix("https://t.me/storedbot?start=h_") for link in links} <= tokens
    assert len(links) == min(6, len(tokens)) and len(links) > 1


def test_qr_plaques_of_a_village_whose_name_looks_like_a_formula(tmp_path: Path) -> None:
    """Issue 14 #3: a name with ``$…$`` broke ``villagebot qr village`` (matplotlib's
    ``wrap=True`` read "x $^$ y" as mathtext): the sheet is made and every code decodes."""
    import pypdfium2
    import zxingcpp

    org = tmp_path / "org.yaml"
    org.write_text(
        ORG_YAML.replace("name: Thôn Nam Bắc Thành", 'name: "Thôn x $^$ y $_$ 💰"'),
        encoding="utf-8",
    )
    assert villagebot(tmp_path, "import", "org", str(org)).returncode == 0
    out = tmp_path / "plaques.pdf"
    made = villagebot(
        tmp_path, "qr", "village", "nam-bac-thanh", "--out", str(out), "--bot", "villagebot"
    )
    assert made.returncode == 0 and "Traceback" not in made.stderr, made.stderr[-800:]
    document = pypdfium2.PdfDocument(out.read_bytes())
    try:
        first = document[0].render(scale=2).to_pil()
    finally:
        document.close()
    assert zxingcpp.read_barcodes(first)


def test_hostile_files_get_one_line_from_both_cli_importers(tmp_path: Path) -> None:
    """Issue 14 #5: a file that is not a zip, a truncated one and a billion-laughs one
    each ended ``villagebot import households`` in a traceback, and bombs took gigabytes.
    The files the issue names, through the real commands (the whole set of
    tests/filebombs.py runs against the importers themselves in test_safefiles.py):
    exit 2, one line naming the file, no traceback, nothing imported."""
    org = tmp_path / "org.yaml"
    org.write_text(ORG_YAML, encoding="utf-8")
    assert villagebot(tmp_path, "import", "org", str(org)).returncode == 0
    before = households(tmp_path)
    named = ("not_a_zip", "truncated", "billion_laughs", "dimension_bomb", "shared_strings_bomb",
             "big_cell_csv")  # fmt: skip
    for bomb in named:
        name, content = BOMBS[bomb][0]()
        path = tmp_path / f"{bomb}-{name}"
        path.write_bytes(content)
        for args in (
            ("import", "households", str(path), "--village", "nam-bac-thanh"),
            ("criteria", "import", str(path)),
        ):
            done = villagebot(tmp_path, *args)
            lines = done.stderr.strip().splitlines()
            assert done.returncode == 2 and "Traceback" not in done.stderr, (args, done.stderr[-800:])
            if args[0] == "criteria" and name.endswith(".csv"):
                assert "xlsx" in done.stderr, done.stderr  # the indicator sheet is a workbook
                continue
            assert len(lines) == 1 and str(path) in lines[0], (args, done.stderr)
    assert households(tmp_path) == before
