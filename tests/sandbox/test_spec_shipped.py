"""The Bot API spec ships inside the package with its license; missing, it fails loudly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.spec import SPEC_ENV, ApiSpec, SpecMissing, default_spec_path


def test_spec_and_license_are_in_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SPEC_ENV, raising=False)
    path = default_spec_path()
    assert path.parent == Path(__import__("bot.sandbox").sandbox.__file__).parent
    assert path.exists() and (path.parent / "api.json.LICENSE").read_text().startswith(
        "MIT License"
    )
    spec = ApiSpec.load(path)
    assert "sendPhoto" in spec.methods and "ChatMemberAdministrator" in spec.types


def test_missing_spec_is_an_error_not_a_warning(tmp_path: Path) -> None:
    with pytest.raises(SpecMissing, match="not found"):
        ApiSpec.load(tmp_path / "nowhere.json")


def test_run_without_spec_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        env={
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
            "SANDBOX_LISTEN": "127.0.0.1:0",
            SPEC_ENV: str(tmp_path / "missing.json"),
        },
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Bot API spec not found" in result.stderr and "Traceback" not in result.stderr
