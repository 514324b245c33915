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
    for name in ("TelegramObject", "MutableTelegramObject", "TelegramMethod"):
        cls = getattr(module, name, None)
        if cls is not None:
            cls.model_config["defer_build"] = True


def _share_namespace(module: ModuleType) -> None:
    """Every aiogram.types module gets every type name (what the import-time rebuild
    passed as ``_types_namespace``), so a model built later resolves its forward
    references, also when it is built as a part of another model (a method)."""
    from typing import Literal, Optional, Union

    namespace: dict[str, Any] = {
        "List": list,
        "Optional": Optional,
        "Union": Union,
        "Literal": Literal,
    }
    default = getattr(sys.modules.get("aiogram.client.default"), "Default", None)
    if default is not None:
        namespace["Default"] = default
    namespace.update(
        {
            name: getattr(module, name)
            for name in getattr(module, "__all__", ())
            if hasattr(module, name)
        }
    )
    for name, submodule in list(sys.modules.items()):
        if submodule is not None and name.startswith(("aiogram.types.", "aiogram.methods.")):
            for key, value in namespace.items():
                submodule.__dict__.setdefault(key, value)


def _record_instead_of_rebuild() -> Any:
    from pydantic import BaseModel

    original = BaseModel.__dict__["model_rebuild"]

    @classmethod  # type: ignore[misc]
    def record(cls: Any, *, _types_namespace: Any = None, **kwargs: Any) -> None:
        if _types_namespace is None:
            return original.__func__(cls, **kwargs)
        cls.__pydantic_parent_namespace__ = {
            **(cls.__pydantic_parent_namespace__ or {}),
            **_types_namespace,
        }
        return None

    BaseModel.model_rebuild = record  # type: ignore[method-assign]

    def undo() -> None:
        BaseModel.model_rebuild = original  # type: ignore[method-assign]

    return undo


def _share_methods_namespace(_module: ModuleType) -> None:
    types = sys.modules.get("aiogram.types")
    if types is not None:
        _share_namespace(types)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Any, target: Any = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in (
            "aiogram.types.base",
            "aiogram.types",
            "aiogram.methods",
            "aiogram.methods.base",
        ):
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = (
                finder.find_spec(fullname, path, target) if hasattr(finder, "find_spec") else None
            )
            if spec is not None and spec.loader is not None:
                if fullname in ("aiogram.types.base", "aiogram.methods.base"):
                    spec.loader = _Loader(spec.loader, after=_defer_base)
                elif fullname == "aiogram.types":
                    spec.loader = _Loader(
                        spec.loader, after=_share_namespace, before=_record_instead_of_rebuild
                    )
                else:
                    spec.loader = _Loader(spec.loader, after=_share_methods_namespace)
                return spec
        return None


def install() -> None:
    """Idempotent; ``VILLAGEBOT_EAGER_TYPES=1`` turns it off (to compare, or to debug)."""
    global _installed
    if _installed or "aiogram" in sys.modules or os.environ.get("VILLAGEBOT_EAGER_TYPES") == "1":
        return
    sys.meta_path.insert(0, _Finder())
    _installed = True
