"""Several bots in one installation: BOT_TOKENS, the lanes, the org file's ``bot``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.multibot import (
    configured_bots,
    default_token,
    outbox_lanes,
    parse_bot_tokens,
    webhook_path,
    webhook_url,
)
from bot.services.org_import import OrgFileError, parse_org
from bot.settings import SettingsError, load_settings


def test_bot_tokens_are_key_token_pairs_the_first_is_the_default() -> None:
    specs = parse_bot_tokens(" HaTinh=111:aa-A , nghe_an=222:bb\n")
    assert [(s.key, s.bot_id) for s in specs] == [("hatinh", 111), ("nghe_an", 222)]
    settings = load_settings(bot_tokens="hatinh=111:aa,nghean=222:bb", _env_file=None)
    assert not settings.sandbox_mode
    assert [s.key for s in configured_bots(settings)] == ["hatinh", "nghean"]
    assert default_token(settings, "sandbox") == "111:aa"
    assert default_token(load_settings(bot_token="333:cc", _env_file=None), "sandbox") == "333:cc"
    assert configured_bots(load_settings(bot_token="333:cc", _env_file=None)) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("111:aa", "key=token pairs"),
        ("Hà Tĩnh=111:aa", "key=token pairs"),
        ("a=notatoken", "the token of 'a'"),
        ("a=111:aa,a=222:bb", "a key is listed twice"),
        ("a=111:aa,b=111:bb", "a bot is listed twice"),
        (" , ", "lists no bot"),
    ],
)
def test_a_bad_bot_list_is_one_clear_line(value: str, expected: str) -> None:
    with pytest.raises(SettingsError, match="bad setting BOT_TOKENS") as caught:
        load_settings(bot_tokens=value, _env_file=None)
    assert expected in str(caught.value)


def test_one_token_or_several_not_both(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/x.db",
             "BOT_TOKEN": "111:aa", "BOT_TOKENS": "a=222:bb"},
        capture_output=True, text=True, cwd=tmp_path, timeout=60,
    )
    assert result.returncode == 2
    assert "bad setting BOT_TOKENS: set BOT_TOKEN (one bot) or BOT_TOKENS (several), not both" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_lanes_and_webhook_paths() -> None:
    a, b, c = outbox_lanes(["a", "b", "c"])
    assert (a.default, a.others) == (True, ("b", "c"))
    assert (b.default, b.others) == (False, ("a", "c"))
    assert webhook_path("/telegram", None) == "/telegram"
    assert webhook_path("/telegram/", "hatinh") == "/telegram/hatinh"
    assert webhook_url("https://bot.example.vn/telegram", "hue") == "https://bot.example.vn/telegram/hue"


ORG = """\
communes:
  - code: cam-thanh
    name: Xã Cẩm Thành
    province: Hà Tĩnh
    bot: {bot}
    villages:
      - code: nam-bac-thanh
        name: Thôn Nam Bắc Thành
"""


def test_the_org_file_binds_a_commune_to_its_bot() -> None:
    assert parse_org(ORG.format(bot="HaTinh"))[0].bot == "hatinh"
    assert parse_org(ORG.replace("    bot: {bot}\n", ""))[0].bot is None
    with pytest.raises(OrgFileError, match=r"communes\[0\]\.bot"):
        parse_org(ORG.format(bot='"Hà Tĩnh bot"'))


def test_an_invite_opens_the_communes_bot() -> None:
    from types import SimpleNamespace

    from bot.multibot import token_for

    several = load_settings(bot_tokens="hatinh=111:aa,nghean=222:bb", _env_file=None)
    village = lambda key: SimpleNamespace(commune=SimpleNamespace(bot_key=key))  # noqa: E731
    assert token_for(several, village("nghean")) == "222:bb"
    assert token_for(several, village(None)) is None  # the default bot
    assert token_for(load_settings(bot_token="333:cc", _env_file=None), village("nghean")) is None


async def test_the_lanes_senders_share_the_processs_heartbeat(sessionmaker) -> None:  # type: ignore[no-untyped-def]
    """One process, two bots: a row in flight on bot B belongs to the process, alive as
    long as any of its senders beats. Bot A's sender never takes it back as a crash's,
    nor does another process's sender while bot A's beats (with an identity each, 79
    rows of 919 were sent twice in the national simulation: docs/BENCHMARKS.md)."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from aiogram import Bot
    from sqlalchemy import select

    from bot import monitoring
    from bot.delivery.budget import SendBudget
    from bot.delivery.contract import Delivery, Recipient
    from bot.delivery.queue import enqueue
    from bot.delivery.registry import default_registry
    from bot.delivery.sender import Sender
    from bot.i18n import create_i18n
    from bot.multibot import Lane, setup_lane
    from storage.models import OutboxMessage
    from storage.repo import Repo

    runtime = SimpleNamespace(engine=sessionmaker.kw["bind"], sessionmaker=sessionmaker, i18n=create_i18n("vi"))
    settings = SimpleNamespace(timezone="Asia/Ho_Chi_Minh", default_locale="vi")
    registry, metrics = default_registry(), monitoring.Metrics()
    lanes = [
        setup_lane(Lane(key, Bot(token), SendBudget()), runtime, registry, metrics, settings=settings, outbox_lane=route)
        for route, (key, token) in zip(outbox_lanes(["a", "b"]), [("a", "111:aa"), ("b", "222:bb")], strict=True)
    ]
    a, b = lanes[0].sender, lanes[1].sender
    now = datetime.now(UTC)
    async with sessionmaker() as session:
        repo = Repo(session)
        user = await repo.users.get_or_create(77, full_name="u77", username=None)
        await session.flush()
        delivery = Delivery(kind="visit.reminder", recipient=Recipient(user_id=user.id), ref="member:1",
                            dedupe_key="k", not_before=now, payload={})
        await enqueue(repo, delivery, quiet_hours=None)
        [row] = await repo.outbox.claim(b.worker_id, now)  # bot B's sender has it in flight
        await session.commit()
    other_process = Sender(None, sessionmaker, SendBudget(), None, registry)  # type: ignore[arg-type]
    await a.start()  # beats, and sweeps for crashed workers' rows
    try:
        await other_process.recover()
        async with sessionmaker() as session:
            status, resent = (await session.execute(
                select(OutboxMessage.status, OutboxMessage.resent_after_crash).where(OutboxMessage.id == row.id)
            )).one()
        assert (status, resent) == ("sending", 0)
        assert a.worker_id == b.worker_id
    finally:
        await a.stop()
        for lane in lanes:
            await lane.bot.session.close()
            await lane.client.session.close()
