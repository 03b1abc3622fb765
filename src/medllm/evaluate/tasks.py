"""Find a task's spec and load its items: `load_task("mmlu_medical")` → list[Question]."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medllm.core import ConfigError, Question, deep_merge, parse_overrides, read_yaml, validate
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
        raise ConfigError(f'{path}: field "kind": expected "task", got {kind!r}')
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
    items, pool = loaders.get(spec.loader)(spec)  # type: ignore[operator]
    seed = int(spec.options.get("seed", 0))
    return medhalt.apply(spec.variant, items, seed), medhalt.apply(spec.variant, pool, seed)


def load_task(name: str, overrides: list[str] | dict[str, Any] | None = None) -> list[Question]:
    """The items of task `name`, in their frozen order."""
    items, _ = load_items(get_spec(name, overrides))
    return items
