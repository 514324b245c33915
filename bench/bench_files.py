"""Benchmark of bounded file reading: ``python bench/bench_files.py``.

For each hostile file of ``tests/filebombs.py`` (and a good 5,000-line statement, also as
an old .xls and as a web page named .xls), reads
it the way the bot does (``bot.services.safefiles.read_table``: checks, then openpyxl in
a child process) while a bystander coroutine on the same event loop ticks every 10 ms,
as another user's reply would be handled. Reported per file: the outcome, the wall
time, the child's peak resident memory (VmHWM) and the bystander's longest wait
between two ticks (the delay anyone else's reply could see)."""

from __future__ import annotations

import asyncio
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services import safefiles  # noqa: E402
from tests.filebombs import BOMBS, OLD_EXCEL_BOMBS  # noqa: E402


def good_statement() -> tuple[str, bytes]:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Nội dung"]
    )
    for i in range(4990):
        sheet.append(
            ["05/03/2026", f"FT{i}", None, 100_000 + i, f"DG abcd1234 {i} ABCDE chuyen tien"]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "good.xlsx", buffer.getvalue()


def statement_rows() -> list[list[object]]:
    """The 5,000 lines of the old-Excel statements below: a header and 4,990 credits."""
    rows: list[list[object]] = [
        ["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Nội dung"]
    ]
    rows += [
        ["05/03/2026", f"FT{i}", None, 100_000 + i, f"DG abcd1234 {i} ABCDE chuyen tien"]
        for i in range(4990)
    ]
    return rows


def good_statement_xls() -> tuple[str, bytes]:
    """The same 5,000 lines as a real .xls (BIFF8)."""
    from tests.bank_layouts import xls

    return "good.xls", xls(statement_rows())


def good_statement_html() -> tuple[str, bytes]:
    """The same 5,000 lines as the web page a bank names .xls."""
    from tests.bank_layouts import html_xls

    return "good_web.xls", html_xls(statement_rows())


async def measure(name: str, content: bytes) -> tuple[str, float, int, float]:
    gaps: list[float] = []
    done = asyncio.Event()

    async def bystander() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(bystander())
    start = time.perf_counter()
    result = await safefiles.run_worker(content, name, safefiles.Limits())
    elapsed = time.perf_counter() - start
    done.set()
    await ticker
    outcome = result["refused"]["reason"] if "refused" in result else f"{len(result['rows'])} rows"
    return outcome, elapsed, int(result.get("peak_kb", 0)), max(gaps, default=0.0)


async def main() -> None:
    files = {key: make for key, (make, _reasons) in BOMBS.items()}
    files["good_statement_5000_rows"] = good_statement
    files.update({key: make for key, (make, _reasons) in OLD_EXCEL_BOMBS.items()})
    files["good_statement_5000_rows_xls"] = good_statement_xls
    files["good_statement_5000_rows_web_page_xls"] = good_statement_html
    print("| file | size | outcome | wall time | child peak RSS | bystander's longest wait |")
    print("|---|---|---|---|---|---|")
    for key, make in files.items():
        name, content = make()
        outcome, elapsed, peak_kb, gap = await measure(name, content)
        print(f"| {key} | {len(content) / 1024:.0f} KB | {outcome} | {elapsed * 1000:.0f} ms "
              f"| {peak_kb / 1024:.1f} MB | {gap * 1000:.0f} ms |")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
