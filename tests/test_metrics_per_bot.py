"""/metrics per bot (issue 18, several bots in one installation): Bot API calls and the 429s
among them carry the bot's key, so an operator sees which province's bot is being held back."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import SendMessage
from prometheus_client import generate_latest

from bot.monitoring import CallMetricsMiddleware, Metrics


async def test_calls_and_429s_are_counted_per_bot() -> None:
    metrics = Metrics()
    method = SendMessage(chat_id=1, text="x")

    async def ok(bot: object, call: object) -> bool:
        return True

    async def refused(bot: object, call: object) -> bool:
        raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=3)

    ha_tinh, nghe_an, single = (CallMetricsMiddleware(metrics, key) for key in ("ha-tinh", "nghe-an", None))
    await ha_tinh(ok, None, method)
    for _ in range(2):
        with pytest.raises(TelegramRetryAfter):
            await nghe_an(refused, None, method)
    await single(ok, None, method)

    body = generate_latest(metrics.registry).decode()
    assert 'villagebot_api_429_total{bot="nghe-an"} 2.0' in body
    assert 'villagebot_api_429_total{bot="ha-tinh"}' not in body
    assert 'villagebot_api_calls_total{bot="ha-tinh",method="SendMessage",result="ok"} 1.0' in body
    assert 'villagebot_api_calls_total{bot="nghe-an",method="SendMessage",result="429"} 2.0' in body
    assert 'villagebot_api_calls_total{bot="default",method="SendMessage",result="ok"} 1.0' in body
