"""Org import at scale: a generated org file of about 25 MB, written to disk, read
from there as ``villagebot import org`` does, and applied to a fresh SQLite (or, with
``--pg``, PostgreSQL) database; prints seconds and peak memory (issue 8: ≤ 10 s,
≤ 150 MB).

``python bench/bench_org_import.py [megabytes] [--parse-only] [--pg]``"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(target_bytes: int, path: Path) -> None:
    """Communes of 20 villages, each with 30 members and 200 households, written to
    ``path`` one commune at a time (the generator holds no more than a commune)."""
    size = 0
    phone = 0
    ci = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("communes:\n")
        while size < target_bytes:
            chunk = [
                f"  - code: xa-{ci}\n    name: Xã Số {ci}\n    province: Hà Tĩnh\n    criteria_set: ntm-2021-2025\n    villages:\n"
            ]
            for vi in range(20):
                chunk.append(
                    f"      - code: thon-{ci}-{vi}\n        name: Thôn {ci}-{vi}\n        members:\n"
                )
                first_phone = phone
                for mi in range(30):
                    role = "secretary" if mi == 0 else "deputy" if mi == 1 else "member"
                    chunk.append(
                        f'          - {{name: Nguyễn Văn Thành {mi}, role: {role}, phone: "09{phone:08d}", telegram_id: {10_000_000 + phone}}}\n'
                    )
                    phone += 1
                chunk.append("        households:\n")
                for hi in range(200):
                    visitor = first_phone + (hi % 30)
                    chunk.append(
                        f'          - {{code: H-{hi:04d}, head: Lê Thị Hoa {hi}, address: "Xóm {hi % 7}, đường liên thôn số {hi}", '
                        f'cluster: "Tổ {hi % 9}", flags: [poor], phone: "03{phone:08d}", visitor: "09{visitor:08d}"}}\n'
                    )
                    phone += 1
                chunk.append(
                    f"        groups:\n          - {{telegram_chat_id: -100{ci:05d}{vi:05d}, title: Nhóm {ci}-{vi}}}\n"
                )
            text = "".join(chunk)
            out.write(text)
            size += len(text.encode())
            ci += 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def database(tmp: str, postgres: bool) -> tuple[str, object]:
    """A fresh database's URL, and a coroutine function that drops it (PostgreSQL)."""
    if not postgres:
        return f"sqlite+aiosqlite:///{tmp}/bench.db", None
    from sqlalchemy import text

    from storage.db import create_engine

    admin_url = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    name = f"villagebot_bench_{os.getpid()}"
    admin = create_engine(admin_url)
    async with admin.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()

    async def drop() -> None:
        admin = create_engine(admin_url)
        async with admin.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        await admin.dispose()

    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}", drop


async def main() -> None:
    megabytes = (
        float(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else 25.0
    )
    from bot.services.org_import import apply_org, read_org_file
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade
    from storage.repo import Repo

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "org.yaml"
        generate(int(megabytes * 1024 * 1024), path)
        url, drop = await database(tmp, "--pg" in sys.argv)
        engine = create_engine(url)
        await upgrade(engine)
        base = peak_mb()
        cpu = time.process_time()
        started = time.perf_counter()
        specs = read_org_file(path)
        parsed = time.perf_counter()
        parse_cpu = time.process_time() - cpu
        print(
            f"file {path.stat().st_size / 1024 / 1024:.1f} MB, {url.split(':')[0]}: "
            f"parsed in {parsed - started:.1f} s (CPU {parse_cpu:.1f} s), peak RSS {peak_mb():.0f} MB"
        )
        if "--parse-only" in sys.argv:
            await engine.dispose()
            if drop:
                await drop()  # type: ignore[operator]
            return
        t0 = time.perf_counter()
        cpu = time.process_time()
        async with create_sessionmaker(engine)() as session:
            result = await apply_org(Repo(session), specs)
            await session.commit()
        applied = time.perf_counter()
        apply_cpu = time.process_time() - cpu
        del specs
        async with create_sessionmaker(engine)() as session:
            await apply_org(Repo(session), read_org_file(path))  # again: changes nothing
            await session.commit()
        again = time.perf_counter()
        await engine.dispose()
        if drop:
            await drop()  # type: ignore[operator]
    print(
        f"applied {result.members} members, {result.households} households in {applied - t0:.1f} s "
        f"(CPU of this process {apply_cpu:.1f} s) "
        f"(parse + apply {applied - started:.1f} s); re-import (parse + apply) {again - applied:.1f} s"
    )
    print(f"peak RSS {peak_mb():.0f} MB (before the import: {base:.0f} MB)")


if __name__ == "__main__":
    asyncio.run(main())
