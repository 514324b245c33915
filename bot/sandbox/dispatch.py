"""Running one Bot API call: spec validation, injected faults, then the method; every call
is recorded in ``sb.calls`` with its outcome."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from .api_errors import ApiError, UploadedFile, Violation, bad_request
from .core import Sandbox
from .methods_base import HANDLERS, Handler, too_many_requests
from .records import ApiCall, Fault, RateLimited

NOT_FOUND = ApiError(404, "Not Found")


def summarize(params: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<file {v.filename!r}, {len(v.data)} bytes>" if isinstance(v, UploadedFile) else v)
        for k, v in params.items()
    }


# ------------------------------------------------------------------ dispatch


async def dispatch(
    sb: Sandbox,
    method_name: str,
    params: dict[str, Any],
    files: dict[str, UploadedFile] | None = None,
) -> Any:
    """Run one Bot API call; return its result or raise :class:`ApiError`."""
    files = files or {}
    call = ApiCall(method_name, summarize({**params, **files}), time.time())
    sb.calls.append(call)
    try:
        result = await _dispatch(sb, call, method_name, params, files)
    except ApiError as exc:
        prefix = f"{call.outcome}: " if call.outcome.startswith("fault") else ""
        call.outcome, call.status = f"{prefix}error {exc.code}: {exc.description}", exc.code
        raise
    except asyncio.CancelledError:
        call.outcome, call.status = "cancelled (client went away)", 0
        raise
    call.outcome = "ok" if call.outcome == "pending" else f"{call.outcome}: ok"
    call.status = 200
    return result


async def _dispatch(
    sb: Sandbox,
    call: ApiCall,
    method_name: str,
    params: dict[str, Any],
    files: dict[str, UploadedFile],
) -> Any:
    name = sb.spec.canonical_method(method_name) if sb.spec else None
    if name is None:
        name = next((h for h in HANDLERS if h.lower() == method_name.lower()), None)
    if name is None:
        raise NOT_FOUND
    call.method = name
    if sb.spec is not None:
        params = sb.spec.validate_params(
            name, params, files, from_form=False, violations=sb.violations
        )
    else:
        params = {**params, **files}
    handler = HANDLERS.get(name)
    if handler is None:
        sb.violations.append(
            Violation(
                name, "unimplemented_method", name, "the sandbox does not implement this method"
            )
        )
        raise bad_request(f"method {name} is not implemented by the sandbox")
    fault = _take_fault(sb, name, params)
    if fault is not None:
        call.outcome = f"fault {fault.kind}"
        return await _apply_fault(sb, fault, handler, params, name)
    return await handler(sb, params)


def _take_fault(sb: Sandbox, name: str, params: dict[str, Any]) -> Fault | None:
    chat_id = params.get("chat_id")
    for fault in sb.faults:
        if fault.times <= 0 or fault.method not in (name, "*"):
            continue
        if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
            continue
        fault.times -= 1
        if fault.times <= 0:
            sb.faults.remove(fault)
        return fault
    return None


async def _hang(sb: Sandbox) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(sb._closing.wait(), sb.fault_hang_seconds)


async def _apply_fault(
    sb: Sandbox, fault: Fault, handler: Handler, params: dict[str, Any], name: str
) -> Any:
    kind = fault.kind
    if kind == "429":
        sb.rate_limited.append(
            RateLimited(
                name, int(params.get("chat_id") or 0), fault.retry_after, time.time(), injected=True
            )
        )
        raise too_many_requests(fault.retry_after)
    if kind == "500":
        raise ApiError(500, "Internal Server Error")
    if kind == "blocked":
        raise ApiError(403, "Forbidden: bot was blocked by the user")
    if kind == "kicked":
        raise ApiError(403, "Forbidden: bot was kicked from the group chat")
    if kind == "migrate":
        chat_id = int(params.get("chat_id") or 0)
        chat = sb.chats.get(chat_id)
        new_id = chat.migrated_to if chat and chat.migrated_to else int(f"-100{abs(chat_id)}")
        raise bad_request(
            "group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_id}
        )
    if kind == "timeout_before":
        await _hang(sb)
        raise ApiError(502, "Bad Gateway")
    # timeout_after: deliver, then hang before answering
    result = await handler(sb, params)
    await _hang(sb)
    return result
