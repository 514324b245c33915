"""The sandbox's modules form no import cycle: core imports neither server nor control."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.sandbox

SANDBOX = Path(bot.sandbox.__file__).parent


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node that can run: ``if TYPE_CHECKING:`` blocks (annotations only) are left
    out; function-level imports are kept."""
    nodes: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def imports_of(name: str) -> set[str]:
    tree = ast.parse((SANDBOX / f"{name}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):  # function-level imports count too
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


async def test_web_chat_sends_a_document(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 8: documents could not be sent from the web chat (document announcements untried)."""
    import aiohttp

    from bot.sandbox import Sandbox

    sb = await Sandbox.start(limits=False)
    try:
        user = sb.user(7001, "Hoa")
        form = aiohttp.FormData()
        form.add_field(
            "document", b"%PDF-1.4 hello", filename="ke-hoach.pdf", content_type="application/pdf"
        )
        form.add_field("caption", "Kế hoạch")
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{sb.base_url}/sandbox/api/users/7001/document", data=form
            ) as response:
                assert response.status == 200, await response.text()
        update = sb.updates[-1][2]
        assert (
            update["document"]["file_name"] == "ke-hoach.pdf"
            and update["document"]["mime_type"] == "application/pdf"
        )
        assert update["caption"] == "Kế hoạch" and update["from"]["id"] == user.id
        assert sb.file_bytes(update["document"]["file_id"]) == b"%PDF-1.4 hello"
    finally:
        await sb.stop()
