"""A thin client of the Zalo Bot API: ``POST {base}/bot<TOKEN>/<method>`` with JSON,
answers in the envelope ``{ok, result, description, error_code}``."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.settings import DEFAULT_ZALO_API_URL


class ZaloApiError(Exception):
    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description


class ZaloApi:
    def __init__(self, token: str, base_url: str = DEFAULT_ZALO_API_URL) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self._http: aiohttp.ClientSession | None = None

    async def call(self, method: str, request_timeout: float = 15, **params: Any) -> Any:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        body = {key: value for key, value in params.items() if value is not None}
        url = f"{self.base_url}/bot{self.token}/{method}"
        try:
            async with self._http.post(url, json=body, timeout=aiohttp.ClientTimeout(total=request_timeout)) as response:
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    raise ZaloApiError(response.status, "not a JSON answer") from None
        except aiohttp.ClientError as exc:
            raise ZaloApiError(0, f"network: {type(exc).__name__}") from exc
        if not isinstance(answer, dict) or not answer.get("ok"):
            answer = answer if isinstance(answer, dict) else {}
            raise ZaloApiError(int(answer.get("error_code") or response.status), str(answer.get("description") or ""))
        return answer.get("result")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
