"""Org import at scale: a generated org file of about 25 MB, parsed and applied to a
fresh SQLite database; prints seconds and peak memory (issue 8: ≤ 10 s, ≤ 150 MB).

``python bench/bench_org_import.py [megabytes] [--parse-only]``"""

from __future__ import annotations

import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate(target_bytes: int) -> str:
    """Communes of 20 villages, each with 30 members and 200 households."""
    out: list[str] = ["communes:\n"]
    size = 0
    phone = 0
    ci = 0
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
        out.append(text)
        size += len(text.encode())
        ci += 1
    return "".join(out)


async def main() -> None:
    megabytes = (
        float(sys.argv[1]) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else 25.0
    )
    text = generate(int(megabytes * 1024 * 1024))
    from bot.services.org_import import apply_org, parse_org
    from storage.db import create_engine, create_sessionmaker
    from storage.migrate import upgrade
    from storage.repo import Repo

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    specs = parse_org(text)
    parsed = time.perf_counter()
    del text
    print(f"file {megabytes:.1f} MB: parsed in {parsed - started:.1f} s")
    if "--parse-only" in sys.argv:
        print(
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (generator {base:.0f} MB)"
        )
        return
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
        await upgrade(engine)
        t0 = time.perf_counter()
        async with create_sessionmaker(engine)() as session:
            result = await apply_org(Repo(session), specs)
            await session.commit()
        applied = time.perf_counter()
        async with create_sessionmaker(engine)() as session:
            await apply_org(Repo(session), specs)  # again: changes nothing
            await session.commit()
        again = time.perf_counter()
        await engine.dispose()
    print(
        f"applied {result.members} members, {result.households} households in {applied - t0:.1f} s "
        f"(total {applied - started:.1f} s); re-import {again - applied:.1f} s"
    )
    print(
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (generator {base:.0f} MB)"
    )


if __name__ == "__main__":
    asyncio.run(main())
