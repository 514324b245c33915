"""Benchmark of the criteria matcher: ``python bench/bench_criteria.py``.

Prints a small markdown table: index build time, answer latency over every training and
hold-out question (p50/p99, in process), memory (tracemalloc peak and RSS growth while
building) and the top-1 fit on each training file. Hold-out accuracy is never printed here:
``bench/score_holdout.py`` scores it, twice per round.
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.services.criteria import Catalog, CriteriaIndex  # noqa: E402

DATA = ROOT / "tests" / "data"
FILES = {p.stem: p for p in sorted((DATA / "training").glob("*.yaml"))}
TIMING_ONLY = sorted((DATA / "holdout").glob("*.yaml")) + sorted(DATA.glob("dev_*.yaml"))
ROUNDS = 20


def is_correct(expect: object, result: object, want_set: str | None = None) -> bool:
    """As in tests/services/test_criteria_accuracy.py (and the set, when the question
    names a village-level set)."""
    if expect is None:
        return result.kind == "offtopic"
    if expect == "list":
        return result.kind == "list"
    ok = result.kind == "match" and result.best is not None and result.best.number == expect
    return ok and (want_set is None or result.best.set_code == want_set)


def rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc, else the peak from getrusage)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[k]


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--ablate", choices=("ranker",), help="ranker: the old blend (blending.py), no regression"
    )
    args = parser.parse_args()
    stage = None if args.ablate == "ranker" else "shipped"
    by_file: dict[str, list[dict]] = {}
    for name, path in FILES.items():
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            by_file.setdefault(name, []).append(item)
    questions = [q for items in by_file.values() for q in items]
    for path in TIMING_ONLY:
        questions += yaml.safe_load(path.read_text(encoding="utf-8"))
    rss_before = rss_mib()
    t0 = time.perf_counter()
    catalog = Catalog.builtin()
    t1 = time.perf_counter()
    index = CriteriaIndex(catalog, stage=stage)
    t2 = time.perf_counter()
    rss_after = rss_mib()
    tracemalloc.start()  # a second build, traced (tracing slows it down)
    CriteriaIndex(Catalog.builtin(), stage=stage)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    for item in questions:  # warm caches once, as a running bot would be
        index.ask_any(item["q"], item["set"])
    latencies: list[float] = []
    cpu: list[float] = []  # this thread's CPU time: what the answer costs, without the other
    for _ in range(ROUNDS):  # processes of a shared machine preempting it
        for item in questions:
            start, start_cpu = time.perf_counter(), time.thread_time()
            index.ask_any(item["q"], item["set"])
            cpu.append((time.thread_time() - start_cpu) * 1000)
            latencies.append((time.perf_counter() - start) * 1000)
    cold_index = CriteriaIndex(catalog, stage=stage)
    cold: list[float] = []
    for item in questions:  # first answers, before the typo cache is warm
        start = time.perf_counter()
        cold_index.ask_any(item["q"], item["set"])
        cold.append((time.perf_counter() - start) * 1000)

    accuracy = {
        name: sum(
            is_correct(q["expect"], index.ask_any(q["q"], q["set"]), q.get("expect_set", q["set"]))
            for q in items
        )
        / len(items)
        for name, items in by_file.items()
    }

    rows = [
        ("catalog load (5 YAML sets)", f"{(t1 - t0) * 1000:.1f} ms"),
        ("index build (incl. learned model load)", f"{(t2 - t1) * 1000:.1f} ms"),
        ("questions x rounds", f"{len(questions)} x {ROUNDS}"),
        ("answer p50", f"{statistics.median(latencies):.3f} ms"),
        ("answer p99", f"{percentile(latencies, 0.99):.3f} ms"),
        ("answer max", f"{max(latencies):.3f} ms"),
        ("answer p99, thread CPU time", f"{percentile(cpu, 0.99):.3f} ms"),
        (
            "load average (1 min) during the run",
            f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores",
        ),
        ("answer p99, cold cache", f"{percentile(cold, 0.99):.3f} ms"),
        ("tracemalloc peak (load + build)", f"{peak / 1024 / 1024:.1f} MiB"),
        ("RSS delta (load + build)", f"{rss_after - rss_before:.1f} MiB"),
        *(
            (f"top-1 training fit, {name} ({len(by_file[name])} questions)", f"{value:.1%}")
            for name, value in accuracy.items()
        ),
    ]
    print("| measure | value |")
    print("|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
