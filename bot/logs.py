"""Logging set-up: plain lines, or one JSON object per line (``LOG_FORMAT=json``).

Either way a phone number never reaches the log: anything shaped like a Vietnamese
mobile number (0xxxxxxxxx, 84xxxxxxxxx, +84 xxx xxx xxx) is masked in the final line,
whichever module wrote it. Message texts are kept out by the code itself (handlers
log ids, never what people wrote); the test in tests/test_logs.py runs a real
conversation through the dispatcher and checks the captured lines for both.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

# 9–10 digit national numbers after 0 or 84/+84, with optional spaces, dots or dashes.
_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){8,9}(?!\d)")


def mask_phones(text: str) -> str:
    return _PHONE.sub(lambda match: match.group(0)[:3] + "…", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_phones(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_phones(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = mask_phones(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(*, verbose: bool = False, fmt: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # it logs every planner wake-up
