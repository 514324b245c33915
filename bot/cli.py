"""The ``villagebot`` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import cli_criteria
from bot.services.errors import OperatorError
from bot.settings import Settings, SettingsError, load_settings

EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="villagebot", description="A chat bot for Vietnamese villages.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the bot (polling, or webhook when WEBHOOK_URL is set)")
    run.add_argument("--demo", action=argparse.BooleanOptionalAction, default=None,
                     help="load the demo villages (default: on in sandbox mode)")
    run.add_argument("--role", choices=["all", "web", "worker"], default="all",
                     help="all (default); web: only receive webhooks; worker: handle updates and send "
                          "(several processes need PostgreSQL)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations")

    imp = commands.add_parser("import", help="import data")
    imp_commands = imp.add_subparsers(dest="import_command", required=True)
    org = imp_commands.add_parser("org", help="import communes, villages, members, households and groups")
    org.add_argument("file", type=Path)

    invite = commands.add_parser("invite", help="print a one-time invite link for a roster member")
    invite.add_argument("phone")

    criteria = commands.add_parser("criteria", help="criteria sets")
    criteria_commands = criteria.add_subparsers(dest="criteria_command", required=True)
    load = criteria_commands.add_parser("load", help="validate a criteria set file and add it (or override a set)")
    load.add_argument("file", type=Path)
    criteria_commands.add_parser("list", help="list the criteria sets the bot knows")
    cli_criteria.register(criteria_commands)

    from bot import visits_cli

    visits_cli.register(commands, imp_commands)

    from bot import ops_cli

    ops_cli.register(commands)

    commands.add_parser("status", help="inbox, outbox and each channel's use this month (Zalo's quota)")
    sandbox = commands.add_parser("sandbox", help="run the local Telegram sandbox alone")
    sandbox.add_argument("--listen", default=None, help="HOST:PORT (default SANDBOX_LISTEN)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from bot import logs

    logs.configure(verbose=args.verbose)
    try:
        settings = load_settings()
        logs.configure(verbose=args.verbose, fmt=settings.log_format)
        return asyncio.run(_dispatch(args, settings))
    except SettingsError as exc:
        print(f"villagebot: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OperatorError as exc:
        print(f"villagebot: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "criteria" and args.criteria_command in cli_criteria.HANDLED:
        return await cli_criteria.run(args, settings)
    if args.command == "criteria":
        return _criteria(args, settings)
    from bot import commands, ops_cli, visits_cli

    if visits_cli.handles(args):
        return await visits_cli.dispatch(args, settings)
    if ops_cli.handles(args):
        return await ops_cli.dispatch(args, settings)

    if args.command == "run":
        return await commands.run(settings, demo=args.demo, role=args.role)
    if args.command == "db":
        return await commands.db_upgrade(settings)
    if args.command == "import":
        return await commands.import_org(settings, args.file)
    if args.command == "invite":
        return await commands.print_invite(settings, args.phone)
    if args.command == "status":
        return await commands.status(settings)
    if args.command == "sandbox":
        return await commands.sandbox(settings, args.listen or settings.sandbox_listen)
    raise AssertionError(args.command)


def _criteria(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_text import cli_gettext
    from bot.services.criteria import CatalogError
    from bot.services.village_criteria import CriteriaKnowledge, install_catalog_file

    _ = cli_gettext(settings)
    if args.criteria_command == "load":
        try:
            criteria_set = install_catalog_file(args.file, settings.criteria_dir)
        except CatalogError as exc:
            raise OperatorError(_("{error} (nothing was loaded)").format(error=exc)) from None
        print(
            _("loaded {code}: {name} ({count} criteria); restart the bot to use it").format(
                code=criteria_set.code, name=criteria_set.name, count=len(criteria_set.criteria)
            )
        )
        return 0
    for criteria_set in CriteriaKnowledge(settings.criteria_dir).catalog.sets():
        until = criteria_set.valid_to.isoformat() if criteria_set.valid_to else "…"
        print(f"{criteria_set.code}\t{criteria_set.valid_from.isoformat()} – {until}\t{criteria_set.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
