"""Bodies of the CLI commands (kept apart from argument parsing)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime
from pathlib import Path

from aiogram.utils.deep_linking import create_start_link

from bot.app import SANDBOX_TOKEN, build_bot, open_runtime, run_bot
from bot.cli_text import cli_gettext
from bot.ratelimit import SendBudget
from bot.services.errors import OperatorError
from bot.services.onboarding import create_invite
from bot.services.org_import import OrgFileError, apply_org, parse_org, read_org_file
from bot.services.phone import normalize_phone
from bot.settings import Settings, split_host_port
from storage.repo import Repo

log = logging.getLogger("villagebot")


async def db_upgrade(settings: Settings) -> int:
    _ = cli_gettext(settings)
    async with open_runtime(settings, migrate=True):
        print(_("database is up to date"))
    return 0


async def import_org(settings: Settings, path: Path) -> int:
    _ = cli_gettext(settings)
    try:
        specs = read_org_file(path)
    except OrgFileError as exc:
        raise OperatorError(exc.text(_)) from None
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        try:
            today = datetime.now(settings.tz).date()
            result = await apply_org(Repo(session), specs, plans_due=today)
        except OrgFileError as exc:  # conflicts with what is stored (a telegram_id in use)
            await session.rollback()
            raise OperatorError(_("{source}: {problem}").format(source=path, problem=exc.text(_))) from None
        await session.commit()
    print(
        _(
            "imported {communes} communes, {villages} villages, {members} members, {households} households, {groups} groups"
        ).format(
            communes=result.communes,
            villages=result.villages,
            members=result.members,
            households=result.households,
            groups=result.groups,
        )  # fmt: skip
    )
    return 0


async def print_invite(settings: Settings, phone: str) -> int:
    _ = cli_gettext(settings)
    normalized = normalize_phone(phone)
    if normalized is None:
        raise OperatorError(_("{phone} is not a phone number").format(phone=phone))
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session:
        repo = Repo(session)
        member = await repo.members.by_phone(normalized)
        if member is None:
            raise OperatorError(
                _("no member with phone {phone} on any roster").format(phone=normalized)
            )
        from bot.services.authz import Actor

        operator = Actor(user_id=None, platform_user_id=None, is_admin=True)
        invite = await create_invite(repo, operator, member.id, now=datetime.now(UTC))
        await session.commit()
        from bot.multibot import token_for  # several bots: the link opens the commune's bot

        bot = build_bot(settings, token=token_for(settings, await repo.places.village(member.branch.village_id)))
        try:
            link = await create_start_link(bot, f"inv_{invite.token}")
        finally:
            await bot.session.close()
    print(link)
    return 0


async def load_demo(  # type: ignore[no-untyped-def]
    runtime_sessionmaker, settings: Settings | None = None, *, bot_username: str | None = None
) -> bool:
    """Seed the demo villages once: a restart keeps what the user did since (an
    assignment made with /phancong or the CLI is not undone). True when seeded now.
    With ``bot_username`` the demo campaign is announced to the village group."""
    from bot.demo import demo_org_text, demo_seeded, seed_demo_campaign, seed_demo_statuses

    specs = parse_org(demo_org_text(), source="demo")
    async with runtime_sessionmaker() as session:
        repo = Repo(session)
        if await demo_seeded(repo, specs):
            return False
        today = datetime.now(settings.tz).date() if settings is not None else None
        await apply_org(repo, specs, plans_due=today)
        if settings is not None:
            await seed_demo_statuses(repo, settings)
            await seed_demo_campaign(
                repo, settings, now=datetime.now(UTC), bot_username=bot_username
            )
        await session.commit()
    return True


def sandbox_state_path(database_url: str) -> Path | None:
    """Where ``make run`` keeps the sandbox's world (the web chat's history, personas,
    who started the bot): beside the database, ``data/villagebot.db`` →
    ``data/villagebot.sandbox.json``; ``data/<name>.sandbox.json`` for PostgreSQL."""
    scheme, _, rest = database_url.partition("://")
    if scheme.startswith("sqlite"):
        path = rest[1:] if rest.startswith("/") else rest
        if not path or ":memory:" in path:
            return None
        db = Path(path)
        return db.with_name(f"{db.stem}.sandbox.json")
    name = rest.rsplit("/", 1)[-1].split("?", 1)[0] or "villagebot"
    return Path("data") / f"{name}.sandbox.json"


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


async def start_sandbox(host: str, port: int, state_path: Path | None = None):  # type: ignore[no-untyped-def]
    from bot.sandbox import Sandbox
    from bot.sandbox.spec import SpecMissing

    try:
        return await Sandbox.start(
            host=host, port=port, bot_username="villagebot", state_path=state_path
        )
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
        bulk_waiting = await repo.channels.bulk_waiting() if settings.zalo_monthly_quota else 0
    print("inbox: " + (", ".join(f"{k} {v}" for k, v in sorted(inbox.items())) or "empty"))
    print("outbox: " + (", ".join(f"{k} {v}" for k, v in sorted(outbox.items())) or "empty"))
    print("people and chats: " + (", ".join(f"{k} {v}" for k, v in sorted(addresses.items())) or "none"))
    if not usage:
        print(f"{month}: no messages counted yet")
    for row in usage:
        quota = f", quota exceeded {row.quota_hits} times (last {row.last_quota_at:%Y-%m-%d %H:%M} UTC)" if row.quota_hits else ""
        print(f"{row.channel} {month}: {row.sent} messages sent{quota}")
    if settings.zalo_monthly_quota:
        print(quota_line(settings, next((r.sent for r in usage if r.channel == "zalo"), 0), bulk_waiting))
    return 0


def quota_line(settings: Settings, sent: int, bulk_waiting: int) -> str:
    """Zalo's month against the plan's quota, and whether announcements wait."""
    from bot.channels.zalo.quota import QuotaGuard

    guard = QuotaGuard(settings.zalo_monthly_quota, settings.zalo_quota_reserve)
    guard.count(sent)
    state = (
        f"NEAR THE QUOTA: announcements to Zalo wait ({bulk_waiting} waiting), replies and reminders go"
        if guard.near else f"announcements wait from {guard.threshold} on"
    )
    return f"zalo quota: {sent} of {guard.quota} this month (ZALO_MONTHLY_QUOTA); {state}"


async def start_zalo_sandbox(settings: Settings, host: str):  # type: ignore[no-untyped-def]
    from pydantic import SecretStr

    from bot.sandbox.zalo import ZaloSandbox

    zalo = await ZaloSandbox.start(host=host)
    zalo.user("Bà Hoa (Zalo)")  # a resident persona to try the Zalo side at once
    print(f"  Zalo side by side (web chat and Zalo Bot API): open {zalo.base_url}/", flush=True)
    updated = {"zalo_bot_token": SecretStr(ZALO_SANDBOX_TOKEN), "zalo_api_url": zalo.base_url}
    return settings.model_copy(update=updated), zalo


async def run(settings: Settings, *, demo: bool | None, role: str = "all") -> int:
    from storage.process_lock import AlreadyRunning, single_process

    if role != "all" and settings.database_url.startswith("sqlite"):
        raise OperatorError(f"--role {role} is for several processes, which need PostgreSQL (DATABASE_URL)")
    if role == "web" and not settings.webhook_url:
        raise OperatorError("--role web receives webhooks: set WEBHOOK_URL and WEBHOOK_SECRET")
    try:
        with single_process(settings.database_url):
            return await _run(settings, demo=demo, role=role)
    except AlreadyRunning as exc:
        raise OperatorError(str(exc)) from None


async def _run(settings: Settings, *, demo: bool | None, role: str) -> int:
    async with open_runtime(settings) as runtime:
        if not settings.sandbox_mode:
            if demo:
                await load_demo(runtime.sessionmaker, settings)
            from bot.multibot import build_lanes

            # Several bots (BOT_TOKENS): one lane each, the first is the default bot.
            lanes = build_lanes(settings, SendBudget, lambda **kw: build_bot(settings, **kw)) or None
            budget = lanes[0].budget if lanes else SendBudget()
            bot = lanes[0].bot if lanes else build_bot(settings, budget=budget)
            try:
                await run_bot(settings, runtime, bot, budget, role=role, lanes=lanes)
            finally:
                for lane_bot in [lane.bot for lane in lanes or []] or [bot]:
                    await lane_bot.session.close()
            return 0

        host, port = split_host_port(settings.sandbox_listen)
        sandbox = await start_sandbox(host, port, sandbox_state_path(settings.database_url))
        # A new persona never gets an id the bot knows already.
        async with runtime.sessionmaker() as session:
            known = await Repo(session).users.highest_platform_id()
        sandbox.highest_user_id = max(sandbox.highest_user_id, known)
        if demo is not False:
            await load_demo(runtime.sessionmaker, settings, bot_username=sandbox.bot_username)
            if not sandbox.restored:
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
