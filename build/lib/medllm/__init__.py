"""medllm: turn an open LLM into an evaluated, knowledge-grounded, privacy-safe medical assistant."""

from __future__ import annotations

__version__ = "0.1.0"
