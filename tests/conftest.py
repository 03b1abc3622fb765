"""Shared fixtures: a tiny random Llama (unit tests) and the real embedded model (integration)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(scope="session")
def tiny_model() -> Any:
    """`hf` backend over a ~3M-parameter random Llama with the real SmolLM2 tokenizer."""
    from medllm.models.tiny import tiny_hf_model

    return tiny_hf_model(0)


@pytest.fixture(scope="session")
def default_model() -> Iterator[Any]:
    """The real embedded SmolLM2-135M through llama.cpp (loads in ~0.2 s)."""
    from medllm.models import load_model

    model = load_model("llamacpp:small", n_ctx=2048)
    yield model
    model.close()


@pytest.fixture(scope="session")
def default_hf_model() -> Any:
    """The real embedded model converted to a transformers folder (converted once, then cached)."""
    from medllm.models import load_model

    return load_model("hf:small")


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random Llama saved as an HF folder, so recipes and studies load it like any model."""
    from medllm.models.tiny import tiny_llama

    out = tmp_path_factory.mktemp("tiny-llama")
    model, tok = tiny_llama(0)
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture()
def sft_file(tmp_path: Path) -> Path:
    """Synthetic instruction data in all three chat formats (no real patient data), for the
    recipes and the studies that train on it."""
    import json

    rows = [
        {
            "instruction": "What does ICD-10-CM code Z00.00 cover?",
            "input": "",
            "output": "A general adult exam.",
        },
        {
            "conversations": [
                {"from": "human", "value": "Name a symptom of anemia."},
                {"from": "gpt", "value": "Fatigue."},
            ]
        },
        {
            "messages": [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "What organ makes insulin?"},
                {"role": "assistant", "content": "The pancreas."},
            ]
        },
    ] * 8
    path = tmp_path / "sft.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
