from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core.errors import ModelError
from medllm.core.registry import UnknownNameError
from medllm.models import load_model, parse_spec


def test_parse_spec_parts() -> None:
    spec, opts = parse_spec("openai:http://127.0.0.1:8000/v1#med-7b?timeout=5")
    assert (spec.backend, spec.target, spec.name, opts) == (
        "openai",
        "http://127.0.0.1:8000/v1",
        "med-7b",
        {"timeout": "5"},
    )


def test_spec_without_backend() -> None:
    with pytest.raises(ModelError, match="backend:target"):
        parse_spec("smollm2")


def test_unknown_backend_suggests() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'llamacpp'"):
        load_model("llamacp:default")


def test_missing_gguf_file(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_model(f"llamacpp:{tmp_path / 'none.gguf'}")


def test_not_a_gguf_file(tmp_path: Path) -> None:
    f = tmp_path / "x.gguf"
    f.write_bytes(b"PK\x03\x04 not gguf")
    with pytest.raises(ModelError, match="not a GGUF file"):
        load_model(f"llamacpp:{f}")


def test_missing_hf_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        load_model(f"hf:{tmp_path / 'nothing'}")


def test_openai_needs_url() -> None:
    with pytest.raises(ModelError, match="base URL"):
        load_model("openai:localhost")
