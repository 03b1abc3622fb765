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
    """Named things of one kind. `kind` is a plural noun (what `medllm ls KIND` lists); messages
    about one entry use its singular ("unknown backend 'x'")."""

    def __init__(self, kind: str, description: str = "") -> None:
        if not kind.endswith("s"):
            raise ValueError(f"registry kind {kind!r}: use a plural noun (`medllm ls {kind}s`)")
        self.kind = kind
        self.item = kind[:-1]
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
        if name not in self:  # a stage above may register it: import every stage's registrations
            load_builtin_registries()
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
            f"unknown {self.item} {name!r}" + (f"; {hint}" if hint else ""),
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
    if kind not in REGISTRIES and f"{kind}s" in REGISTRIES:  # the singular names one entry's kind
        kind = f"{kind}s"
    if kind not in REGISTRIES:
        close = difflib.get_close_matches(kind, list(REGISTRIES), n=3)
        raise UnknownNameError(
            f"unknown registry {kind!r}"
            + (f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""),
            fix=f"use one of: {', '.join(sorted(REGISTRIES))}",
        )
    return REGISTRIES[kind]


# Stages announce their registration modules (light: entries inside are lazy) as entry points of
# this group in pyproject.toml, so this ground floor names none of the stages above it.
ENTRY_POINTS = "medllm.registries"
_LOADED = False


def import_optional(module: str) -> Any | None:
    """Import `module`, or None when it (or its stage package) is absent; other errors propagate."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name and (module == e.name or module.startswith(e.name + ".")):
            return None
        raise


def load_builtin_registries() -> None:
    """Import every installed stage's registration module; a stage not installed adds nothing."""
    from importlib.metadata import entry_points

    global _LOADED
    if _LOADED:
        return
    found = entry_points(group=ENTRY_POINTS)
    if not found:
        raise MedllmError(
            "no medllm stage is registered (the package's entry points are missing)",
            fix="install medllm (`make setup`, or pip install -e .), not only put src/ on the path",
        )
    _LOADED = True  # set first: a registration module that looks a name up must not recurse
    for ep in found:
        import_optional(ep.value)
