"""The handler packages (issue 7, "Layout"): buttons already sent to people's chats carry
packed callback data, so a split must keep every prefix, and two features must never
share one (the first router would take the other's presses)."""

from __future__ import annotations

import importlib
import pkgutil

from aiogram.filters.callback_data import CallbackData

import handlers

# The prefixes of buttons in chats before the split; changing one strands those buttons.
BROADCASTS = {
    "bcb",
    "bce",
    "bcxy",
    "bcm",
    "bca",
    "bcw",
    "bcat",
    "bcd",
    "bct",
    "bco",
    "bcc",
    "bcs",
    "bcx",
}
CRITERIA = {"c"}


def _callback_classes() -> dict[type[CallbackData], str]:
    """Every CallbackData class defined in ``handlers`` (and the channel's "Đã nắm"
    button) with the module defining it."""
    found: dict[type[CallbackData], str] = {}
    names = [info.name for info in pkgutil.walk_packages(handlers.__path__, "handlers.")]
    for name in [*names, "bot.channels.telegram.preview"]:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, CallbackData)
                and value is not CallbackData
                and value.__module__ == module.__name__
            ):
                found[value] = module.__name__
    return found


def test_callback_data_lives_in_each_package_callbacks_module() -> None:
    classes = _callback_classes()
    for package, expected in (("handlers.broadcasts", BROADCASTS), ("handlers.criteria", CRITERIA)):
        own = {
            cls.__prefix__: module
            for cls, module in classes.items()
            if module.startswith(package + ".")
        }
        assert set(own) == expected
        assert set(own.values()) == {f"{package}.callbacks"}


def test_no_two_callback_classes_share_a_prefix() -> None:
    seen: dict[str, str] = {}
    for cls in _callback_classes():
        name = f"{cls.__module__}.{cls.__qualname__}"
        assert cls.__prefix__ not in seen, (
            f"{name} and {seen[cls.__prefix__]} share {cls.__prefix__!r}"
        )
        seen[cls.__prefix__] = name


def test_packed_buttons_from_before_the_split_still_parse() -> None:
    from handlers.broadcasts.callbacks import BcAt, BcCancelYes, BcShow
    from handlers.criteria.callbacks import Crit

    assert BcShow.unpack("bcs:42") == BcShow(id=42)
    assert BcCancelYes.unpack("bcxy:7") == BcCancelYes(id=7)
    assert BcAt.unpack("bcat:1:19:0") == BcAt(days=1, hour=19, minute=0)
    assert Crit.unpack("c:crit:ntm2021:5:") == Crit(a="crit", s="ntm2021", n=5)
