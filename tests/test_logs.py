"""Log lines never hold a phone number, in either format."""

from __future__ import annotations

import json
import logging

from bot.logs import JsonFormatter, RedactingFormatter, mask_phones


def test_phone_shapes_are_masked_and_other_numbers_kept() -> None:
    for phone in ("0912000002", "+84 912 000 002", "84912000002", "0912.000.002", "091-200-0002"):
        assert phone not in mask_phones(f"contact {phone} linked"), phone
    assert mask_phones("update 1234567 chat -1001000000001 took 25 ms") == "update 1234567 chat -1001000000001 took 25 ms"


def test_both_formatters_mask() -> None:
    record = logging.LogRecord("villagebot", logging.INFO, __file__, 1, "member %s linked", ("0912000002",), None)
    assert "0912000002" not in RedactingFormatter("%(message)s").format(record)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "INFO" and entry["logger"] == "villagebot" and "0912000002" not in entry["message"]
