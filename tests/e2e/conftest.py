from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import Sandbox
from tests.e2e.harness import BotProcess
from tests.e2e.seeding import seed_org


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = await Sandbox.start(limits=True, bot_username="villagebot")
    yield sb
    await sb.stop()
    assert sb.violations == [], f"the bot sent parameters Telegram would ignore: {sb.violations}"
    assert sb.dropped_pending_updates_calls == [], "the bot must never drop pending updates"


@pytest.fixture
async def e2e_db(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
    await seed_org(url)
    return url


@pytest.fixture
async def bot_process(sandbox: Sandbox, e2e_db: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[BotProcess]:
    process = BotProcess(sandbox, e2e_db, tmp_path)
    await process.start()
    yield process
    await process.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print("---- bot log ----\n" + process.log()[-5000:])
    assert "Traceback" not in process.log(), process.log()[-5000:]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
