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
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _LOADER(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, refusing a key given twice in one mapping: PyYAML keeps the last value
    silently (`limit: 5` then `limit: 50` is 50), so a typo'd config would run with a value the
    user did not mean. Hand-written because no PyYAML loader has the check."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                first = seen.get(key)
                seen.setdefault(key, line)
            except TypeError:  # an unhashable key: SafeConstructor reports it below
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    problem=f"key {key!r} given twice (lines {first} and {line})",
                    problem_mark=key_node.start_mark,
                )
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]


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
        if "given twice" in problem:
            fix = fix or "keep one of the two lines"
        raise ConfigError(
            f"{at}: invalid YAML ({problem})", fix=fix or "check the YAML syntax"
        ) from None
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
        raise ConfigError(
            f"{p}: top level must be a mapping, got {type(data).__name__}",
            fix="write `key: value` lines, starting with `kind: ...`",
        )
    return data


def validate(data: dict[str, Any], model: type[M], *, origin: str = "config") -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        errors = e.errors()
        # an unknown key first: a misspelt one ("loadr") is why the real one is "missing"
        # and a wrong `kind:` before both: the whole file is of another kind
        wrong_kind = [x for x in errors if tuple(x["loc"]) == ("kind",)]
        extra = [x for x in errors if x["type"] == "extra_forbidden"]
        first = (wrong_kind or extra or errors)[0]
        loc = ".".join(str(x) for x in first["loc"]) or "<root>"
        more = f" (and {e.error_count() - 1} more)" if e.error_count() > 1 else ""
        fix = (
            _unknown_field_fix(str(first["loc"][-1]), _model_at(model, first["loc"][:-1]))
            if first["type"] == "extra_forbidden"
            else "see `medllm validate --help`"
        )
        raise ConfigError(f'{origin}: field "{loc}": {first["msg"]}{more}', fix=fix) from None


def _model_at(model: type[BaseModel] | None, loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested pydantic model a location points into (`optim` of an sft config → its
    OptimConfig), or None when the path leaves the models (a list, a dict, a union)."""
    for part in loc:
        field = model.model_fields.get(str(part)) if model is not None else None
        ann = field.annotation if field is not None else None
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return model


def _unknown_field_fix(name: str, model: type[BaseModel] | None) -> str:
    """ "remove it", with the field the user probably meant when one is close ("limt" → limit)."""
    fields = list(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(name, fields, n=1)
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
