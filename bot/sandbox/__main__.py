"""``python -m bot.sandbox --host 127.0.0.1 --port 8081``: run the sandbox alone.

Registers a few demo personas and a village group so the web chat page at
``http://HOST:PORT/`` is usable right away.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import Any

from .core import Sandbox


def add_demo_personas(sb: Sandbox) -> None:
    """A resident, a party member and a secretary, plus a village group."""
    resident = sb.add_persona(1001, "Lan", "Cư dân", phone="0912000001")
    member = sb.add_persona(1002, "Hùng", "Đảng viên", phone="0912000002")
    secretary = sb.add_persona(1003, "Mai", "Bí thư chi bộ", phone="0912000003")
    group = sb.group(-1001000000001, "Thôn Đông", type="supergroup")
    group.set_member(secretary, "creator")
    group.set_member(member, "member")
    group.set_member(resident, "member")


async def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    *,
    bot_username: str = "villagebot",
    limits: bool = True,
    demo: bool = True,
    **kwargs: Any,
) -> None:
    """Start a sandbox and run until cancelled."""
    sb = await Sandbox.start(
        host=host, port=port, bot_username=bot_username, limits=limits, **kwargs
    )
    if demo:
        add_demo_personas(sb)
    print(f"Telegram Bot API sandbox: {sb.base_url}  (web chat: {sb.base_url}/)", flush=True)
    try:
        await sb.run_forever()
    finally:
        await sb.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--bot-username", default="villagebot")
    parser.add_argument("--no-limits", action="store_true", help="disable flood limits")
    parser.add_argument("--no-demo", action="store_true", help="no demo personas/group")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        asyncio.run(
            serve(
                args.host,
                args.port,
                bot_username=args.bot_username,
                limits=not args.no_limits,
                demo=not args.no_demo,
            )
        )
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
