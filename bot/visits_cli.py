"""``villagebot import households FILE --village CODE [--skip-bad]`` and
``villagebot qr village CODE [--format pdf|png] [--out PATH] [--bot USERNAME] [--per-page 4|6]``."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.services.errors import OperatorError
from bot.settings import Settings


def register(commands: Any, import_commands: Any) -> None:
    households = import_commands.add_parser(
        "households", help="import a household sheet (XLSX or CSV) into a village"
    )
    households.add_argument("file", type=Path)
    households.add_argument("--village", required=True, help="the village code")
    households.add_argument(
        "--skip-bad", action="store_true", help="import the good rows even when some are refused"
    )
    qr = commands.add_parser("qr", help="house QR codes")
    qr_commands = qr.add_subparsers(dest="qr_command", required=True)
    village = qr_commands.add_parser(
        "village", help="a printable sheet with one QR code per household"
    )
    village.add_argument("code", help="the village code")
    village.add_argument("--format", choices=["pdf", "png"], default="pdf")
    village.add_argument(
        "--out", type=Path, default=None, help="file to write (default qr-CODE.pdf / .png)"
    )
    village.add_argument(
        "--bot",
        default=None,
        help="the bot's username (default: BOT_USERNAME, else the last one the bot stored)",
    )
    village.add_argument(
        "--per-page", type=int, choices=[4, 6], default=4, help="plaques per A4 page"
    )


def handles(args: argparse.Namespace) -> bool:
    return args.command == "qr" or (
        args.command == "import" and args.import_command == "households"
    )


async def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "qr":
        return await qr_village(settings, args.code, args.format, args.out, args.bot, args.per_page)
    return await import_households(settings, args.file, args.village, skip_bad=args.skip_bad)


async def _village(repo: Any, code: str, _: Any = lambda text: text) -> Any:
    village = await repo.places.village_by_code(code)
    if village is None:
        raise OperatorError(_("no village with code {code}").format(code=code))
    return village


async def import_households(
    settings: Settings, path: Path, village_code: str, *, skip_bad: bool
) -> int:
    from bot.app import open_runtime
    from bot.cli_text import cli_gettext
    from bot.services.safefiles import FileRefused, refusal_text
    from bot.services.visits.importer import SheetError, import_households, load_sheet
    from storage.repo import Repo

    _ = cli_gettext(settings)
    try:
        rows = await load_sheet(path)
    except SheetError as exc:
        raise OperatorError(exc.text(_)) from None
    except FileRefused as exc:
        raise OperatorError(f"{path}: {refusal_text(exc, _)}") from None
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        repo = Repo(session)
        village = await _village(repo, village_code, _)
        report = await import_households(
            repo, village.id, rows, skip_bad=skip_bad, today=datetime.now(UTC).date()
        )
        if report.written:
            await session.commit()
        else:
            await session.rollback()
    for line in report.lines(_):
        print(line)
    return 0 if report.written else 2


async def qr_village(
    settings: Settings,
    code: str,
    fmt: str,
    out: Path | None,
    bot_username: str | None,
    per_page: int = 4,
) -> int:
    """House plaques, offline: the bot's username comes from ``--bot``, BOT_USERNAME or
    the last getMe the running bot stored; never from the network."""
    from bot.app import open_runtime
    from bot.cli_text import cli_gettext
    from bot.services.visits.plaques import plaque_pages, scan_line
    from bot.services.visits.qr import village_codes
    from storage.repo import Repo

    _ = cli_gettext(settings)
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        repo = Repo(session)
        village = await _village(repo, code, _)
        from bot.multibot import bot_username_for, configured_bots

        if not bot_username and configured_bots(settings):  # several bots: the commune's
            bot_username = await bot_username_for(repo, settings, village)
        elif not bot_username:
            bot_username = settings.bot_username or await repo.bot_identity.last_username()
        if not bot_username:
            raise OperatorError(
                _(
                    "the bot's username is not known yet (the bot has not run with this database): pass --bot USERNAME"
                )
            )
        houses = await village_codes(repo, village.id, datetime.now(UTC).date())
        await session.commit()
    pages = plaque_pages(
        houses, bot_username, village.name, scan_line(_), per_page=per_page, fmt=fmt
    )
    out = out or Path(f"qr-{code}.{fmt}")
    written = []
    for number, content in enumerate(pages, start=1):
        target = out if len(pages) == 1 else out.with_name(f"{out.stem}-{number}{out.suffix}")
        target.write_bytes(content)
        written.append(str(target))
    print(_("{count} households: {files}").format(count=len(houses), files=", ".join(written)))
    return 0
