"""The Zalo Bot API sandbox: state, the played users and the HTTP side.

Checked against the documented API on every call: method names are case-sensitive,
``text`` is 1–2,000 characters (UTF-16 units, as clients count), a photo is a public
URL that the sandbox downloads (so a link the bot serves must really work), and any
parameter the platform does not have (``reply_markup``, ``parse_mode``…) is refused
with 400 and recorded in ``violations``. ``getUpdates`` hands out one update per call
and answers 408 when idle; with a webhook set, updates are POSTed to it with the
``X-Bot-Api-Secret-Token`` header and retried until it answers 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.sandbox.formatting import utf16_len

log = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
TEXT_LIMIT = 2000
METHODS = (
    "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
    "sendMessage", "sendPhoto", "sendSticker", "sendChatAction",
)
# What each method accepts; anything else is a parameter the platform does not have.
PARAMS: dict[str, set[str]] = {
    "getMe": set(),
    "getUpdates": {"timeout"},
    "setWebhook": {"url", "secret_token"},
    "deleteWebhook": set(),
    "getWebhookInfo": set(),
    "sendMessage": {"chat_id", "text"},
    "sendPhoto": {"chat_id", "photo", "caption"},
    "sendSticker": {"chat_id", "sticker"},
    "sendChatAction": {"chat_id", "action"},
}


class ZaloError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def hex_id() -> str:
    return secrets.token_hex(10)


@dataclass
class ZaloUser:
    """A played Zalo user, in a private chat with the bot."""

    sandbox: ZaloSandbox
    id: str
    display_name: str
    cursor: int = 0

    def _event(self, name: str, **content: Any) -> dict[str, Any]:
        message = {
            "from": {"id": self.id, "display_name": self.display_name, "is_bot": False},
            "chat": {"id": self.id, "chat_type": "PRIVATE"},
            "message_id": hex_id(),
            "date": self.sandbox.now_ms(),
            **content,
        }
        return {"event_name": name, "message": message}

    async def send(self, text: str) -> dict[str, Any]:
        event = self._event("message.text.received", text=text)
        self.sandbox.said.setdefault(self.id, []).append({**event["message"], "mine": True})
        return self.sandbox.deliver(event)

    async def send_in_group(self, group: ZaloGroup, text: str) -> dict[str, Any]:
        """A text in a group the bot is in (Zalo groups are beta: a bot hears mentions)."""
        event = self._event("message.text.received", text=text)
        event["message"]["chat"] = {"id": group.id, "chat_type": "GROUP"}
        return self.sandbox.deliver(event)

    async def send_sticker(self, sticker: str = "bfe458bf64fa8da4d4eb") -> dict[str, Any]:
        return self.sandbox.deliver(self._event("message.sticker.received", sticker=sticker))

    async def send_image(self, url: str, caption: str = "") -> dict[str, Any]:
        return self.sandbox.deliver(self._event("message.image.received", photo=url, caption=caption))

    async def send_unsupported(self) -> dict[str, Any]:
        return self.sandbox.deliver(self._event("message.unsupported.received"))

    def messages(self) -> list[dict[str, Any]]:
        return list(self.sandbox.chats.get(self.id, []))

    async def next_message(self, timeout: float = 10) -> dict[str, Any]:
        """The bot's next message to this user not yet returned here (waits)."""

        def pending() -> dict[str, Any] | None:
            sent = self.sandbox.chats.get(self.id, [])
            return sent[self.cursor] if len(sent) > self.cursor else None

        message = await self.sandbox.wait_until(pending, timeout)
        self.cursor += 1
        return message

    async def no_message(self, wait: float = 1.0) -> None:
        await asyncio.sleep(wait)
        extra = self.sandbox.chats.get(self.id, [])[self.cursor :]
        assert not extra, f"unexpected messages: {extra}"


@dataclass
class ZaloGroup:
    """A played group chat with the bot in it."""

    sandbox: ZaloSandbox
    id: str
    name: str

    def messages(self) -> list[dict[str, Any]]:
        return list(self.sandbox.chats.get(self.id, []))


@dataclass
class ApiCallRecord:
    method: str
    params: dict[str, Any]
    error: str | None = None
    time: float = field(default_factory=time.time)


