"""Operations commands: ``villagebot backup FILE``, ``villagebot restore FILE`` and
``villagebot export village CODE [-o FILE]``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.services.errors import OperatorError
from bot.settings import Settings

COMMANDS = ("backup", "restore", "export")


def register(commands: Any) -> None:
    backup = commands.add_parser("backup", help="copy the whole database to FILE (online; SQLite or pg_dump)")
    backup.add_argument("file", type=Path)
    restore = commands.add_parser("restore", help="load a backup FILE into an empty database")
    restore.add_argument("file", type=Path)
    export = commands.add_parser("export", help="export data for hand-over")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    village = export_commands.add_parser("village", help="one village's data as a zip of JSON Lines files")
    village.add_argument("code", help="the village code")
    village.add_argument("-o", "--out", type=Path, default=None, help="file to write (default village-CODE.zip)")


def handles(args: argparse.Namespace) -> bool:
    return args.command in COMMANDS


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from storage.backup import BackupError

    try:
        if args.command == "backup":
            return await _backup(settings, args.file)
        if args.command == "restore":
            return await _restore(settings, args.file)
    except BackupError as exc:
        raise OperatorError(str(exc)) from None
    return await _export_village(settings, args.code, args.out)


async def _backup(settings: Settings, path: Path) -> int:
    from bot.cli_text import cli_gettext
    from storage.backup import backup

    _ = cli_gettext(settings)
    size = await backup(settings.database_url, path)
    print(_("backup written to {path} ({size} bytes)").format(path=path, size=size))
    return 0


async def _restore(settings: Settings, path: Path) -> int:
    from bot.cli_text import cli_gettext
    from storage.backup import restore

    _ = cli_gettext(settings)
    await restore(settings.database_url, path)
    print(_("restored {path}; start the bot (it applies any newer migrations first)").format(path=path))
    return 0


async def _export_village(settings: Settings, code: str, out: Path | None) -> int:
    from bot.app import open_runtime
    from bot.cli_text import cli_gettext
    from storage.village_export import UnknownVillage, export_village

    _ = cli_gettext(settings)
    target = out or Path(f"village-{code}.zip")
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        try:
            result = await export_village(session, code, target, now=datetime.now(UTC))
        except UnknownVillage:
            raise OperatorError(_("no village with code {code}").format(code=code)) from None
    total = sum(result.counts.values())
    print(
        _("exported {total} rows of village {code} to {target}").format(
            total=total, code=code, target=target
        )
    )
    return 0
