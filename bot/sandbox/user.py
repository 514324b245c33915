"""A played user: sends text, media, contacts and locations, presses buttons, reads the
bot's answers, adds the bot to groups or blocks it."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .chat import SandboxChat
from .formatting import detect_entities
from .records import StoredMessage, _PendingCallback

if TYPE_CHECKING:  # annotations only: these modules import this one
    from .core import Sandbox


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
        stored = self.sandbox._store_file(
            data, "documents", ext, mime=mime_type, file_name=file_name[:255]
        )
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
