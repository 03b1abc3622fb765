"""A small registry for the things users add: backends, recognizers, tasks, metrics, retrievers...

Entries register with a decorator, or lazily as "module:attr" so heavy imports wait until used.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from medllm.core.errors import MedllmError

T = TypeVar("T")

# Every registry by name, for `medllm ls <registry>`.
REGISTRIES: dict[str, Registry[Any]] = {}


class UnknownNameError(MedllmError):
    """A name that is not in a registry."""


class Registry(Generic[T]):
    def __init__(self, kind: str, description: str = "") -> None:
        self.kind = kind
        self.description = description
        self._items: dict[str, T] = {}
        self._lazy: dict[str, str] = {}
        REGISTRIES[kind] = self

    def register(self, name: str) -> Callable[[T], T]:
        def deco(obj: T) -> T:
            self._items[name] = obj
            self._lazy.pop(name, None)
            return obj

        return deco

    def register_lazy(self, name: str, target: str) -> None:
        """Register `target` = "package.module:attr", imported on first `get`."""
        if name not in self._items:
            self._lazy[name] = target

    def get(self, name: str) -> T:
        if name in self._items:
            return self._items[name]
        if name in self._lazy:
            module, _, attr = self._lazy[name].partition(":")
            obj = getattr(importlib.import_module(module), attr)
            self._items[name] = obj
            return obj  # type: ignore[no-any-return]
        close = difflib.get_close_matches(name, self.names(), n=3)
        hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownNameError(
            f"unknown {self.kind} {name!r}" + (f"; {hint}" if hint else ""),
            fix=f"use one of: {', '.join(self.names())}",
        )

    def names(self) -> list[str]:
        return sorted({*self._items, *self._lazy})

    def __contains__(self, name: object) -> bool:
        return name in self._items or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


def get_registry(kind: str) -> Registry[Any]:
    """The registry called `kind`, after importing the modules that fill the built-in ones."""
    load_builtin_registries()
    if kind not in REGISTRIES:
        close = difflib.get_close_matches(kind, list(REGISTRIES), n=3)
        raise UnknownNameError(
            f"unknown registry {kind!r}" + (f"; did you mean {', '.join(close)}?" if close else ""),
            fix=f"use one of: {', '.join(sorted(REGISTRIES))}",
        )
    return REGISTRIES[kind]


# Modules whose import fills a registry; light ones only (entries inside them are lazy).
_REGISTRY_MODULES = (
    "medllm.models.registry",
    "medllm.core.schemas",
    "medllm.knowledge.registry",
    "medllm.privacy.registry",
    "medllm.evaluate.registry",
    "medllm.train.registry",
    "medllm.serve.registry",
    "medllm.federated.registry",
    "medllm.vision.registry",
)


def import_optional(module: str) -> Any | None:
    """Import `module`, or None when it (or its stage package) is absent; other errors propagate."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            return None
        raise


def load_builtin_registries() -> None:
    """A stage that is not installed simply contributes nothing."""
    for mod in _REGISTRY_MODULES:
        import_optional(mod)
