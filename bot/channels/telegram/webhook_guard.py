"""Checks on a webhook request before aiogram sees it.

What can go wrong: the webhook port is reachable by someone other than Telegram. Without
the secret header they could post updates as any user (share the secretary's phone, run
/thongbao) or burn update ids so real ones look like repeats. With the header but a broken
body, aiogram's handler raises and aiohttp answers 500 with a traceback in the log, and
Telegram retries the same body for hours. So: wrong or missing secret is 401; a body that
is not one JSON object shaped like an ``Update`` is 400 with a one-line warning; only a
well-formed update reaches the dispatcher.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.http_limits import BODY_TIMEOUT

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's largest update (a message with a long text and entities) is far below this.
MAX_BODY_BYTES = 1024 * 1024

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadWebhookBody(ValueError):
    """The body is not a Telegram update; the message says why, in one line."""


def parse_update_body(body: bytes) -> dict[str, object]:
    """The update as a dict, or :class:`BadWebhookBody`."""
    if len(body) > MAX_BODY_BYTES:
        raise BadWebhookBody("body too large")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadWebhookBody("body is not JSON") from None
    if not isinstance(data, dict):
        raise BadWebhookBody("body is not a JSON object")
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2**63:
        raise BadWebhookBody("update_id missing or out of range")
    try:
        Update.model_validate(data)
    except (ValidationError, RecursionError, OverflowError) as exc:
        raise BadWebhookBody(f"not a Telegram update ({exc.__class__.__name__})") from None
    return data


def secret_matches(request: web.Request, secret: str | None) -> bool:
    if not secret:
        return False
    given = request.headers.get(SECRET_HEADER, "")
    return hmac.compare_digest(given.encode(), secret.encode())


def webhook_guard(
    path: str, secret: str | None
) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """An aiohttp middleware for the webhook route at ``path``.

    Register it with ``web.Application(middlewares=[webhook_guard(path, secret)])``."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != path:
            return await handler(request)
        if request.method != "POST":
            return web.Response(status=405, text="method not allowed")
        if not secret_matches(request, secret):
            log.warning(
                "webhook: refused a request without the right secret from %s", request.remote
            )
            return web.Response(status=401, text="unauthorized")
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.Response(status=413, text="body too large")
        try:
            async with asyncio.timeout(BODY_TIMEOUT):  # a body that trickles in
                body = await request.read()
        except TimeoutError:
            log.warning("webhook: a request body took over %ss from %s", BODY_TIMEOUT, request.remote)
            return web.Response(status=408, text="request timeout")
        try:
            parse_update_body(body)
        except BadWebhookBody as exc:
            log.warning("webhook: refused a malformed update: %s", exc)
            return web.Response(status=400, text=str(exc))
        return await handler(request)

    return guard
