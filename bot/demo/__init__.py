"""Demo villages and personas for trying the bot in the local sandbox."""

from __future__ import annotations

from importlib import resources

DEMO_GROUP_ID = -1001000000001
RESIDENT_ID = 2001
RESIDENT_PHONE = "0912000101"


def demo_org_text() -> str:
    return resources.files(__package__).joinpath("org.yaml").read_text(encoding="utf-8")
