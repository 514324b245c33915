"""Settings and the command line: a bad setting is one clear line and exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"BOT_TOKEN": "not-a-token"}, "bad setting BOT_TOKEN"),
        ({"TIMEZONE": "Asia/Hanoi_City"}, "bad setting TIMEZONE: unknown time zone"),
        ({"DATABASE_URL": "mysql://x"}, "bad setting DATABASE_URL"),
        ({"BOT_ADMINS": "12,abc"}, "bad setting BOT_ADMINS"),
        ({"DEFAULT_LOCALE": "fr"}, "bad setting DEFAULT_LOCALE"),
        ({"WEBHOOK_URL": "http://example.org/hook"}, "WEBHOOK_URL must start with https://"),
        ({"WEBHOOK_LISTEN": "8443"}, "bad setting WEBHOOK_LISTEN"),
        ({"ZALO_BOT_TOKEN": "not-a-token"}, "bad setting ZALO_BOT_TOKEN"),
        ({"ZALO_WEBHOOK_URL": "http://example.org/zalo"}, "bad setting ZALO_WEBHOOK_URL"),
        ({"ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo"}, "bad setting ZALO_WEBHOOK_SECRET: required"),
        ({"ZALO_LISTEN": "8444"}, "bad setting ZALO_LISTEN"),
        ({"WEBHOOK_URL": "https://bot.example.vn/telegram"}, "bad setting WEBHOOK_SECRET: required with WEBHOOK_URL"),
        (
            {"WEBHOOK_URL": "https://bot.example.vn/telegram", "WEBHOOK_SECRET": ""},
            "bad setting WEBHOOK_SECRET: required with WEBHOOK_URL",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.vn/telegram", "WEBHOOK_SECRET": "s3cret-token"},
            "bad setting WEBHOOK_SECRET: too weak",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.vn/telegram", "WEBHOOK_SECRET": "a" * 40},
            "bad setting WEBHOOK_SECRET: too weak",
        ),
        (
            {"WEBHOOK_URL": "https://bot.example.vn/telegram", "WEBHOOK_SECRET": "x" * 20 + "a-long-random-string"},
            "bad setting WEBHOOK_SECRET: too weak",
        ),
    ],
)
def test_bad_setting_is_one_line_and_exit_code_2(env: dict[str, str], expected: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db", **env},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_webhook_without_secret_refuses_to_run(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``run`` itself stops before opening any port (the attack of issue 8)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env={
            "PATH": "/usr/bin:/bin",
            "BOT_TOKEN": "123:abc",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
            "WEBHOOK_URL": "https://bot.example.vn/telegram",
        },
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "WEBHOOK_SECRET" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.db").exists()


def test_webhook_defaults_to_loopback_and_accepts_a_strong_secret(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import secrets

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WEBHOOK_LISTEN", raising=False)
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.vn/telegram")
    monkeypatch.setenv("WEBHOOK_SECRET", secrets.token_urlsafe(32))
    settings = load_settings()
    assert settings.webhook_listen == "127.0.0.1:8443"
    monkeypatch.delenv("WEBHOOK_URL")
    monkeypatch.delenv("WEBHOOK_SECRET")
    assert load_settings().webhook_listen.startswith("127.0.0.1:")


def test_defaults_and_parsing(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "BOT_ADMINS", "TIMEZONE", "REDIS_URL", "WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.sandbox_mode and settings.database_url.startswith("sqlite+aiosqlite:///data/")
    assert settings.timezone == "Asia/Ho_Chi_Minh" and settings.default_locale == "vi"
    monkeypatch.setenv("BOT_ADMINS", "1001, 1002")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/test")
    monkeypatch.setenv("BOT_TOKEN", "123:abc")
    settings = load_settings()
    assert settings.bot_admins == [1001, 1002]
    assert settings.database_url == "postgresql+asyncpg://postgres@127.0.0.1/test"
    assert not settings.sandbox_mode


def test_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMEZONE", raising=False)
    (tmp_path / ".env").write_text("TIMEZONE=Asia/Bangkok\n")
    assert load_settings().timezone == "Asia/Bangkok"
    (tmp_path / ".env").write_text("TIMEZONE=Nowhere/City\n")
    with pytest.raises(SettingsError):
        load_settings()


def test_bad_criteria_file_is_refused_and_nothing_is_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    bad = Path("tests/data/criteria_bad_indicator.yaml").resolve()
    env = {"PATH": "/usr/bin:/bin", "CRITERIA_DIR": str(tmp_path / "criteria")}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "criteria", "load", str(bad)],
        env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 2
    assert "criteria[0].indicators[1].code" in result.stderr and "chưa nạp gì" in result.stderr
    assert not (tmp_path / "criteria").exists()
    good = Path("tests/data/criteria_override.yaml").resolve()
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "criteria", "load", str(good)],
        env=env, capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "criteria").iterdir()] == ["ntm-2026-2030.yaml"]


def test_unreachable_database_is_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none"},
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 2
    assert "cannot connect to the database" in result.stderr and "Traceback" not in result.stderr
