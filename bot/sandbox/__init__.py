"""A local Telegram Bot API sandbox for tests and offline development.

Start it with :meth:`Sandbox.start`, point the bot at ``sb.base_url`` and play
users with :meth:`Sandbox.user`.  See ``bot/sandbox/README.md``.
"""

from .api_errors import ApiError, Violation
from .chat import SandboxChat
from .core import Sandbox
from .records import ApiCall, Fault, RateLimited, StoredFile, StoredMessage
from .spec import ALLOW_NEWER, ApiSpec
from .user import SandboxUser

# The route modules register themselves with core (core imports neither of them).
from . import control, server  # noqa: E402, F401  isort: skip

__all__ = [
    "ALLOW_NEWER",
    "ApiCall",
    "ApiError",
    "ApiSpec",
    "Fault",
    "RateLimited",
    "Sandbox",
    "SandboxChat",
    "SandboxUser",
    "StoredFile",
    "StoredMessage",
    "Violation",
    "serve",
]


async def serve(host: str = "127.0.0.1", port: int = 8081, **kwargs: object) -> None:
    """Run a sandbox until cancelled (used by ``python -m bot.sandbox``)."""
    from .__main__ import serve as _serve

    await _serve(host, port, **kwargs)  # type: ignore[arg-type]
