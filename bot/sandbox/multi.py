"""Several bots behind one sandbox server (``BOT_TOKENS``, issue 18 part 2).

Telegram keeps each bot apart: its own users' chats with it, its own updates and
webhook, its own flood limits (30 sends/s per bot, 20/min per group). So does this
hub: one :class:`~bot.sandbox.core.Sandbox` per token, each with its own username and
limiter, served on one port and picked by the token in ``/bot{token}/{method}`` (an
unknown token is 401, as on Telegram). Play a bot's users through its sandbox::

    hub = await SandboxHub.start({"111:aa": "hanoi_bot", "222:bb": "hue_bot"})
    hanoi = hub.bot("111:aa")            # a Sandbox: .user(...), .messages(...), .calls
    await hanoi.user(5001, "Lan").send("/start")

Only the Bot API and file routes are served (no control API or web chat page).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from aiohttp import web

from bot.http_limits import RUNNER_LIMITS, LimitedSite

from .api_errors import ApiError
from .core import Sandbox
from .dispatch import NOT_FOUND, dispatch
from .server import TOKEN_RE, _json, read_params

log = logging.getLogger(__name__)

HUB_KEY: web.AppKey[SandboxHub] = web.AppKey("sandbox_hub")


class SandboxHub:
    def __init__(self, bots: dict[str, str], **sandbox_kwargs: Any) -> None:
        """``bots``: token → username; ``sandbox_kwargs`` go to every Sandbox (limits, clock…)."""
        if not bots:
            raise ValueError("a hub needs at least one bot")
        self.tokens = dict(bots)
        self.sandboxes: dict[int, Sandbox] = {}
        for token, username in bots.items():
            if not TOKEN_RE.fullmatch(token):
                raise ValueError(f"not a bot token: {token!r}")
            sb = Sandbox(bot_username=username, **sandbox_kwargs)
            sb.bot_id = int(token.split(":", 1)[0])
            self.sandboxes[sb.bot_id] = sb
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.port = 0

    @classmethod
    async def start(cls, bots: dict[str, str], host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> SandboxHub:
        hub = cls(bots, **kwargs)
        await hub.listen(host, port)
        return hub

    def bot(self, token_or_id: str | int) -> Sandbox:
        """The sandbox of one bot, by its token or its id."""
        bot_id = int(str(token_or_id).split(":", 1)[0])
        return self.sandboxes[bot_id]

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app[HUB_KEY] = self
        app.router.add_route("*", "/bot{token}/{method}", _handle_bot_api)
        app.router.add_get("/file/bot{token}/{path:.+}", _handle_file)
        return app

    async def listen(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._runner = web.AppRunner(
            self.build_app(), access_log=None, handler_cancellation=True, shutdown_timeout=1.0, **RUNNER_LIMITS
        )
        await self._runner.setup()
        site = LimitedSite(self._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port
        self.port = sockets[0].getsockname()[1] if sockets else port
        self.base_url = f"http://{host}:{self.port}"
        for sb in self.sandboxes.values():  # links and logs name the shared server
            sb.host, sb.port, sb.base_url = host, self.port, self.base_url
        log.info("Telegram Bot API sandbox with %s bots listening on %s", len(self.sandboxes), self.base_url)

    async def stop(self) -> None:
        for sb in self.sandboxes.values():
            with contextlib.suppress(Exception):
                await sb.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _sandbox_of(request: web.Request) -> Sandbox | None:
    hub = request.app[HUB_KEY]
    token = request.match_info["token"]
    if not TOKEN_RE.fullmatch(token) or hub.tokens.get(token) is None:
        return None
    return hub.sandboxes.get(int(token.split(":", 1)[0]))


async def _handle_bot_api(request: web.Request) -> web.Response:
    sb = _sandbox_of(request)
    if sb is None:
        return _json(ApiError(401, "Unauthorized").to_json(), 401)
    try:
        params, files = await read_params(request)
        result = await dispatch(sb, request.match_info["method"], params, files)
    except ApiError as exc:
        return _json(exc.to_json(), exc.code)
    return _json({"ok": True, "result": result})


async def _handle_file(request: web.Request) -> web.StreamResponse:
    sb = _sandbox_of(request)
    path = request.match_info["path"]
    for f in (sb.files.values() if sb is not None else ()):
        if f.file_path == path and f.data is not None:
            return web.Response(body=f.data, content_type=f.mime_type or "application/octet-stream")
    return _json(NOT_FOUND.to_json(), 404)
