"""``villagebot criteria export|import|promote-faq``: the offices' indicator sheet, and an
operator's promotion of a saved answer to its whole set."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.services.errors import NotFound, OperatorError
from bot.settings import Settings


def register(criteria_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = criteria_commands.add_parser(
        "export", help="write a set's indicator sheet for the offices to fill"
    )
    export.add_argument("set_code")
    export.add_argument(
        "--xlsx",
        type=Path,
        nargs="?",
        const=None,
        default=None,
        metavar="FILE",
        help="the .xlsx file to write (default: SET.xlsx)",
    )
    imp = criteria_commands.add_parser(
        "import", help="validate a filled indicator sheet and load its levels"
    )
    imp.add_argument("file", type=Path)
    promote = criteria_commands.add_parser(
        "promote-faq", help="make a saved answer part of its set, for every commune"
    )
    promote.add_argument("faq_id", type=int)


HANDLED = frozenset(("export", "import", "promote-faq"))


async def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli_text import cli_gettext
    from bot.commands import open_runtime
    from bot.services import village_criteria as vc
    from bot.services.criteria.sheet import (  # openpyxl: not at start-up
        Level,
        SheetInvalid,
        export_sheet,
        load_sheet,
    )
    from bot.services.safefiles import refusal_text
    from storage.models import CriteriaLevel
    from storage.repo import Repo

    _ = cli_gettext(settings)
    knowledge = vc.CriteriaKnowledge(settings.criteria_dir)
    catalog = knowledge.catalog
    if args.criteria_command == "export":
        try:
            criteria_set = catalog.get(args.set_code)
        except KeyError:
            raise OperatorError(
                _("unknown criteria set {code} (see `villagebot criteria list`)").format(code=repr(args.set_code))
            ) from None
        target = args.xlsx or Path(f"{criteria_set.code}.xlsx")
        async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
            rows = await Repo(session).criteria.levels(criteria_set.code)
        known = [Level(r.set_code, r.indicator, r.key, r.value, r.source) for r in rows]
        count = export_sheet(criteria_set, known, target)
        print(
            _("wrote {file}: {count} indicators of {code}").format(
                file=target, count=count, code=criteria_set.code
            )
        )
        return 0
    if args.criteria_command == "import":
        if not args.file.is_file():
            raise OperatorError(_("{file}: no such file").format(file=args.file))
        try:
            set_code, levels = await load_sheet(args.file, catalog)
        except SheetInvalid as exc:
            if exc.refused is not None:
                raise OperatorError(f"{args.file}: {refusal_text(exc.refused, _)}") from None
            raise OperatorError(
                _("{file}: {count} error(s), nothing was loaded:").format(
                    file=args.file, count=len(exc.errors)
                )
                + "\n  "
                + "\n  ".join(error.text(_) for error in exc.errors)
            ) from None
        async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
            await Repo(session).criteria.replace_levels(
                set_code,
                [
                    CriteriaLevel(
                        set_code=lv.set_code,
                        indicator=lv.indicator,
                        key=lv.key,
                        value=lv.value,
                        source=lv.source,
                    )
                    for lv in levels
                ],
            )
            await session.commit()
        print(
            _("loaded {count} levels of {code}; residents see them from now on").format(
                count=len(levels), code=set_code
            )
        )
        return 0
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        try:
            faq = await vc.promote_faq(Repo(session), None, args.faq_id)
        except NotFound:
            raise OperatorError(_("no saved answer with id {id}").format(id=args.faq_id)) from None
        await session.commit()
    print(
        _(
            "saved answer {id} is now part of {code}, criterion {number}; restart the bot to use it"
        ).format(id=faq.id, code=faq.set_code, number=faq.number)
    )
    return 0
