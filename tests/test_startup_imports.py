"""What the bot loads at start-up: the heavy file libraries wait for their first use.

matplotlib (charts, the consultation minutes and their PDF) and openpyxl (sheets; numpy
rides along) cost about 40 MiB of idle memory together when imported at start-up
(issue 17: idle RSS ≤ 150 MiB). Every module the ``run`` command imports is imported here
in a fresh interpreter, and none of them may pull those libraries in.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFERRED = ("matplotlib", "openpyxl", "xlrd", "PIL", "fontTools", "segno")

PROBE = """
import importlib, pkgutil, sys
import bot.cli, bot.commands, bot.app, bot.multibot, handlers
import bot.channels.zalo, bot.channels.telegram
for package in (handlers, bot.channels.zalo, bot.channels.telegram):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(info.name)
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_start_up_loads_no_file_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    loaded = set(done.stdout.split())
    assert "aiogram" in loaded and "sqlalchemy" in loaded  # the probe imported the bot
    assert loaded.isdisjoint(DEFERRED), sorted(loaded & set(DEFERRED))
