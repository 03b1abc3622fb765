"""Find a task's spec and load its items: `load_task("mmlu_medical")` → list[Question]."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Any

from medllm.core import (
    ConfigError,
    DataError,
    Question,
    deep_merge,
    parse_overrides,
    read_yaml,
    validate,
)
from medllm.evaluate import medhalt
from medllm.evaluate.registry import loaders, tasks
from medllm.evaluate.spec import TaskSpec


def get_spec(name: str, overrides: list[str] | dict[str, Any] | None = None) -> TaskSpec:
    """The spec of task `name` (a registered name or a path to a task YAML), with overrides."""
    path = Path(name)
    if not (name.endswith((".yaml", ".yml")) and path.is_file()):
        path = tasks.get(name)
    data = read_yaml(path)
    kind = data.pop("kind", "task")
    if kind != "task":
        raise ConfigError(
            f'{path}: field "kind": expected "task", got {kind!r}',
            fix=f"give a task YAML (kind: task); a {kind} config runs with its own command",
        )
    extra = overrides if isinstance(overrides, dict) else parse_overrides(overrides)
    spec = validate(deep_merge(data, extra), TaskSpec, origin=str(path))
    if spec.name != path.stem:
        raise ConfigError(
            f'{path}: field "name": {spec.name!r} differs from the file name',
            fix=f"name the file {spec.name}.yaml or set name: {path.stem}",
        )
    return spec


def load_items(spec: TaskSpec) -> tuple[list[Question], list[Question]]:
    """(items, few-shot pool) of a spec, with its Med-HALT variant applied."""
    load = loaders.get(spec.loader)
    options = _ReadKeys(spec.options)
    spec = spec.model_copy(update={"options": options})
    try:
        items, pool = load(spec)  # type: ignore[operator]
    except DataError as e:
        if e.fix:
            raise
        # a record of the wrong shape: say which format the file should have
        module = sys.modules.get(getattr(load, "__module__", ""))
        doc = " ".join((module.__doc__ or "").split(". ")[0].split()) if module else ""
        raise DataError(
            e.message, fix=f"the {spec.loader} loader reads {doc or 'its own format'}"
        ) from None
    seed = int(spec.options.get("seed", 0))
    unread = [k for k in options if k not in options.read]
    if unread:  # an option the loader never asks for would be dropped silently (a typo)
        close = difflib.get_close_matches(unread[0], sorted(options.read), n=1)
        raise ConfigError(
            f'task {spec.name!r}: field "options.{unread[0]}": not an option of the '
            f"{spec.loader} loader",
            fix=f"did you mean {close[0]!r}?"
            if close
            else f"remove it (it reads: {', '.join(sorted(options.read))})",
        )
    return medhalt.apply(spec.variant, items, seed), medhalt.apply(spec.variant, pool, seed)


class _ReadKeys(dict[str, Any]):
    """A task's options, noting which keys the loader reads: the loaders take options with
    `.get(key, default)`, so one a user misspelt (`n_option`) would otherwise be ignored."""

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def load_task(name: str, overrides: list[str] | dict[str, Any] | None = None) -> list[Question]:
    """The items of task `name`, in their frozen order."""
    items, _ = load_items(get_spec(name, overrides))
    return items
