"""villagebot: the bot process, its services and its sandbox."""

from bot.lazy_types import install as _install_lazy_types

_install_lazy_types()  # before anything imports aiogram: its types are built on first use
