"""Session methods: getMe, logOut, close, getUpdates and the webhook (set, delete, info,
and the loop that posts updates to it)."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import re
import time
from typing import Any
from urllib.parse import urlparse

from aiohttp import ClientSession, ClientTimeout

from .api_errors import ApiError, bad_request
from .core import Sandbox
from .dispatch import dispatch
from .methods_base import method, p_bool, p_int, p_obj
from .records import DEFAULT_ALLOWED_UPDATES

log = logging.getLogger(__name__)


@method("getMe")
async def get_me(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return {
        **sb.bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": not sb.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("logOut")
async def log_out(sb: Sandbox, params: dict[str, Any]) -> bool:
    return True


@method("close")
async def close(sb: Sandbox, params: dict[str, Any]) -> bool:
    return True


@method("getUpdates")
async def get_updates(sb: Sandbox, params: dict[str, Any]) -> list[dict[str, Any]]:
    if sb.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = p_int(params, "offset", 0) or 0
    limit = max(1, min(100, p_int(params, "limit", 100) or 100))
    timeout = max(0, p_int(params, "timeout", 0) or 0)
    allowed = p_obj(params, "allowed_updates")
    if isinstance(allowed, list):
        sb.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    if offset > 0:
        sb.confirm_updates(offset)
    elif offset < 0:
        sb.updates = sb.updates[offset:]
    token = object()
    sb._poll_token = token
    sb._notify()  # wakes an older poller, which then answers 409
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if sb._poll_token is not token:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; make sure "
                "that only one bot instance is running",
            )
        batch = sb.updates[:limit]
        remaining = deadline - loop.time()
        if batch or remaining <= 0 or sb._closing.is_set():
            return [
                {"update_id": uid, kind: copy.deepcopy(payload)} for uid, kind, payload in batch
            ]
        event = sb._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)


@method("setWebhook")
async def set_webhook(sb: Sandbox, params: dict[str, Any]) -> bool:
    url = params.get("url") or ""
    if p_bool(params, "drop_pending_updates"):
        sb.dropped_pending_updates_calls.append(sb.calls[-1])
        sb.updates.clear()
    if not url:
        _delete_webhook(sb)
        return True
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
        raise bad_request("secret token contains unallowed characters")
    allowed = p_obj(params, "allowed_updates")
    if isinstance(allowed, list):
        sb.allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES
    sb.webhook = {
        "url": url,
        "secret_token": secret,
        "max_connections": p_int(params, "max_connections", 40),
    }
    sb._poll_token = None
    sb._notify()
    if sb._webhook_task is None or sb._webhook_task.done():
        sb._webhook_task = asyncio.get_running_loop().create_task(_webhook_loop(sb))
    return True


def _delete_webhook(sb: Sandbox) -> None:
    sb.webhook = None
    sb.webhook_last_error = None
    if sb._webhook_task is not None:
        sb._webhook_task.cancel()
        sb._webhook_task = None


@method("deleteWebhook")
async def delete_webhook(sb: Sandbox, params: dict[str, Any]) -> bool:
    if p_bool(params, "drop_pending_updates"):
        sb.dropped_pending_updates_calls.append(sb.calls[-1])
        sb.updates.clear()
    _delete_webhook(sb)
    return True


@method("getWebhookInfo")
async def get_webhook_info(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": sb.webhook["url"] if sb.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(sb.updates),
    }
    if sb.webhook:
        info["max_connections"] = sb.webhook["max_connections"]
        info["ip_address"] = "127.0.0.1"
        if sb.allowed_updates != DEFAULT_ALLOWED_UPDATES:
            info["allowed_updates"] = sorted(sb.allowed_updates)
    if sb.webhook_last_error:
        info["last_error_date"], info["last_error_message"] = sb.webhook_last_error
    return info


async def _webhook_loop(sb: Sandbox) -> None:
    """Deliver pending updates to the webhook in order, retrying failures."""
    async with ClientSession(timeout=ClientTimeout(total=60)) as session:
        while sb.webhook is not None and not sb._closing.is_set():
            if not sb.updates:
                event = sb._changed
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), 1.0)
                continue
            uid, kind, payload = sb.updates[0]
            headers = {}
            if sb.webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = sb.webhook["secret_token"]
            error = ""
            try:
                async with session.post(
                    sb.webhook["url"], json={"update_id": uid, kind: payload}, headers=headers
                ) as resp:
                    body = await resp.read()
                    if 200 <= resp.status < 300:
                        if sb.updates and sb.updates[0][0] == uid:
                            sb.updates.pop(0)
                        sb._notify()
                        await _webhook_reply(sb, resp.content_type, body)
                        continue
                    error = f"Wrong response from the webhook: {resp.status} {resp.reason}"
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any delivery failure is retried
                error = f"Connection failed: {exc.__class__.__name__}"
            sb.webhook_last_error = (int(time.time()), error)
            log.info("webhook delivery of update %s failed: %s", uid, error)
            await asyncio.sleep(sb.webhook_retry_delay)


async def _webhook_reply(sb: Sandbox, content_type: str, body: bytes) -> None:
    """A webhook may answer with a method call in the response body."""
    if content_type != "application/json" or not body.strip():
        return
    try:
        data = json.loads(body)
    except ValueError:
        return
    if isinstance(data, dict) and isinstance(data.get("method"), str):
        name = data.pop("method")
        with contextlib.suppress(ApiError):
            await dispatch(sb, name, data)
