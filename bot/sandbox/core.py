"""State of the sandbox: users, chats, messages, updates, files, faults.

:class:`Sandbox` is the Python handle used by tests and by ``make run``; the
HTTP side lives in :mod:`bot.sandbox.server` (Bot API) and
:mod:`bot.sandbox.control` (control API + web chat). Its parts: :mod:`.records` (plain
records), :mod:`.chat` and :mod:`.user` (the chats and the played users), :mod:`.feed`
(the bot's updates) and :mod:`.files` (stored files), mixed into :class:`Sandbox`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.http_limits import RUNNER_LIMITS, LimitedSite

from .api_errors import Violation
from .chat import SandboxChat
from .feed import _UpdateFeed
from .files import _FileStore
from .formatting import utf16_len
from .limits import Clock, RateLimiter
from .persist import StateFile
from .records import (
    DEFAULT_ALLOWED_UPDATES,
    FAULT_KINDS,
    ApiCall,
    Fault,
    RateLimited,
    StoredFile,
    StoredMessage,
    _PendingCallback,
    _scope_key,
)
from .spec import ApiSpec
from .user import SandboxUser

log = logging.getLogger(__name__)


#: ``name -> install(app, sandbox)``: filled by ``server`` ("bot_api") and ``control``
#: ("control") at import, so that this module imports neither (no import cycle).
ROUTE_INSTALLERS: dict[str, Callable[[web.Application, Sandbox], None]] = {}


class Sandbox(_UpdateFeed, _FileStore):
    """A local Telegram Bot API server plus handles to play users.

    Create it with :meth:`start` (which listens) or construct it and call
    :meth:`build_app` to mount it yourself.
    """

    def __init__(
        self,
        *,
        bot_username: str = "villagebot",
        bot_first_name: str | None = None,
        limits: bool = True,
        clock: Clock | None = None,
        spec: ApiSpec | None = None,
        load_spec: bool = True,
        privacy_mode: bool = True,
        first_update_id: int | None = None,
        state_path: Path | None = None,
    ) -> None:
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name or bot_username.capitalize()
        self.bot_id = 123456
        self.limits_enabled = limits
        self.clock: Clock = clock or time.monotonic
        self.limiter = RateLimiter(self.clock)
        self.spec = spec if spec is not None else (ApiSpec.load() if load_spec else None)
        self.privacy_mode = privacy_mode
        #: How long ``timeout_*`` faults hang before answering.
        self.fault_hang_seconds: float = 30.0
        #: Delay between webhook delivery retries.
        self.webhook_retry_delay: float = 0.5

        self.violations: list[Violation] = []
        self.rate_limited: list[RateLimited] = []
        self.calls: list[ApiCall] = []
        self.dropped_pending_updates_calls: list[ApiCall] = []
        self.faults: list[Fault] = []

        self.users: dict[int, SandboxUser] = {}
        #: The highest user id ever seen: new personas get ids above it, never one used before.
        self.highest_user_id = 0
        self.personas: list[dict[str, Any]] = []
        self.chats: dict[int, SandboxChat] = {}
        self.files: dict[str, StoredFile] = {}
        self.callbacks: dict[str, _PendingCallback] = {}
        #: setMyCommands storage: (scope JSON, language_code) -> commands.
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

        self.updates: list[tuple[int, str, dict[str, Any]]] = []  # unconfirmed
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.webhook: dict[str, Any] | None = None
        self.webhook_last_error: tuple[int, str] | None = None
        # Telegram's ids keep increasing across the life of a bot, and the bot remembers
        # the ones it handled: a sandbox restarted under ``make run`` must not hand out
        # ids it gave before, or the bot takes every new update for a repeat (issue 8).
        # Milliseconds since the epoch are above anything an earlier sandbox handed out
        # unless it produced more than 1000 updates per second for its whole life.
        self._next_update_id = (
            first_update_id if first_update_id is not None else int(time.time() * 1000)
        )
        self._ids = itertools.count(7_000_000_000_000_001)
        self._rev = 0
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._poll_token: object | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.host = ""
        self.port = 0
        # With a state path the sandbox remembers everything across restarts (persist.py).
        self.state_file: StateFile | None = None
        self.restored = False
        if state_path is not None:
            self.state_file = StateFile(self, state_path)
            self.restored = self.state_file.load()

    # ------------------------------------------------------------- lifecycle

    @classmethod
    async def start(
        cls,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "villagebot",
        limits: bool = True,
        *,
        clock: Clock | None = None,
        webchat: bool = True,
        **kwargs: Any,
    ) -> Sandbox:
        """Create a sandbox and listen on ``host:port`` (0 = any free port)."""
        sb = cls(bot_username=bot_username, limits=limits, clock=clock, **kwargs)
        await sb.listen(host, port, webchat=webchat)
        return sb

    def build_app(self, webchat: bool = True) -> web.Application:
        """The Bot API routes and, with ``webchat``, the control API and web chat.

        ``server`` and ``control`` depend on this module, never the other way round:
        they register their route installers when the package is imported."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        missing = {"bot_api", "control"} - ROUTE_INSTALLERS.keys()
        if missing:
            raise RuntimeError(
                f"sandbox routes not registered: {sorted(missing)} (import bot.sandbox)"
            )
        ROUTE_INSTALLERS["bot_api"](app, self)
        if webchat:
            ROUTE_INSTALLERS["control"](app, self)
        return app

    async def listen(self, host: str = "127.0.0.1", port: int = 0, webchat: bool = True) -> None:
        self._runner = web.AppRunner(
            self.build_app(webchat),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=1.0,
            **RUNNER_LIMITS,
        )
        await self._runner.setup()
        site = LimitedSite(self._runner, host, port)  # header timeout, connection cap
        await site.start()
        server = site._server  # noqa: SLF001 - only way to learn the bound port
        sockets = getattr(server, "sockets", None) or []
        self.host = host
        self.port = sockets[0].getsockname()[1] if sockets else port
        self.base_url = f"http://{host}:{self.port}"
        log.info("Telegram Bot API sandbox listening on %s", self.base_url)
        if self.state_file is not None:
            self.state_file.start()

    async def stop(self) -> None:
        self._closing.set()
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.state_file is not None:
            await self.state_file.stop()

    # --------------------------------------------------------------- actors

    def user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        phone: str | None = None,
    ) -> SandboxUser:
        """Create (or return the existing) user ``user_id``."""
        if user_id in self.users:
            return self.users[user_id]
        u = SandboxUser(self, user_id, first_name, last_name, username, language_code, phone)
        self.users[user_id] = u
        self.highest_user_id = max(self.highest_user_id, user_id)
        self._notify()
        return u

    def new_user_id(self, floor: int = 900_000) -> int:
        """An id for a new persona: above every id this sandbox ever gave or saw."""
        return max(floor, self.highest_user_id) + 1

    def add_persona(
        self,
        user_id: int,
        name: str,
        role_label: str,
        *,
        phone: str | None = None,
        language_code: str | None = "vi",
        last_name: str | None = None,
        username: str | None = None,
    ) -> SandboxUser:
        """Register a user offered by the web chat page's persona picker."""
        u = self.user(
            user_id,
            name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone=phone,
        )
        self.personas = [p for p in self.personas if p["user_id"] != user_id]
        self.personas.append(
            {
                "user_id": user_id,
                "name": u.full_name,
                "role_label": role_label,
                "phone": phone,
                "language_code": language_code,
            }
        )
        self._notify()
        return u

    def group(self, chat_id: int, title: str, type: str = "group") -> SandboxChat:  # noqa: A002
        """Create (or return) a group/supergroup; the bot is not in it yet."""
        if type not in ("group", "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup'")
        if chat_id in self.chats:
            return self.chats[chat_id]
        chat = SandboxChat(self, chat_id, title, type)
        self.chats[chat_id] = chat
        return chat

    def _private_chat(self, user: SandboxUser) -> SandboxChat:
        chat = self.chats.get(user.id)
        if chat is None:
            chat = SandboxChat(self, user.id, None, "private", user=user)
            self.chats[user.id] = chat
        return chat

    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # ----------------------------------------------------------- inspection

    def messages(self, chat_id: int | SandboxChat | SandboxUser) -> list[dict[str, Any]]:
        """The bot's messages in a chat (current state, deleted ones left out)."""
        cid = chat_id.id if isinstance(chat_id, (SandboxChat, SandboxUser)) else chat_id
        chat = self.chats.get(cid)
        if chat is None:
            return []
        return [
            m.view()
            for _, m in sorted(chat.messages.items())
            if m.from_bot and not m.deleted and not m.service
        ]

    def all_messages(self, chat_id: int) -> list[StoredMessage]:
        chat = self.chats.get(chat_id)
        return [m for _, m in sorted(chat.messages.items())] if chat else []

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """What setMyCommands stored for ``scope`` (default scope if None)."""
        return self.commands.get((_scope_key(scope), language_code or ""), [])

    def inject_fault(
        self,
        method: str,
        kind: str,
        *,
        chat_id: int | None = None,
        times: int = 1,
        retry_after: int = 3,
    ) -> Fault:
        """Make the next ``times`` calls of ``method`` (``"*"`` = any) fail."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {FAULT_KINDS}")
        fault = Fault(method, kind, chat_id, times, retry_after)
        self.faults.append(fault)
        return fault

    async def wait_until(
        self, predicate: Callable[[], Any], timeout: float = 10, interval: float = 0.05
    ) -> Any:
        """Wait until ``predicate()`` (sync or async) is truthy; return its value."""

        async def check() -> Any:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            return value

        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await check()
            if value:
                return value
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout}s")
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), min(interval, remaining))

    async def _wait_for(self, predicate: Callable[[], Any], timeout: float) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    def _notify(self) -> None:
        self._rev += 1
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def revision(self) -> int:
        return self._rev

    async def run_forever(self) -> None:
        await self._closing.wait()


#: Key of the :class:`Sandbox` in the aiohttp application.
SANDBOX_KEY: web.AppKey[Sandbox] = web.AppKey("sandbox", Sandbox)

__all__ = [
    "ApiCall",
    "Fault",
    "RateLimited",
    "Sandbox",
    "SandboxChat",
    "SandboxUser",
    "StoredFile",
    "StoredMessage",
    "utf16_len",
]
