"""State of the sandbox: users, chats, messages, updates, files, faults.

:class:`Sandbox` is the Python handle used by tests and by ``make run``; the
HTTP side lives in :mod:`bot.sandbox.server` (Bot API) and
:mod:`bot.sandbox.control` (control API + web chat).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import logging
import secrets
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .formatting import detect_entities, utf16_len
from .limits import Clock, RateLimiter
from .spec import ApiSpec, Violation

log = logging.getLogger(__name__)

#: Update types delivered when ``allowed_updates`` was never specified.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

FAULT_KINDS = ("429", "500", "timeout_before", "timeout_after", "blocked", "kicked", "migrate")

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


@dataclass
class ApiCall:
    """One Bot API request as seen by the sandbox."""

    method: str
    params: dict[str, Any]
    time: float
    outcome: str = "pending"  # "ok", "error 400: ...", "fault timeout_before", ...
    status: int = 0


@dataclass
class RateLimited:
    """A 429 the sandbox answered because of its flood limits."""

    method: str
    chat_id: int
    retry_after: int
    time: float
    injected: bool = False  # True for 429s made by inject_fault()


@dataclass
class Fault:
    """A fault injected with :meth:`Sandbox.inject_fault`."""

    method: str
    kind: str
    chat_id: int | None
    times: int
    retry_after: int


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    data: bytes | None
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    url: str | None = None


@dataclass
class StoredMessage:
    """A message in a chat: its current Bot API form plus sandbox metadata."""

    chat_id: int
    message_id: int
    api: dict[str, Any]
    from_bot: bool
    html: str | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False
    rev: int = 0
    #: Service message (pin, ...) posted by a bot call; not in ``messages()``.
    service: bool = False
    #: Reply keyboard (or ReplyKeyboardRemove/ForceReply) sent with the message;
    #: Telegram does not echo those in the returned Message.
    keyboard: dict[str, Any] | None = None

    def view(self) -> dict[str, Any]:
        """The dict tests get: the API message plus ``html`` and plain ``text``."""
        out = copy.deepcopy(self.api)
        plain = self.api.get("text", self.api.get("caption"))
        out["text"] = plain
        out["html"] = self.html if self.html is not None else plain
        out["edit_history"] = copy.deepcopy(self.history)
        if self.deleted:
            out["deleted"] = True
        return out


#: ``name -> install(app, sandbox)``: filled by ``server`` ("bot_api") and ``control``
#: ("control") at import, so that this module imports neither (no import cycle).
ROUTE_INSTALLERS: dict[str, Callable[[web.Application, Sandbox], None]] = {}


class SandboxChat:
    """A private chat, group or supergroup."""

    def __init__(
        self,
        sandbox: Sandbox,
        chat_id: int,
        title: str | None,
        type: str,  # noqa: A002
        user: SandboxUser | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.id = chat_id
        self.title = title
        self.type = type
        self.user = user  # for private chats
        self.members: dict[int, str] = {}  # user id -> status
        self.bot_status = "member" if type == "private" else "left"
        self.migrated_to: int | None = None
        self.migrated_from: int | None = None
        self.pinned: list[int] = []
        self.next_message_id = 1
        self.messages: dict[int, StoredMessage] = {}

    def __repr__(self) -> str:
        return f"<SandboxChat {self.id} {self.type} {self.title!r}>"

    def to_api(self) -> dict[str, Any]:
        if self.type == "private" and self.user is not None:
            return self.user.chat_api()
        return {"id": self.id, "title": self.title or "", "type": self.type}

    @property
    def bot_is_member(self) -> bool:
        return self.bot_status in ("creator", "administrator", "member", "restricted")

    @property
    def bot_is_admin(self) -> bool:
        return self.bot_status in ("creator", "administrator")

    def set_member(self, user: SandboxUser, status: str = "member") -> None:
        """Set ``user``'s status silently (no update is sent)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        self.members[user.id] = status

    def is_member(self, user_id: int) -> bool:
        return self.members.get(user_id) in ("creator", "administrator", "member", "restricted")

    async def join(self, user: SandboxUser) -> dict[str, Any]:
        """``user`` joins: ``new_chat_members`` service message (+ chat_member)."""
        old = self.members.get(user.id, "left")
        self.members[user.id] = "member"
        sb = self.sandbox
        sb._chat_member_update("chat_member", self, user, user, old, "member")
        return sb._user_message(user, self, {"new_chat_members": [user.to_api()]})

    async def leave(self, user: SandboxUser) -> dict[str, Any]:
        old = self.members.get(user.id, "member")
        self.members[user.id] = "left"
        sb = self.sandbox
        sb._chat_member_update("chat_member", self, user, user, old, "left")
        return sb._user_message(user, self, {"left_chat_member": user.to_api()})

    async def migrate_to_supergroup(
        self, new_chat_id: int, by: SandboxUser | None = None
    ) -> SandboxChat:
        """Upgrade this group: service messages in both chats, old id refuses sends."""
        if self.type != "group":
            raise ValueError("only basic groups can be migrated")
        sb = self.sandbox
        new = sb.group(new_chat_id, self.title or "", type="supergroup")
        new.members = dict(self.members)
        new.bot_status = self.bot_status
        new.migrated_from = self.id
        actor = by or next(
            (sb.users[uid] for uid, st in self.members.items() if st == "creator"),
            next((sb.users[uid] for uid in self.members if uid in sb.users), None),
        )
        if actor is None:
            raise ValueError("the group has no member who could migrate it")
        sb._user_message(actor, self, {"migrate_to_chat_id": new_chat_id})
        self.migrated_to = new_chat_id
        sb._user_message(actor, new, {"migrate_from_chat_id": self.id})
        return new


