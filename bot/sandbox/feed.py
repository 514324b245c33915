"""The updates the bot receives: the queue behind getUpdates and the webhook, privacy
mode (what a bot sees in groups), users' messages and chat member changes."""

from __future__ import annotations

import copy
import time
from typing import Any

from .chat import SandboxChat
from .records import StoredMessage
from .user import SandboxUser


class _UpdateFeed:
    """Mixed into :class:`~bot.sandbox.core.Sandbox`."""

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
