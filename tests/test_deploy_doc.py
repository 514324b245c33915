"""docs/DEPLOY.md stays true: the files it names exist, the commands it gives parse,
and its English and Vietnamese parts walk the same steps. (``make deploy-check`` runs
its commands; this only keeps the text honest in ``make test``.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.cli import _parser
from scripts.follow_deploy import blocks

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")


def test_every_file_named_exists() -> None:
    named = set(re.findall(r"deploy/[\w.@-]+", DOC))
    assert "deploy/villagebot-worker@.service" in named
    assert [n for n in named if not (ROOT / n).exists()] == []


def test_every_villagebot_command_parses() -> None:
    commands = re.findall(r'villagebot"?\s+((?:run|db|import|backup|restore|export|invite|qr|criteria)\b[^`\n]*)', DOC)
    assert len(commands) >= 6
    for command in commands:
        words = [w for w in shlex.split(command.replace("$(date +%F)", "DATE")) if not w.startswith("$(")]
        if words[0] == "run" and "--role" in words:
            words = words[: words.index("--role") + 2]
        try:
            _parser().parse_args(words)
        except SystemExit as exc:  # argparse exits 0 on --help only
            pytest.fail(f"{command!r} does not parse ({exc.code})")


def test_both_languages_have_the_same_steps() -> None:
    english, vietnamese = DOC.split("## English", 1)[1].split("## Tiếng Việt", 1)
    numbers = lambda text: re.findall(r"^### (\d+)\.", text, flags=re.M)  # noqa: E731
    assert numbers(english) == numbers(vietnamese) == [str(n) for n in range(12)]
    assert len(blocks(DOC)) >= 10


def test_the_zalo_folders_are_named_in_both_languages() -> None:
    from bot.settings import Settings

    files_dir = Settings.model_fields["zalo_files_dir"].default.as_posix()
    polled = (Settings.model_fields["zalo_files_dir"].default.parent / "zalo-polled").as_posix()
    assert "zalo_files_dir.parent / \"zalo-polled\"" in (ROOT / "bot" / "app.py").read_text(encoding="utf-8")
    english, vietnamese = DOC.split("## English", 1)[1].split("## Tiếng Việt", 1)
    for part in (english, vietnamese):
        assert "ZALO_FILES_DIR" in part and f"`{files_dir}`" in part and f"`{polled}`" in part
