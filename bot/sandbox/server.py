"""The Bot API side of the sandbox: ``/bot{token}/{method}`` and file downloads.

Every call goes through :func:`dispatch`: parameter parsing (JSON, urlencoded
or multipart), spec validation, injected faults, persistent chat states
(blocked, kicked, migrated), flood limits, then the method implementation.

The parts: :mod:`.dispatch` (one call, with faults), :mod:`.methods_base` (the registry,
parameters, chat state, flood limits), :mod:`.outgoing` (content rules, storing the bot's
messages) and the methods in :mod:`.methods_session`, :mod:`.methods_messages` and
:mod:`.methods_chats`, which register themselves when this module imports them.
"""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

# The method modules register their handlers in HANDLERS when imported.
from . import methods_chats, methods_messages, methods_session  # noqa: F401
from .api_errors import ApiError, UploadedFile, bad_request
from .core import ROUTE_INSTALLERS, SANDBOX_KEY, Sandbox
from .dispatch import NOT_FOUND, dispatch

TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")

# ------------------------------------------------------------------- reading


async def read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Parameters from the query string and a JSON, urlencoded or multipart body."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.method != "POST" or not request.can_read_body:
        return params, files
    ctype = request.content_type
    if ctype == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            params.update(body)
    elif ctype == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part is None or not hasattr(part, "read") or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read()  # type: ignore[union-attr]
                files[part.name] = UploadedFile(
                    part.filename,
                    part.headers.get("Content-Type", "application/octet-stream"),
                    bytes(data),
                )
            else:
                params[part.name] = await part.text()  # type: ignore[union-attr]
    else:
        post = await request.post()
        for key, value in post.items():
            params[key] = value if isinstance(value, str) else str(value)
    return params, files


# ------------------------------------------------------------- HTTP handlers


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def handle_bot_api(request: web.Request) -> web.Response:
    sb: Sandbox = request.app[SANDBOX_KEY]
    token = request.match_info["token"]
    if not TOKEN_RE.fullmatch(token):
        return _json(ApiError(401, "Unauthorized").to_json(), 401)
    sb.bot_id = int(token.split(":", 1)[0])
    try:
        params, files = await read_params(request)
        result = await dispatch(sb, request.match_info["method"], params, files)
    except ApiError as exc:
        return _json(exc.to_json(), exc.code)
    return _json({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.StreamResponse:
    sb: Sandbox = request.app[SANDBOX_KEY]
    path = request.match_info["path"]
    for f in sb.files.values():
        if f.file_path == path and f.data is not None:
            return web.Response(body=f.data, content_type=f.mime_type or "application/octet-stream")
    return _json(NOT_FOUND.to_json(), 404)


def setup_bot_api(app: web.Application, sb: Sandbox) -> None:
    app[SANDBOX_KEY] = sb
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)


ROUTE_INSTALLERS["bot_api"] = setup_bot_api
