"""The import contract (runs in ``make test``): aiogram only in the handlers, the
Telegram channel and the runtime; SQLAlchemy only in ``storage/``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")

AIOGRAM_ALLOWED = (
    "handlers/",
    "bot/channels/telegram/",
    "bot/channels/zalo/",  # the bridge: an aiogram session that talks to Zalo
    "bot/sandbox/",  # the Telegram sandbox speaks the Bot API's types
    "bot/app.py",
    "bot/middlewares.py",
    "bot/i18n.py",
    "bot/ratelimit.py",
    "bot/commands.py",
    "bot/inbox.py",
    "bot/inbox_door.py",  # the inbox's fair-share door (Bot API types)
    "bot/fsm_storage.py",  # the runtime's FSM storage (aiogram BaseStorage on storage/fsm_repo.py)
    "bot/fsm_redis.py",  # the runtime's FSM storage in Redis (aiogram's RedisStorage, after the commit)
    "bot/monitoring.py",
)
SQLALCHEMY_ALLOWED = ("storage/",)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _offenders(package: str, allowed: tuple[str, ...]) -> list[str]:
    offenders = []
    for directory in PACKAGES:
        for path in sorted((ROOT / directory).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith("storage/migrations/") and package == "sqlalchemy":
                continue
            if package in _imports(path) and not relative.startswith(allowed):
                offenders.append(relative)
    return offenders


def test_aiogram_stays_in_handlers_the_telegram_channel_and_the_runtime() -> None:
    assert _offenders("aiogram", AIOGRAM_ALLOWED) == []


def test_sqlalchemy_stays_in_storage() -> None:
    assert _offenders("sqlalchemy", SQLALCHEMY_ALLOWED) == []


def test_the_engine_and_services_import_neither() -> None:
    for directory in ("bot/delivery", "bot/services", "bot/channels/base.py"):
        target = ROOT / directory
        paths = [target] if target.is_file() else sorted(target.rglob("*.py"))
        for path in paths:
            assert not _imports(path) & {"aiogram", "sqlalchemy"}, path


# One conversation code for both channels: handlers, services and the engine never
# name a channel adapter. Two broadcast handlers still import the Telegram preview
# (known debt, listed so that the list can only shrink).
CHANNEL_NEUTRAL = ("handlers", "bot/services", "bot/delivery")
KNOWN_ADAPTER_IMPORTS = {
    "handlers/broadcasts/ack.py": {"bot.channels.telegram.preview"},
    "handlers/broadcasts/send.py": {"bot.channels.telegram.preview"},
}


def _module_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _identifiers(path: Path) -> set[str]:
    """Names in the code (not in strings: "nhóm Zalo" is a resident's words about criteria)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_handlers_and_services_name_no_channel_adapter() -> None:
    offenders = {}
    for directory in CHANNEL_NEUTRAL:
        for path in sorted((ROOT / directory).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            adapters = {m for m in _module_imports(path) if m.startswith(("bot.channels.telegram", "bot.channels.zalo"))}
            if adapters - KNOWN_ADAPTER_IMPORTS.get(relative, set()):
                offenders[relative] = adapters
            if any("zalo" in name.lower() for name in _identifiers(path)):
                offenders[relative] = {"names Zalo"}
    assert offenders == {}