class SandboxUser:
    """A simulated Telegram user who chats with the bot."""

    def __init__(
        self,
        sandbox: Sandbox,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        phone: str | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.phone = phone
        self.blocked = False  # the user blocked the bot
        self.started = False  # the private chat with the bot exists
        self._cursors: dict[int, int] = {}

    def __repr__(self) -> str:
        return f"<SandboxUser {self.id} {self.first_name!r}>"

    # ----------------------------------------------------------------- shapes

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        if self.language_code:
            out["language_code"] = self.language_code
        return out

    def chat_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            out["last_name"] = self.last_name
        if self.username:
            out["username"] = self.username
        out["type"] = "private"
        return out

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    # ---------------------------------------------------------------- sending

    def _chat(self, chat: SandboxChat | int | None) -> SandboxChat:
        sb = self.sandbox
        if chat is None:
            return sb._private_chat(self)
        target = chat if isinstance(chat, SandboxChat) else sb.chats[chat]
        if target.type != "private" and not target.is_member(self.id):
            target.members[self.id] = "member"
        return target

    def _open_private(self, chat: SandboxChat) -> None:
        if chat.type == "private" and (not self.started or self.blocked):
            was_blocked = self.blocked
            self.started = True
            self.blocked = False
            if was_blocked:
                self.sandbox._chat_member_update(
                    "my_chat_member", chat, self, None, "kicked", "member"
                )

    async def send(
        self,
        text: str,
        chat: SandboxChat | int | None = None,
        *,
        reply_to: dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """Send a text message (in the private chat with the bot by default)."""
        target = self._chat(chat)
        self._open_private(target)
        content: dict[str, Any] = {"text": text}
        entities = detect_entities(text)
        if entities:
            content["entities"] = entities
        if reply_to is not None:
            reply_id = reply_to if isinstance(reply_to, int) else reply_to["message_id"]
            original = target.messages.get(reply_id)
            if original is not None:
                reply = copy.deepcopy(original.api)
                reply.pop("reply_to_message", None)
                content["reply_to_message"] = reply
        return self.sandbox._user_message(self, target, content)

    async def send_sticker(
        self, chat: SandboxChat | int | None = None, emoji: str = "👍"
    ) -> dict[str, Any]:
        target = self._chat(chat)
        self._open_private(target)
        f = self.sandbox._store_file(b"RIFF-sticker", "stickers", "webp", "image/webp")
        sticker = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": 12,
        }
        return self.sandbox._user_message(self, target, {"sticker": sticker})

    async def send_voice(
        self, chat: SandboxChat | int | None = None, duration: int = 3, data: bytes = b"OggS"
    ) -> dict[str, Any]:
        target = self._chat(chat)
        self._open_private(target)
        f = self.sandbox._store_file(data, "voice", "oga", "audio/ogg")
        voice = {
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(data),
        }
        return self.sandbox._user_message(self, target, {"voice": voice})

    async def send_location(
        self, latitude: float, longitude: float, chat: SandboxChat | int | None = None
    ) -> dict[str, Any]:
        target = self._chat(chat)
        self._open_private(target)
        return self.sandbox._user_message(
            self, target, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    async def send_photo(
        self, data: bytes, caption: str | None = None, chat: SandboxChat | int | None = None
    ) -> dict[str, Any]:
        target = self._chat(chat)
        self._open_private(target)
        content: dict[str, Any] = {"photo": self.sandbox._photo_sizes(data)}
        if caption:
            content["caption"] = caption
        return self.sandbox._user_message(self, target, content)

    async def send_document(
        self,
        data: bytes,
        file_name: str = "tep.pdf",
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
        chat: SandboxChat | int | None = None,
    ) -> dict[str, Any]:
        """Send a file as a document (a PDF, a spreadsheet): what the web chat's 📎 does."""
        target = self._chat(chat)
        self._open_private(target)
        ext = file_name.rsplit(".", 1)[-1][:8] if "." in file_name else "bin"
        stored = self.sandbox._store_file(data, "documents", ext, mime=mime_type, file_name=file_name[:255])
        content: dict[str, Any] = {
            "document": {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": file_name[:255],
                "mime_type": mime_type,
                "file_size": len(data),
            }
        }
        if caption:
            content["caption"] = caption
        return self.sandbox._user_message(self, target, content)

    async def share_contact(
        self,
        phone: str | None = None,
        user_id: int | None = None,
        *,
        first_name: str | None = None,
        chat: SandboxChat | int | None = None,
    ) -> dict[str, Any]:
        """Share a contact: her own (default) or someone else's (``phone=``)."""
        target = self._chat(chat)
        self._open_private(target)
        if phone is None:
            if self.phone is None:
                raise ValueError(f"{self!r} has no phone number")
            contact: dict[str, Any] = {
                "phone_number": self.phone,
                "first_name": self.first_name,
                "user_id": self.id,
            }
            if self.last_name:
                contact["last_name"] = self.last_name
        else:
            contact = {"phone_number": phone, "first_name": first_name or "Contact"}
            if user_id is not None:
                contact["user_id"] = user_id
        return self.sandbox._user_message(self, target, {"contact": contact})

    # -------------------------------------------------------------- receiving

    async def next_message(
        self, timeout: float = 10, chat: SandboxChat | int | None = None
    ) -> dict[str, Any]:
        """The next bot message in ``chat`` not yet returned here (waits)."""
        target = self._chat(chat) if chat is not None else self.sandbox._private_chat(self)
        cursor = self._cursors.get(target.id, 0)

        def pending() -> StoredMessage | None:
            for mid in sorted(target.messages):
                msg = target.messages[mid]
                if mid > cursor and msg.from_bot and not msg.service:
                    return msg
            return None

        try:
            msg = await self.sandbox._wait_for(pending, timeout)
        except TimeoutError:
            got = [m.view().get("text") for m in target.messages.values() if m.from_bot]
            raise TimeoutError(
                f"{self!r}: no new bot message in chat {target.id} within {timeout}s "
                f"(bot messages so far: {got!r})"
            ) from None
        self._cursors[target.id] = msg.message_id
        return msg.view()

    async def press(
        self,
        message: dict[str, Any],
        text: str | None = None,
        *,
        callback_data: str | None = None,
        timeout: float = 10,
    ) -> dict[str, Any] | None:
        """Press an inline button; returns the bot's answerCallbackQuery params
        (``{"text":..., "show_alert":...}``) or ``None`` if it did not answer."""
        sb = self.sandbox
        chat_id = message["chat"]["id"]
        chat = sb.chats[chat_id]
        stored = chat.messages.get(message["message_id"])
        if stored is None or stored.deleted:
            raise ValueError(f"message {message['message_id']} no longer exists")
        markup = stored.api.get("reply_markup", {})
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        button = next(
            (
                b
                for b in buttons
                if (text is not None and b.get("text") == text)
                or (callback_data is not None and b.get("callback_data") == callback_data)
            ),
            None,
        )
        if button is None:
            raise ValueError(
                f"no button {text or callback_data!r}; buttons: "
                f"{[(b.get('text'), b.get('callback_data')) for b in buttons]}"
            )
        if "callback_data" not in button:
            raise ValueError(f"button {button!r} is not a callback button")
        query_id = str(next(sb._ids))
        query = {
            "id": query_id,
            "from": self.to_api(),
            "message": copy.deepcopy(stored.api),
            "chat_instance": str(abs(hash((chat.id, sb.bot_id))) % 10**18),
            "data": button["callback_data"],
        }
        pending = _PendingCallback(query_id, self.id, chat.id, stored.message_id)
        sb.callbacks[query_id] = pending
        sb._enqueue("callback_query", query)
        try:
            await sb._wait_for(lambda: pending.answered, timeout)
        except TimeoutError:
            return None
        return pending.answer

    def current_reply_keyboard(self, chat: SandboxChat | int | None = None) -> dict | None:
        """The reply keyboard the bot currently shows this user in ``chat``."""
        target = self._chat(chat)
        for mid in sorted(target.messages, reverse=True):
            msg = target.messages[mid]
            markup = msg.keyboard
            if not msg.from_bot or not markup or msg.deleted:
                continue
            if "keyboard" in markup:
                return markup
            if markup.get("remove_keyboard"):
                return None
        return None

    async def press_reply_button(
        self, text: str, chat: SandboxChat | int | None = None
    ) -> dict[str, Any]:
        """Press a reply-keyboard button; ``request_contact`` shares her contact."""
        keyboard = self.current_reply_keyboard(chat)
        if keyboard is None:
            raise ValueError(f"{self!r} sees no reply keyboard")
        for row in keyboard["keyboard"]:
            for button in row:
                btn = {"text": button} if isinstance(button, str) else button
                if btn.get("text") != text:
                    continue
                if btn.get("request_contact"):
                    return await self.share_contact(chat=chat)
                if btn.get("request_location"):
                    return await self.send_location(21.0285, 105.8542, chat=chat)
                return await self.send(text, chat=chat)
        labels = [
            b if isinstance(b, str) else b.get("text") for r in keyboard["keyboard"] for b in r
        ]
        raise ValueError(f"no reply button {text!r}; buttons: {labels}")

    # ------------------------------------------------------- bot in groups

    async def add_bot_to(self, chat: SandboxChat, as_admin: bool = False) -> None:
        """Add the bot to ``chat`` (``my_chat_member`` + ``new_chat_members``)."""
        if not chat.is_member(self.id):
            chat.members[self.id] = "member"
        sb = self.sandbox
        old = chat.bot_status
        chat.bot_status = "administrator" if as_admin else "member"
        sb._chat_member_update("my_chat_member", chat, self, None, old, chat.bot_status)
        sb._user_message(self, chat, {"new_chat_members": [sb.bot_user()]})

    async def remove_bot_from(self, chat: SandboxChat) -> None:
        sb = self.sandbox
        old = chat.bot_status
        chat.bot_status = "kicked"
        sb._chat_member_update("my_chat_member", chat, self, None, old, "kicked")

    def block_bot(self) -> None:
        """The user blocks the bot: every send to them answers 403."""
        sb = self.sandbox
        self.blocked = True
        if self.started:
            sb._chat_member_update(
                "my_chat_member", sb._private_chat(self), self, None, "member", "kicked"
            )

    def unblock_bot(self) -> None:
        self._open_private(self.sandbox._private_chat(self))


@dataclass
class _PendingCallback:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    answered: bool = False
    answer: dict[str, Any] | None = None


class Sandbox:
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
        self._next_update_id = first_update_id if first_update_id is not None else int(time.time() * 1000)
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
            raise RuntimeError(f"sandbox routes not registered: {sorted(missing)} (import bot.sandbox)")
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
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server  # noqa: SLF001 - only way to learn the bound port
        sockets = getattr(server, "sockets", None) or []
        self.host = host
        self.port = sockets[0].getsockname()[1] if sockets else port
        self.base_url = f"http://{host}:{self.port}"
        log.info("Telegram Bot API sandbox listening on %s", self.base_url)

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
        return u

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

    # --------------------------------------------------------------- updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        if kind not in self.allowed_updates:
            return
        update_id = self._next_update_id
        self._next_update_id += 1
        self.updates.append((update_id, kind, payload))
        self._notify()

    def confirm_updates(self, offset: int) -> None:
        self.updates = [u for u in self.updates if u[0] >= offset]

    def _bot_should_see(self, chat: SandboxChat, content: dict[str, Any]) -> bool:
        """Privacy mode: what a bot receives of users' messages in groups."""
        if chat.type == "private":
            return True
        if not chat.bot_is_member:
            return False
        if not self.privacy_mode or chat.bot_is_admin:
            return True
        service = (
            "new_chat_members",
            "left_chat_member",
            "migrate_to_chat_id",
            "migrate_from_chat_id",
            "pinned_message",
            "group_chat_created",
        )
        if any(k in content for k in service):
            return True
        reply = content.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot_id:
            return True
        text = content.get("text") or content.get("caption") or ""
        for e in content.get("entities", []):
            chunk = text.encode("utf-16-le")[2 * e["offset"] : 2 * (e["offset"] + e["length"])]
            word = chunk.decode("utf-16-le")
            if e["type"] == "bot_command" and e["offset"] == 0:
                target = word.partition("@")[2]
                if not target or target.lower() == self.bot_username.lower():
                    return True
            if e["type"] == "mention" and word[1:].lower() == self.bot_username.lower():
                return True
        return False

    def _user_message(
        self, user: SandboxUser, chat: SandboxChat, content: dict[str, Any]
    ) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "message_id": chat.next_message_id,
            "from": user.to_api(),
            "chat": chat.to_api(),
            "date": int(time.time()),
        }
        msg.update(content)
        chat.next_message_id += 1
        stored = StoredMessage(chat.id, msg["message_id"], msg, from_bot=False)
        chat.messages[msg["message_id"]] = stored
        if self._bot_should_see(chat, content):
            self._enqueue("message", copy.deepcopy(msg))
        else:
            self._notify()
        return msg

    def _chat_member_update(
        self,
        kind: str,
        chat: SandboxChat,
        actor: SandboxUser | None,
        subject: SandboxUser | None,
        old: str,
        new: str,
    ) -> None:
        """Enqueue a (my_)chat_member update; ``None`` actor/subject = the bot."""
        subject_api = subject.to_api() if subject else self.bot_user()
        payload = {
            "chat": chat.to_api(),
            "from": actor.to_api() if actor else self.bot_user(),
            "date": int(time.time()),
            "old_chat_member": self._member_api(subject_api, old, is_bot=subject is None),
            "new_chat_member": self._member_api(subject_api, new, is_bot=subject is None),
        }
        self._enqueue(kind, payload)

    def _member_api(
        self, user: dict[str, Any], status: str, is_bot: bool = False
    ) -> dict[str, Any]:
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = {
                k: True
                for k in (
                    "can_manage_chat",
                    "can_delete_messages",
                    "can_manage_video_chats",
                    "can_restrict_members",
                    "can_promote_members",
                    "can_change_info",
                    "can_invite_users",
                    "can_post_stories",
                    "can_edit_stories",
                    "can_delete_stories",
                    "can_pin_messages",
                    "can_manage_topics",
                    # Newer Bot API versions than the shipped spec; clients require it.
                    "can_send_welcome_messages",
                )
            }
            rights["can_promote_members"] = False
            return {
                "status": "administrator",
                "user": user,
                "can_be_edited": False,
                "is_anonymous": False,
                **rights,
            }
        if status == "kicked":
            return {"status": "kicked", "user": user, "until_date": 0}
        if status == "restricted":
            perms = {
                k: False
                for k in (
                    "is_member",
                    "can_send_messages",
                    "can_send_audios",
                    "can_send_documents",
                    "can_send_photos",
                    "can_send_videos",
                    "can_send_video_notes",
                    "can_send_voice_notes",
                    "can_send_polls",
                    "can_send_other_messages",
                    "can_add_web_page_previews",
                    "can_react_to_messages",
                    "can_edit_tag",
                    "can_change_info",
                    "can_invite_users",
                    "can_pin_messages",
                    "can_manage_topics",
                )
            }
            perms["is_member"] = True
            return {"status": "restricted", "user": user, "until_date": 0, **perms}
        return {"status": status, "user": user}

    # ----------------------------------------------------------------- files

    def _store_file(
        self,
        data: bytes | None,
        folder: str,
        ext: str,
        mime: str | None = None,
        file_name: str | None = None,
        url: str | None = None,
    ) -> StoredFile:
        n = len(self.files) + 1
        f = StoredFile(
            file_id=f"{folder[:2].upper()}AC{secrets.token_urlsafe(30)}",
            file_unique_id=f"AQAD{secrets.token_urlsafe(9)}",
            data=data,
            file_path=f"{folder}/file_{n}.{ext}",
            mime_type=mime,
            file_name=file_name,
            url=url,
        )
        self.files[f.file_id] = f
        return f

    def _photo_sizes(self, data: bytes, existing: StoredFile | None = None) -> list[dict[str, Any]]:
        f = existing or self._store_file(data, "photos", "jpg", "image/jpeg")
        width, height = image_size(f.data or b"")
        thumb_w, thumb_h = _scaled(width, height, 90)
        return [
            {
                "file_id": f.file_id + "-s",
                "file_unique_id": f.file_unique_id + "s",
                "width": thumb_w,
                "height": thumb_h,
                "file_size": min(len(f.data or b""), 1500),
            },
            {
                "file_id": f.file_id,
                "file_unique_id": f.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(f.data or b""),
            },
        ]

    def file(self, file_id: str) -> StoredFile | None:
        f = self.files.get(file_id)
        if f is None and file_id.endswith("-s"):
            f = self.files.get(file_id[:-2])
        return f

    def file_bytes(self, file_id: str) -> bytes | None:
        f = self.file(file_id)
        return f.data if f else None

    async def run_forever(self) -> None:
        await self._closing.wait()


def _scope_key(scope: dict[str, Any] | None) -> str:
    import json

    return json.dumps(scope or {"type": "default"}, sort_keys=True)


def _scaled(width: int, height: int, box: int) -> tuple[int, int]:
    if max(width, height) <= box:
        return width, height
    ratio = box / max(width, height)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG/JPEG/GIF, or (800, 600) if unknown."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            w, h = struct.unpack(">II", data[16:24])
            return w, h
        if data[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", data[6:10])
            return w, h
        if data[:2] == b"\xff\xd8":
            i = 2
            while i < len(data) - 9:
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                length = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return w, h
                i += 2 + length
    except struct.error:
        pass
    return 800, 600


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
