"""Shared records, config loading, registries, errors, packaged assets and JSONL I/O."""

from __future__ import annotations

from medllm.core.assets import locate
from medllm.core.config import load_config, parse_overrides
from medllm.core.errors import (
    AssetError,
    CapabilityError,
    ConfigError,
    ContextLengthError,
    DataError,
    MedllmError,
    ModelError,
)
from medllm.core.private import owner_only
from medllm.core.records import ChatMessage, Chunk, Document, Hit, Prediction, Question, Span
from medllm.core.registry import Registry

__all__ = [
    "AssetError",
    "CapabilityError",
    "ChatMessage",
    "Chunk",
    "ConfigError",
    "ContextLengthError",
    "DataError",
    "Document",
    "Hit",
    "MedllmError",
    "ModelError",
    "Prediction",
    "Question",
    "Registry",
    "Span",
    "load_config",
    "locate",
    "owner_only",
    "parse_overrides",
]
