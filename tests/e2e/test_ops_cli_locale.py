"""Issue 15 item 3: the operations commands (backup, restore, export) speak
DEFAULT_LOCALE like the rest of the CLI: Vietnamese by default, English when set."""

from __future__ import annotations

from pathlib import Path

from tests.data_org import ORG_YAML
from tests.e2e.test_visits_cli import villagebot


def test_backup_and_export_speak_vietnamese_by_default_and_english_when_set(tmp_path: Path) -> None:
    org = tmp_path / "org.yaml"
    org.write_text(ORG_YAML, encoding="utf-8")
    assert villagebot(tmp_path, "import", "org", str(org)).returncode == 0
    backup = villagebot(tmp_path, "backup", str(tmp_path / "bot.bak"))
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.startswith(f"đã sao lưu cơ sở dữ liệu vào {tmp_path / 'bot.bak'} ("), backup.stdout
    export = villagebot(tmp_path, "export", "village", "nam-bac-thanh", "-o", str(tmp_path / "v.zip"))
    assert export.returncode == 0, export.stderr
    assert export.stdout.startswith("đã xuất ") and "của thôn nam-bac-thanh vào" in export.stdout
    unknown = villagebot(tmp_path, "export", "village", "khong-co")
    assert unknown.returncode != 0 and "không có thôn nào mã khong-co" in unknown.stderr
    english = villagebot(tmp_path, "backup", str(tmp_path / "bot2.bak"), locale="en")
    assert english.stdout.startswith("backup written to "), english.stdout


def test_criteria_import_of_a_csv_speaks_the_operators_language(tmp_path: Path) -> None:
    """The indicator sheet is a workbook: a .csv got "row 1, column A: not an .xlsx
    workbook" in English under a Vietnamese first line. Every line is in DEFAULT_LOCALE
    now, and says what to do."""
    sheet = tmp_path / "chi-tieu.csv"
    sheet.write_text("set,indicator\nntm-2021-2025,1.1\n", encoding="utf-8")
    done = villagebot(tmp_path, "criteria", "import", str(sheet))
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].endswith(f"{sheet}: 1 lỗi, chưa nạp gì:"), lines
    assert lines[1].strip().startswith("dòng 1, cột A: không phải tệp Excel .xlsx"), lines
    assert "“villagebot criteria export”" in lines[1] and not any("row " in line or "not an" in line for line in lines)
    english = villagebot(tmp_path, "criteria", "import", str(sheet), locale="en")
    assert "row 1, column A: not an .xlsx workbook" in english.stderr, english.stderr
    unknown = villagebot(tmp_path, "criteria", "export", "khong-co")
    assert unknown.returncode == 2 and "không có bộ tiêu chí 'khong-co'" in unknown.stderr, unknown.stderr


def test_import_org_errors_speak_the_operators_language(tmp_path: Path) -> None:
    """`import org` printed its errors in English whatever DEFAULT_LOCALE said (the
    status line was already localized): a bad file, an empty one, a folder."""
    bad = tmp_path / "org.yaml"
    bad.write_text(ORG_YAML.replace("group: 2", "group: 4", 1), encoding="utf-8")
    done = villagebot(tmp_path, "import", "org", str(bad))
    assert done.returncode == 2, done.stderr
    assert f"{bad}, dòng 6, communes[0].group: phải là 1, 2 hoặc 3" in done.stderr, done.stderr
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    assert f"{empty}: tệp trống" in villagebot(tmp_path, "import", "org", str(empty)).stderr
    assert "không đọc được tệp" in villagebot(tmp_path, "import", "org", str(tmp_path)).stderr
    english = villagebot(tmp_path, "import", "org", str(bad), locale="en")
    assert f"{bad}, line 6, communes[0].group: must be 1, 2 or 3" in english.stderr, english.stderr
    good = tmp_path / "good.yaml"
    good.write_text(ORG_YAML, encoding="utf-8")
    imported = villagebot(tmp_path, "import", "org", str(good))
    assert imported.returncode == 0 and imported.stdout.startswith("đã nhập "), imported.stdout
