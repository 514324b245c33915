"""The sandbox's modules form no import cycle: core imports neither server nor control."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.sandbox

SANDBOX = Path(bot.sandbox.__file__).parent


def imports_of(name: str) -> set[str]:
    tree = ast.parse((SANDBOX / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.add((node.module or "").split(".")[0])
            if not node.module:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bot.sandbox."):
            found.add(node.module.split(".")[2])
    return found


def test_no_cycles_between_sandbox_modules() -> None:
    modules = [p.stem for p in SANDBOX.glob("*.py") if p.stem not in ("__init__", "__main__")]
    graph = {m: imports_of(m) & set(modules) for m in modules}
    assert "server" not in graph["core"] and "control" not in graph["core"]

    def reach(start: str, seen: set[str]) -> set[str]:
        for nxt in graph[start]:
            if nxt not in seen:
                seen.add(nxt)
                reach(nxt, seen)
        return seen

    for module in modules:
        assert module not in reach(module, set()), f"{module} imports itself through {graph}"


def test_routes_are_registered() -> None:
    from bot.sandbox.core import ROUTE_INSTALLERS

    assert set(ROUTE_INSTALLERS) == {"bot_api", "control"}
