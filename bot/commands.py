"""Bodies of the CLI commands (kept apart from argument parsing)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from aiogram.utils.deep_linking import create_start_link

from bot.app import SANDBOX_TOKEN, build_bot, open_runtime, run_bot
from bot.ratelimit import SendBudget
from bot.services.errors import OperatorError
from bot.services.onboarding import create_invite
from bot.services.org_import import OrgFileError, apply_org, parse_org, read_org_file
from bot.services.phone import normalize_phone
from bot.settings import Settings, split_host_port
from storage.repo import Repo

log = logging.getLogger("villagebot")


async def db_upgrade(settings: Settings) -> int:
    async with open_runtime(settings, migrate=True):
        print("database is up to date")
    return 0


async def import_org(settings: Settings, path: Path) -> int:
    try:
        specs = read_org_file(path)
    except OrgFileError as exc:
        raise OperatorError(str(exc)) from None
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        try:
            result = await apply_org(Repo(session), specs)
        except OrgFileError as exc:  # conflicts with what is stored (a telegram_id in use)
            await session.rollback()
            raise OperatorError(f"{path}: {exc}") from None
        await session.commit()
    print(
        f"imported {result.communes} communes, {result.villages} villages, {result.members} members, "
        f"{result.households} households, {result.groups} groups"
    )
    return 0


async def print_invite(settings: Settings, phone: str) -> int:
    normalized = normalize_phone(phone)
    if normalized is None:
        raise OperatorError(f"{phone!r} is not a phone number")
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        repo = Repo(session)
        member = await repo.members.by_phone(normalized)
        if member is None:
            raise OperatorError(f"no member with phone {normalized} on any roster")
        from bot.services.authz import Actor

        operator = Actor(user_id=None, platform_user_id=None, is_admin=True)
        invite = await create_invite(repo, operator, member.id, now=datetime.now(UTC))
        await session.commit()
        bot = build_bot(settings)
        try:
            link = await create_start_link(bot, f"inv_{invite.token}")
        finally:
            await bot.session.close()
    print(link)
    return 0


async def load_demo(runtime_sessionmaker, settings: Settings | None = None) -> None:  # type: ignore[no-untyped-def]
    from bot.demo import demo_org_text, seed_demo_statuses

    async with runtime_sessionmaker() as session:
        await apply_org(Repo(session), parse_org(demo_org_text(), source="demo"))
        if settings is not None:
            await seed_demo_statuses(Repo(session), settings)
        await session.commit()


def seed_sandbox_personas(sandbox) -> None:  # type: ignore[no-untyped-def]
    from bot.demo import DEMO_GROUP_ID, RESIDENT_ID, RESIDENT_PHONE

    secretary = sandbox.add_persona(1001, "Nguyễn Thị An", "Bí thư chi bộ", phone="0912000001")
    member = sandbox.add_persona(1002, "Trần Văn Bình", "Đảng viên", phone="0912000002")
    resident = sandbox.add_persona(RESIDENT_ID, "Lê Văn Cường", "Người dân", phone=RESIDENT_PHONE)
    group = sandbox.group(DEMO_GROUP_ID, "Thôn Nam Bắc Thành", type="supergroup")
    group.bot_status = "administrator"
    group.set_member(secretary, "creator")
    group.set_member(member)
    group.set_member(resident)


async def start_sandbox(host: str, port: int):  # type: ignore[no-untyped-def]
    from bot.sandbox import Sandbox
    from bot.sandbox.spec import SpecMissing

    try:
        return await Sandbox.start(host=host, port=port, bot_username="villagebot")
    except SpecMissing as exc:
        raise OperatorError(str(exc)) from None
    except OSError as exc:
        raise OperatorError(
            f"cannot listen on {host}:{port} ({exc.strerror}); set SANDBOX_LISTEN"
        ) from None


ZALO_SANDBOX_TOKEN = "2000000002:zalo-sandbox-token"


async def status(settings: Settings) -> int:
    """What an operator checks: updates waiting or parked, messages waiting or failed,
    and each channel's messages this month (Zalo publishes no quota: watch 429s here)."""
    month = datetime.now(UTC).strftime("%Y-%m")
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        repo = Repo(session)
        inbox = await repo.inbox.counts()
        outbox = await repo.channels.outbox_counts()
        usage = await repo.channels.usage(month)
        addresses = await repo.channels.addresses()
    print("inbox: " + (", ".join(f"{k} {v}" for k, v in sorted(inbox.items())) or "empty"))
    print("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "empty"))
    print("people and chats: " + (", ".join(f"{k} {v}" for k, v in sorted(addresses.items())) or "none"))
    if not usage:
        print(f"{month}: no messages counted yet")
    for row in usage:
        quota = f", quota exceeded {row.quota_hits} times (last {row.last_quota_at:%Y-%m-%d %H:%M} UTC)" if row.quota_hits else ""
        print(f"{row.channel} {month}: {row.sent} messages sent{quota}")
    return 0


async def start_zalo_sandbox(settings: Settings, host: str):  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    from bot.sandbox.zalo import ZaloSandbox

    zalo = await ZaloSandbox.start(host=host)
    zalo.user("Bà Hoa (Zalo)")  # a resident persona to try the Zalo side at once
    print(f"  Zalo side by side (web chat and Zalo Bot API): open {zalo.base_url}/", flush=True)
    updated = {"zalo_bot_token": SecretStr(ZALO_SANDBOX_TOKEN), "zalo_api_url": zalo.base_url}
    return settings.model_copy(update=updated), zalo


async def run(settings: Settings, *, demo: bool | None) -> int:
    async with open_runtime(settings) as runtime:
        if not settings.sandbox_mode:
            if demo:
                await load_demo(runtime.sessionmaker, settings)
            budget = SendBudget()
            bot = build_bot(settings, budget=budget)
            try:
                await run_bot(settings, runtime, bot, budget)
            finally:
                await bot.session.close()
            return 0

        host, port = split_host_port(settings.sandbox_listen)
        sandbox = await start_sandbox(host, port)
        if demo is not False:
            await load_demo(runtime.sessionmaker, settings)
            seed_sandbox_personas(sandbox)
        print(
            f"\n  villagebot is running against the local sandbox: open http://{host}:{sandbox.port}/\n",
            flush=True,
        )
        zalo_sandbox = None
        if settings.zalo_bot_token is None:  # the Zalo sandbox too: both channels side by side
            settings, zalo_sandbox = await start_zalo_sandbox(settings, host)
        budget = SendBudget()
        bot = build_bot(settings, token=SANDBOX_TOKEN, api_url=sandbox.base_url, budget=budget)
        try:
            await run_bot(settings, runtime, bot, budget)
        finally:
            await bot.session.close()
            with contextlib.suppress(Exception):
                await sandbox.stop()
            if zalo_sandbox is not None:
                with contextlib.suppress(Exception):
                    await zalo_sandbox.stop()
    return 0


async def sandbox(settings: Settings, listen: str) -> int:

    host, port = split_host_port(listen)
    sb = await start_sandbox(host, port)
    print(f"sandbox listening on {sb.base_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sb.stop()
    return 0
