"""Build aiogram's pydantic models on first use instead of at import.

aiogram builds the validators of all of its ~300 Telegram types when it is
imported (``model_rebuild`` on each, in ``aiogram/types/__init__.py``): about
150 MiB and several seconds of a start-up where the bot uses a few dozen of them.
:func:`install` (called before anything imports aiogram) marks the base types
``defer_build`` and turns that import-time loop into recording the namespace each
model needs, so a type is built the first time it is validated or dumped.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from types import ModuleType
from typing import Any

_installed = False


class _Loader(importlib.abc.Loader):
    def __init__(self, wrapped: importlib.abc.Loader, after: Any, before: Any = None) -> None:
        self.wrapped = wrapped
        self.after = after
        self.before = before

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.wrapped.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        undo = self.before() if self.before else None
        try:
            self.wrapped.exec_module(module)
        finally:
            if undo:
                undo()
        if self.after:
            self.after(module)


def _defer_base(module: ModuleType) -> None:
    for name in ("TelegramObject", "MutableTelegramObject"):
        cls = getattr(module, name, None)
        if cls is not None:
            cls.model_config["defer_build"] = True


def _record_instead_of_rebuild() -> Any:
    from pydantic import BaseModel

    original = BaseModel.__dict__["model_rebuild"]

    @classmethod  # type: ignore[misc]
    def record(cls: Any, *, _types_namespace: Any = None, **kwargs: Any) -> None:
        if _types_namespace is None:
            return original.__func__(cls, **kwargs)
        cls.__pydantic_parent_namespace__ = {**(cls.__pydantic_parent_namespace__ or {}), **_types_namespace}
        return None

    BaseModel.model_rebuild = record  # type: ignore[method-assign]

    def undo() -> None:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]

    return undo


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname not in ("aiogram.types.base", "aiogram.types"):
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(fullname, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None:
                if fullname == "aiogram.types.base":
                    spec.loader = _Loader(spec.loader, after=_defer_base)
                else:
                    spec.loader = _Loader(spec.loader, after=None, before=_record_instead_of_rebuild)
                return spec
        return None


def install() -> None:
    """Idempotent; ``VILLAGEBOT_EAGER_TYPES=1`` turns it off (to compare, or to debug)."""
    global _installed
    if _installed or "aiogram" in sys.modules or os.environ.get("VILLAGEBOT_EAGER_TYPES") == "1":
        return
    sys.meta_path.insert(0, _Finder())
    _installed = True
