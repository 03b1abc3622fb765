"""Config is validated data: YAML → pydantic model (extra="forbid"), with `key.sub=value` overrides."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from medllm.core.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def parse_overrides(items: list[str] | None) -> dict[str, Any]:
    """["a.b=1", "c=x"] → {"a": {"b": 1}, "c": "x"}; values are parsed as YAML scalars."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(
                f"override {item!r} is not key=value", fix="write --set train.lr=1e-4"
            )
        node = out
        parts = key.strip().split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {item!r} conflicts with another override")
        node[parts[-1]] = _scalar(raw, key)
    return out


def _scalar(raw: str, key: str = "") -> Any:
    """YAML scalar, plus what YAML 1.1 leaves as text but users mean as numbers (3e-4)."""
    value = (
        _load_yaml(raw, f"override {key!r}", fix="quote the value: --set 'key=\"...\"'")
        if raw.strip()
        else ""
    )
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(merged.get(k), dict):
            merged[k] = deep_merge(merged[k], v)
        else:
            merged[k] = v
    return merged


# libyaml's safe loader when PyYAML has it: it refuses nesting past 1,000 levels at once, where the
# pure-Python one recurses until Python's limit (~1 s for 1,000 levels of "[").
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str, where: str, fix: str | None = None) -> Any:
    """`yaml.safe_load`, or a ConfigError naming `where` (and the line): for a syntax error, and for
    what PyYAML raises past Python's limits (RecursionError on deep nesting, ValueError on an
    integer of more than 4,300 digits)."""
    try:
        return yaml.load(text, Loader=_LOADER)  # a safe loader (C or Python)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        one_line = where.startswith("override")  # libyaml marks the end: line 2 of one line
        at = f"{where}:{mark.line + 1}" if mark is not None and not one_line else where
        problem = getattr(e, "problem", None) or type(e).__name__
        raise ConfigError(f"{at}: invalid YAML ({problem})", fix=fix) from None
    except RecursionError:
        raise ConfigError(f"{where}: invalid YAML (nested too deeply to read)", fix=fix) from None
    except ValueError:  # int() of a number past sys.get_int_max_str_digits()
        fix = fix or "write long numbers as strings"
        raise ConfigError(f"{where}: invalid YAML (a number too long to read)", fix=fix) from None


def read_yaml(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: config file not found", fix="check the path")
    raw = p.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise ConfigError(
            f"{p}:{line}: not UTF-8 text (byte {col} of the line, {e.start + 1} of the file)",
            fix="save the file as UTF-8",
        ) from None
    data = _load_yaml(text, str(p))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: top level must be a mapping, got {type(data).__name__}")
    return data


def validate(data: dict[str, Any], model: type[M], *, origin: str = "config") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        loc = ".".join(str(x) for x in first["loc"]) or "<root>"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        fix = (
            _unknown_field_fix(str(first["loc"][-1]), model)
            if first["type"] == "extra_forbidden"
            else "see `medllm validate --help`"
        )
        raise ConfigError(f'{origin}: field "{loc}": {first["msg"]}{more}', fix=fix) from None


def _unknown_field_fix(name: str, model: type[BaseModel]) -> str:
    """ "remove it", with the field the user probably meant when one is close ("limt" → limit)."""
    close = difflib.get_close_matches(name, list(model.model_fields), n=1)
    return f"remove it, or did you mean {close[0]!r}?" if close else "remove it"


def load_config(
    path: str | Path | None,
    model: type[M],
    overrides: list[str] | dict[str, Any] | None = None,
) -> M:
    """Load YAML at `path` (or defaults when None), apply overrides, validate into `model`."""
    data = read_yaml(path) if path is not None else {}
    extra = overrides if isinstance(overrides, dict) else parse_overrides(overrides)
    return validate(deep_merge(data, extra), model, origin=str(path) if path else "config")
