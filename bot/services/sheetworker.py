"""The child process that reads one spreadsheet for :func:`bot.services.safefiles.read_table`:
the file on stdin, its name and limits as the one argument, the rows (or the refusal)
as JSON on stdout. Its address space and CPU time are capped before it parses
anything, so a file that slips past the checks ends this process, not the bot."""

from __future__ import annotations

import json
import resource
import sys


def peak_kb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited
    from the parent that forked it)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    config = json.loads(sys.argv[1])
    limits_config = config["limits"]
    memory = int(limits_config["memory_mb"]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits_config["seconds"]) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    from bot.services.safefiles import FileRefused, Limits, read_rows

    content = sys.stdin.buffer.read()
    try:
        rows = read_rows(
            content, config["filename"], Limits(**limits_config), config.get("sheet", "")
        )
        result: dict[str, object] = {"rows": rows}
    except FileRefused as error:
        result = {
            "refused": {
                "reason": error.reason,
                "row": error.row,
                "column": error.column,
                "limit": error.limit,
            }
        }
    except MemoryError:
        result = {"refused": {"reason": "memory"}}
    result["peak_kb"] = peak_kb()
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
