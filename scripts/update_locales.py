"""Extract messages and merge them into every catalog: ``make locales``.

Optionally fill Vietnamese translations from a Python file defining ``VI = {msgid: msgstr}``
(a message with a gettext context, from ``pgettext(context, msgid)``, is keyed
``(context, msgid)``):
``python scripts/update_locales.py --fill translations.py``.
"""

from __future__ import annotations

import argparse
import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "messages.pot"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fill", type=Path, action="append", default=[])
    args = parser.parse_args()
    pybabel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run(
        [*pybabel, "extract", "-F", str(ROOT / "babel.cfg"), "-k", "__", "-k", "_",
         "--no-location", "--sort-output", "--omit-header", "-o", str(POT), str(ROOT)],
        check=True, cwd=ROOT,
    )
    for locale in ("vi", "en"):
        po = LOCALES / locale / "LC_MESSAGES" / "messages.po"
        command = "update" if po.exists() else "init"
        subprocess.run(
            [*pybabel, command, "-i", str(POT), "-d", str(LOCALES), "-l", locale, "--no-wrap",
             *(["--ignore-obsolete", "--no-fuzzy-matching"] if command == "update" else [])],
            check=True, cwd=ROOT,
        )
    if args.fill:
        translations: dict[str, str] = {}
        for path in args.fill:
            translations.update(runpy.run_path(str(path))["VI"])
        po = LOCALES / "vi" / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as fp:
            catalog = read_po(fp, locale="vi")
        for message in catalog:
            # A message with a gettext context is filled from a (msgctxt, msgid) key only.
            key = (message.context, message.id) if message.context else message.id
            if message.id and key in translations:
                message.string = translations[key]
                message.flags.discard("fuzzy")
        with po.open("wb") as fp:
            write_po(fp, catalog, width=0, omit_header=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
