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
