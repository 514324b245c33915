"""A local stand-in for the Zalo Bot Platform (``bot-api.zaloplatforms.com``).

It speaks the API as its public docs describe it (see ``/work/shared/zalo-bot-api.md``
and the README's Zalo section): ``/bot<TOKEN>/<method>``, the envelope
``{ok, result, description, error_code}``, the nine methods and their limits, and
refuses what the platform does not have (buttons, parse modes, edits, documents)
so the bot cannot rely on it by accident. Used by the e2e tests and ``make run``.
"""

from bot.sandbox.zalo.server import ZaloGroup, ZaloSandbox, ZaloUser

__all__ = ["ZaloGroup", "ZaloSandbox", "ZaloUser"]
