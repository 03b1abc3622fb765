"""Fuzz config loading: any bytes as a YAML file, any `--set` overrides, and YAML documents of every
config kind (`medllm validate`: deid, knowledge, sft, cpt, dpo, eval, study, ...) built from each
schema's own field names with random values give a validated config or a ConfigError (a
MedllmError); never a pydantic or YAML traceback."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from medllm.core import (
    MedllmError,
    load_any,
    load_builtin_registries,
    parse_overrides,
    read_yaml,
    schemas,
)

load_builtin_registries()
KINDS = schemas.names()
YAMLISH = st.lists(
    st.sampled_from(
        [
            "a: 1",
            "- x",
            "  b: [1, 2",
            "kind: deid",
            "&a x",
            "*a",
            "!!python/object:os.system",
            "? [a]",
            ": ",
            "'",
            '"\\x"',
            "---",
            "...",
            "%YAML 1.1",
            "{",
            "a: !!binary AA=",
            "x: 1e999",
            "t: 2024-02-30",
        ]
    )
    | st.text(max_size=30),
    max_size=8,
).map("\n".join)
SCALAR = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=15)
    | st.sampled_from(
        [
            "1e-4",
            "-1",
            "0",
            "auto",
            "llamacpp:default",
            "hf:x?n_ctx=abc",
            "redact",
            "+name",
            "-ssn",
            "../x",
            "~",
        ]
    )
)


def _fields(model: type[BaseModel]) -> list[str]:
    """The schema's own field names and those of its nested models (`train.lr`)."""
    names = []
    for name, info in model.model_fields.items():
        names.append(name)
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            names += [f"{name}.{sub}" for sub in ann.model_fields]
    return names


def _value() -> st.SearchStrategy[Any]:
    return st.recursive(
        SCALAR,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
        max_leaves=6,
    )


@st.composite
def config_doc(draw: st.DrawFn) -> tuple[str, str]:
    """(kind, YAML text): a mapping of that kind's field names (and a few others) to values."""
    kind = draw(st.sampled_from(KINDS))
    names = _fields(schemas.get(kind)) or [
        "distributed_type"
    ]  # accelerate: checked by accelerate, no fields
    data: dict[str, Any] = {"kind": kind}
    for key in draw(st.lists(st.sampled_from(names) | st.text(max_size=6), max_size=6)):
        node = data
        *parents, last = key.split(".")
        for p in parents:
            node = node.setdefault(p, {}) if isinstance(node.get(p, {}), dict) else {}
        node[last] = draw(_value())
    return kind, yaml.safe_dump(data, allow_unicode=True)


OVERRIDE = st.builds(
    "{}={}".format,
    st.text(max_size=12) | st.sampled_from(["a.b", "seed", "model.spec", "transform", "..", "x."]),
    st.text(max_size=12) | st.sampled_from(["[1", "{a: 1}", "1e-4", "!!binary x", "*a", "&a"]),
) | st.text(max_size=20)


def test_any_bytes_as_a_yaml_file(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    @fuzz
    @given(st.binary(max_size=200) | YAMLISH.map(str.encode) | nasty)
    def prop(raw: bytes) -> None:
        path = tmp_path / "c.yaml"
        path.write_bytes(raw)
        try:
            assert isinstance(read_yaml(path), dict)
            load_any(path)
        except MedllmError:
            pass

    prop()


def test_any_overrides(fuzz: Any) -> None:
    @fuzz
    @given(st.lists(OVERRIDE, max_size=5))
    def prop(items: list[str]) -> None:
        with contextlib.suppress(MedllmError):
            assert isinstance(parse_overrides(items), dict)

    prop()


def test_every_config_kind(fuzz: Any, tmp_path: Path) -> None:
    @fuzz
    @given(config_doc(), st.lists(OVERRIDE, max_size=2))
    def prop(doc: tuple[str, str], overrides: list[str]) -> None:
        kind, text = doc
        path = tmp_path / "c.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            cfg = load_any(path, overrides)
        except MedllmError:
            return
        assert isinstance(cfg, schemas.get(kind))

    prop()
