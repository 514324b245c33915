"""Control HTTP API (``/sandbox/api/...``) and the web chat page."""

from __future__ import annotations

from aiohttp import web

from .core import Sandbox


def setup_control(app: web.Application, sb: Sandbox) -> None:
    """Mount the control API and the web chat page on ``app``."""
