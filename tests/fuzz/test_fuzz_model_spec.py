"""Fuzz model specs (`backend:target#name?key=value&...`, as given to --model): any string, and
specs with random query parameters named after `ModelConfig`'s fields, parse and validate into a
spec and config (`resolve_spec`, which loads nothing) or fail with a MedllmError."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import MedllmError, load_builtin_registries
from medllm.models import ModelConfig, backends
from medllm.models.spec import resolve_spec

# every stage's registrations and each backend imported once, so no case is timed on an import
load_builtin_registries()
for _name in backends.names():
    backends.get(_name)

BACKEND = st.sampled_from(["llamacpp", "hf", "openai", "rag", "tiny", "HF", ""]) | st.text(
    max_size=6
)
TARGET = st.sampled_from(
    ["default", "./models/x", "http://127.0.0.1:8000/v1", "/x.gguf", "", "llamacpp:default"]
) | st.text(max_size=12)
VALUE = st.sampled_from(
    ["abc", "-1", "0", "1e9", "true", "nan", "inf", "", "99999999999999999999999", "[1]", "None"]
) | st.text(max_size=8)
PAIR = st.builds(
    lambda k, v, enc: f"{k}={quote(v) if enc else v}",
    st.sampled_from(sorted(ModelConfig.model_fields)) | st.text(max_size=5),
    VALUE,
    st.booleans(),
)
SPEC = st.builds(
    lambda b, t, name, q: f"{b}:{t}{'#' + name if name else ''}{'?' + '&'.join(q) if q else ''}",
    BACKEND,
    TARGET,
    st.text(max_size=5),
    st.lists(PAIR, max_size=4),
)


def test_any_model_spec(fuzz: Any) -> None:
    @fuzz
    @given(SPEC | st.text(max_size=40))
    def prop(spec: str) -> None:
        try:
            parsed, cfg = resolve_spec(spec)
        except MedllmError:
            return
        assert spec.startswith(parsed.backend + ":") and isinstance(cfg, ModelConfig)

    prop()


# keyword options of `load_model(spec, **options)`; `spec` itself is the positional argument
OPTION = (st.sampled_from(sorted(ModelConfig.model_fields)) | st.text(max_size=5)).filter(
    lambda k: k != "spec"
)


def test_any_keyword_options(fuzz: Any) -> None:
    @fuzz
    @given(
        st.dictionaries(
            OPTION,
            st.none() | st.integers() | st.floats() | st.text(max_size=8) | st.booleans(),
            max_size=3,
        )
    )
    def prop(options: dict[str, Any]) -> None:
        with contextlib.suppress(MedllmError):
            resolve_spec("llamacpp:default", **options)

    prop()
