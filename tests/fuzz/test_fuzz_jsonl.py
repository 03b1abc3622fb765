"""Fuzz the core JSONL reader (`read_jsonl`, `parse_line`, `decode_line`): any bytes give
(line, object) pairs or a DataError naming the file and line; never a json / codec traceback."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import DataError, decode_line, parse_json, parse_line, read_jsonl

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=5), c, max_size=3),
    max_leaves=10,
)
LINE = st.one_of(
    JSON.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["id", "text", "question"]), JSON).map(
        lambda v: json.dumps(v).encode()
    ),
    st.binary(max_size=80),
    st.text(max_size=80).map(lambda t: t.encode("utf-8", "surrogatepass")),
)


def test_any_bytes_as_jsonl(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    @fuzz
    @given(
        st.lists(LINE | nasty, max_size=6).map(b"\n".join),
        st.sampled_from([(), ("id",), ("id", "text")]),
    )
    def prop(raw: bytes, required: tuple[str, ...]) -> None:
        path = tmp_path / "x.jsonl"
        path.write_bytes(raw)
        try:
            rows = list(read_jsonl(path, required=required))
        except DataError as e:
            assert e.path == str(path) and e.line is not None
            return
        assert all(isinstance(obj, dict) and set(required) <= set(obj) for _, obj in rows)
        assert [n for n, _ in rows] == sorted({n for n, _ in rows})

    prop()


def test_any_line(fuzz: Any, nasty: Any) -> None:
    @fuzz
    @given(LINE | nasty, st.integers(1, 10**6))
    def prop(raw: bytes, lineno: int) -> None:
        try:
            obj = parse_line("x.jsonl", lineno, decode_line("x.jsonl", lineno, raw))
        except DataError as e:
            assert e.line == lineno
            return
        assert isinstance(obj, dict)
        with contextlib.suppress(DataError):
            parse_json("x.json", raw.decode("utf-8", "replace"))

    prop()
