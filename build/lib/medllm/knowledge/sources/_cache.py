"""Pickle cache of parsed vocabularies, keyed by the source files' size and mtime.

Parsing the ICD-10-CM XML or the HPO files takes seconds; unpickling takes a fraction of that.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from medllm.core import atomic_open, cache_dir

T = TypeVar("T")

# Bump when a parser's output changes shape, so stale pickles are ignored.
PARSER_VERSION = "3"


def _key(name: str, paths: Sequence[Path]) -> str:
    h = hashlib.sha256(f"{name}:{PARSER_VERSION}".encode())
    for p in paths:
        st = p.stat()
        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def cached(name: str, paths: Sequence[Path], build: Callable[[], T]) -> T:
    """`build()` once per version of the files in `paths`; later calls load the pickle."""
    target = cache_dir() / "parsed" / f"{name}-{_key(name, paths)}.pkl"
    if target.is_file():
        try:
            with target.open("rb") as f:
                return pickle.load(f)  # type: ignore[no-any-return]
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass  # a torn or stale file: rebuild below
    value = build()
    with atomic_open(target, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    return value
