"""Fixtures for the sandbox's own tests."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.sandbox import Sandbox

TOKEN = "123456:TEST-token_abc"


class ApiClient:
    """A raw Bot API client: ``await api("sendMessage", chat_id=1, text="x")``."""

    def __init__(self, sb: Sandbox, session: aiohttp.ClientSession) -> None:
        self.sb = sb
        self.session = session

    async def __call__(
        self, method: str, *, _form: bool = False, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.sb.base_url}/bot{TOKEN}/{method}"
        if _form:
            data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
            resp = await self.session.post(url, data=data)
        else:
            resp = await self.session.post(url, json=params)
        async with resp:
            return resp.status, await resp.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], body
        return body["result"]


@pytest_asyncio.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(host="127.0.0.1", port=0, bot_username="villagebot")
    sb.fault_hang_seconds = 2.0
    sb.webhook_retry_delay = 0.05
    try:
        yield sb
    finally:
        await sb.stop()


@pytest_asyncio.fixture
async def api(sandbox: Sandbox) -> AsyncIterator[ApiClient]:
    async with aiohttp.ClientSession() as session:
        yield ApiClient(sandbox, session)


@pytest.fixture
def token() -> str:
    return TOKEN
