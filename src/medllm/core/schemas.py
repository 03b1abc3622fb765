"""Config kinds: the top-level `kind:` of a YAML file names the pydantic model that validates it.

Each stage registers its schemas here lazily from its own registry module; `medllm validate FILE` looks the kind up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from medllm.core.config import deep_merge, parse_overrides, read_yaml, validate
from medllm.core.errors import ConfigError
from medllm.core.registry import Registry

schemas: Registry[type[BaseModel]] = Registry("configs", "config kinds for `medllm validate`")


def load_any(path: str | Path, overrides: list[str] | None = None) -> BaseModel:
    """Validate a YAML file against the schema its `kind:` names."""
    data: dict[str, Any] = deep_merge(read_yaml(path), parse_overrides(overrides))
    kind = data.pop("kind", None)
    if kind is None and "distributed_type" in data and "accelerate" in schemas:
        kind = "accelerate"  # an `accelerate launch` file: accelerate refuses a `kind:` key
    if kind is None:
        raise ConfigError(
            f'{path}: field "kind" missing',
            fix=f"add `kind: <one of {', '.join(schemas.names())}>`",
        )
    schema = schemas.get(str(kind))
    check = getattr(schema, "check_data", None)
    if check is not None:  # a schema checked by another library's own rules (accelerate)
        return check(data, origin=str(path))  # type: ignore[no-any-return]
    cfg = validate(data, schema, origin=str(path))
    names = getattr(cfg, "check_names", None)
    if names is not None:  # registry names (transform, recognizers, sources, a model spec)
        names()
    return cfg
