"""Cache of parsed vocabularies in `<medllm cache>/parsed/`, keyed by the source files' size and mtime.

Parsing the ICD-10-CM XML or the HPO files takes seconds; reading the cache a fraction of that.
The cache is JSON (each record a list of its field values) read back into the record type the
caller names, so a planted or damaged file in $MEDLLM_CACHE can at worst fail to parse (then the
sources are parsed again); it can never run code, as a pickle could.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import typing
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from medllm.core import atomic_open, cache_dir

T = TypeVar("T")
Read = Callable[[Any], Any]

# Bump when a parser's output changes shape, so stale caches are ignored.
PARSER_VERSION = "5"


def _key(name: str, paths: Sequence[Path]) -> str:
    h = hashlib.sha256(f"{name}:{PARSER_VERSION}".encode())
    for p in paths:
        st = p.stat()
        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def cached(name: str, paths: Sequence[Path], build: Callable[[], T], record: type) -> T:
    """`build()` once per version of the files in `paths`; later calls read the cache. `build`
    returns a list of `record`s or a dict of them by str key (frozen dataclasses)."""
    target = cache_dir() / "parsed" / f"{name}-{_key(name, paths)}.json"
    if target.is_file():
        try:
            return _load(target, record)  # type: ignore[no-any-return]
        except (OSError, ValueError, TypeError, KeyError):
            pass  # a torn, stale or foreign file: rebuild below
    value = build()
    with atomic_open(target) as f:
        json.dump(_encode_top(value), f, ensure_ascii=False, separators=(",", ":"))
    return value


def _encode_top(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {"dict": {str(k): _encode(v) for k, v in value.items()}}
    return {"list": [_encode(v) for v in value]}


def _encode(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return [_encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    if isinstance(obj, tuple | list):
        return [_encode(x) for x in obj]
    return obj


def _load(path: Path, record: type) -> Any:
    # Millions of new objects and nothing to collect: the cyclic GC would rescan them all again
    # and again (3× the time of json.loads on ICD-10-CM).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _decode(json.loads(path.read_text(encoding="utf-8")), record)
    finally:
        if enabled:
            gc.enable()


def _decode(data: dict[str, Any], record: type) -> Any:
    read = _record_reader(record)
    if set(data) == {"dict"}:
        return {k: read(v) for k, v in data["dict"].items()}
    if set(data) == {"list"}:
        return [read(v) for v in data["list"]]
    raise KeyError("list or dict")


@cache
def _reader(tp: Any) -> Read | None:
    """JSON value → `tp` for the field types records use (dataclasses, tuples, str/int/float/bool);
    None where the JSON value is already it (a scalar)."""
    if tp in (str, int, float, bool):
        return None
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _record_reader(tp)
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _reader(args[0])
            return tuple if item is None else lambda v: tuple(map(item, v))
        if all(_reader(a) is None for a in args):
            return _pair_reader(len(args))
    raise TypeError(f"a cached record field cannot be of type {tp!r}")


def _record_reader(tp: type) -> Read:
    """Row (field values in order) → record; only the fields that are not scalars are converted."""
    hints = typing.get_type_hints(tp)
    fields = dataclasses.fields(tp)
    convert = [(i, r) for i, f in enumerate(fields) if (r := _reader(hints[f.name])) is not None]

    def read(row: list[Any]) -> Any:
        if len(row) != len(fields):
            _wrong(row)
        for i, r in convert:
            row[i] = r(row[i])
        return tp(*row)

    return read


def _pair_reader(n: int) -> Read:
    """A fixed-length tuple of scalars, such as (character, meaning)."""

    def read(v: list[Any]) -> tuple[Any, ...]:
        if len(v) != n:
            _wrong(v)
        return tuple(v)

    return read


def _wrong(value: Any) -> Any:
    raise ValueError(f"cached value of the wrong shape ({type(value).__name__})")
