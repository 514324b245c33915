"""The issue-18 benches run at a tiny scale (their figures come from ``make bench``;
nothing here is timed): the national simulation sends every province's 07:00
reminders through its own token once, and the webhook bench gets every update
answered by villagebot and by the bare echo bot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import _port_open, service_missing

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_smoke_{name}", BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _need_postgres() -> None:
    if not _port_open("127.0.0.1", 5432):
        service_missing("PostgreSQL at 127.0.0.1:5432")


async def test_national_simulation_sends_each_provinces_morning_reminders_once() -> None:
    _need_postgres()
    national = _load("bench_national")
    args = national.parse(["--scale", "0.0005", "--hours", "8", "--database", "villagebot_national_smoke"])
    out = await national.run(args)
    [burst] = out["bursts"]  # 07:00 on 2 March
    assert len(burst["per_token"]) == 34, burst["per_token"]  # every token sent its province's reminders
    assert burst["late"] and min(burst["late"]) >= 0  # none before 07:00
    statuses = {status for kind, status, _n in out["outbox_rows"] if kind == "visit.reminder"}
    assert statuses == {"sent"}
    assert (out["refused"], out["misrouted"], out["resent_after_crash"]) == (0, 0, 0)
    assert out["problems"].counts.get("ERROR", 0) == 0, out["problems"].first


async def test_webhook_bench_answers_every_update_on_both_bots() -> None:
    _need_postgres()
    webhook = _load("bench_webhook")
    args = webhook.parse(["--rate", "5", "--seconds", "1", "--burst", "10", "--concurrency", "4"])
    assert await webhook.main(args) == 0