@dataclass
class ZaloSandbox:
    bot_name: str = "Bot Làng"
    users: dict[str, ZaloUser] = field(default_factory=dict)
    groups: dict[str, ZaloGroup] = field(default_factory=dict)
    chats: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # chat id -> bot's messages
    calls: list[ApiCallRecord] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    photos: dict[str, bytes] = field(default_factory=dict)  # message id -> downloaded image
    quota: int | None = None  # sends left before 429 "Quota exceeded"; None: unlimited
    webhook_url: str = ""
    webhook_secret: str = ""
    base_url: str = ""
    said: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # user id -> their texts
    # A fault for crash tests: a sent message matching ``hold`` is shown to its user at
    # once, but the bot's call gets no answer until :meth:`release` (a kill -9 meanwhile
    # leaves the bot not knowing the message went out).
    hold: Any = None

    def __post_init__(self) -> None:
        self.bot_id = ""
        self._queue: list[dict[str, Any]] = []
        self._changed = asyncio.Event()
        self._last_ms = 0
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ids = itertools.count(1)
        self._released = asyncio.Event()
        self.held: list[dict[str, Any]] = []

    # ------------------------------------------------------------ handles

    def user(self, display_name: str, user_id: str | None = None) -> ZaloUser:
        user = ZaloUser(self, user_id or hex_id(), display_name)
        self.users[user.id] = user
        return user

    def group(self, name: str) -> ZaloGroup:
        group = ZaloGroup(self, hex_id(), name)
        self.groups[group.id] = group
        return group

    def transcript(self, user_id: str) -> list[dict[str, Any]]:
        """The user's and the bot's messages in the private chat, in date order."""
        both = self.said.get(user_id, []) + self.chats.get(user_id, [])
        return sorted(both, key=lambda m: m["date"])

    def now_ms(self) -> int:
        self._last_ms = max(self._last_ms + 1, int(time.time() * 1000))
        return self._last_ms

    def deliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates, or push it to the webhook."""
        self._queue.append(update)
        self._notify()
        if self.webhook_url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._push_webhook())
        return update

    @property
    def pending_updates(self) -> int:
        return len(self._queue)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_until(self, predicate: Any, timeout: float = 10) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return value
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError("the Zalo sandbox waited in vain")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.1))

    # ------------------------------------------------------------- methods

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        record = ApiCallRecord(method, dict(params))
        self.calls.append(record)
        try:
            if method not in METHODS:
                raise ZaloError(404, "Not Found")
            extra = sorted(set(params) - PARAMS[method])
            if extra:
                self.violations.append(f"{method}: {', '.join(extra)}")
                raise ZaloError(400, f"Bad Request: unsupported parameter {', '.join(extra)}")
            return await getattr(self, "_" + method)(params)
        except ZaloError as exc:
            record.error = f"{exc.code} {exc.description}"
            raise

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"id": self.bot_id, "account_name": self.bot_name, "account_type": "BASIC", "can_join_groups": False}

    async def _getUpdates(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.webhook_url:
            raise ZaloError(400, "Bad Request: webhook is active, use deleteWebhook first")
        timeout = float(params.get("timeout", 30) or 0)
        if not self._queue:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: self._queue, timeout)
        if not self._queue:
            raise ZaloError(408, "Request timeout")
        update = self._queue.pop(0)
        self._notify()
        return update

    async def _setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url, secret = str(params.get("url") or ""), str(params.get("secret_token") or "")
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ZaloError(400, "Bad Request: url must be https")
        if not 8 <= len(secret) <= 256:
            raise ZaloError(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        if self._queue:
            self._webhook_task = asyncio.create_task(self._push_webhook())
        return {"url": url, "updated_at": self.now_ms()}

    async def _deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook_url = self.webhook_secret = ""
        return {"url": "", "updated_at": self.now_ms()}

    async def _getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook_url, "updated_at": self.now_ms()}

    def _chat(self, params: dict[str, Any]) -> str:
        chat_id = str(params.get("chat_id") or "")
        if chat_id not in self.users and chat_id not in self.groups:
            raise ZaloError(400, "Bad Request: chat not found")
        return chat_id

    def _spend(self) -> None:
        if self.quota is not None:
            if self.quota <= 0:
                raise ZaloError(429, "Quota exceeded")
            self.quota -= 1

    async def _store(self, chat_id: str, **content: Any) -> dict[str, Any]:
        message = {"message_id": hex_id(), "date": self.now_ms(), **content}
        self.chats.setdefault(chat_id, []).append(message)
        self._notify()
        if self.hold is not None and self.hold(message):
            self.held.append(message)
            self._notify()
            await self._released.wait()
        return {"message_id": message["message_id"], "date": message["date"]}

    def release(self) -> None:
        """No more holding: the held calls are answered (if anyone still waits)."""
        self.hold = None
        self._released.set()

    @staticmethod
    def _text(value: Any, what: str, low: int) -> str:
        text = "" if value is None else str(value)
        if not low <= utf16_len(text) <= TEXT_LIMIT:
            raise ZaloError(400, f"Bad Request: {what} must be {low}-{TEXT_LIMIT} characters")
        return text

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = self._text(params.get("text"), "text", 1)
        self._spend()
        return await self._store(chat_id, type="text", text=text)

    async def _sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        url = str(params.get("photo") or "")
        caption = self._text(params.get("caption"), "caption", 0)
        if not url.startswith(("http://", "https://")):
            raise ZaloError(400, "Bad Request: photo must be an image URL")
        data = await self._download(url)
        self._spend()
        sent = await self._store(chat_id, type="photo", photo=url, caption=caption)
        self.photos[sent["message_id"]] = data
        return sent

    async def _download(self, url: str) -> bytes:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        try:
            async with self._http.get(url, timeout=aiohttp.ClientTimeout(total=5)) as response:
                data = await response.read()
                ok = response.status == 200 and response.content_type.startswith("image/")
        except (aiohttp.ClientError, TimeoutError):
            ok, data = False, b""
        if not ok:
            raise ZaloError(400, "Bad Request: photo could not be downloaded")
        return data

    async def _sendSticker(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        self._spend()
        return await self._store(chat_id, type="sticker", sticker=str(params.get("sticker") or ""))

    async def _sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        if params.get("action") not in ("typing", "upload_photo"):
            raise ZaloError(400, "Bad Request: action must be typing")
        return True

    # ---------------------------------------------------------------- webhook

    async def _push_webhook(self) -> None:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        while self._queue and self.webhook_url:
            update = self._queue[0]
            try:
                async with self._http.post(
                    self.webhook_url,
                    json={"ok": True, "result": update},
                    headers={"X-Bot-Api-Secret-Token": self.webhook_secret},
                    timeout=aiohttp.ClientTimeout(total=10),
                ) as response:
                    delivered = response.status == 200
            except (aiohttp.ClientError, TimeoutError):
                delivered = False
            if delivered:
                self._queue.pop(0)
                self._notify()
            else:
                await asyncio.sleep(0.5)

    # ------------------------------------------------------------------- HTTP

    async def handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not TOKEN_RE.fullmatch(token):
            return _reply({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        self.bot_id = token.split(":", 1)[0]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = json.loads(await request.read() or b"{}")
                except ValueError:
                    return _reply({"ok": False, "error_code": 400, "description": "Bad Request"}, 400)
                params.update(body if isinstance(body, dict) else {})
            else:
                params.update({k: str(v) for k, v in (await request.post()).items()})
        try:
            result = await self.call(request.match_info["method"], params)
        except ZaloError as exc:
            return _reply({"ok": False, "error_code": exc.code, "description": exc.description}, exc.code)
        return _reply({"ok": True, "result": result})

    def install(self, app: web.Application, prefix: str = "") -> None:
        """Mount the API on ``app`` (``prefix`` + ``/bot<TOKEN>/<method>``)."""
        app.router.add_route("*", prefix + "/bot{token}/{method}", self.handle)

    @classmethod
    async def start(cls, host: str = "127.0.0.1", port: int = 0, *, webchat: bool = True, **kwargs: Any) -> ZaloSandbox:
        from bot.sandbox.zalo.webchat import install_webchat

        sb = cls(**kwargs)
        app = web.Application()
        sb.install(app)
        if webchat:
            install_webchat(app, sb)
        sb._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True)
        await sb._runner.setup()
        site = web.TCPSite(sb._runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - the bound port
        sb.base_url = f"http://{host}:{sockets[0].getsockname()[1] if sockets else port}"
        log.info("Zalo Bot API sandbox listening on %s", sb.base_url)
        return sb

    async def stop(self) -> None:
        self.release()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()


def _reply(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))
