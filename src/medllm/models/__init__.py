"""Model backends behind one interface: `load_model("llamacpp:default")`."""

from __future__ import annotations

from medllm.models.base import GenerationParams, LoglikRequest, LoglikResult, Model
from medllm.models.spec import ModelSpec, load_model, parse_spec

__all__ = [
    "GenerationParams",
    "LoglikRequest",
    "LoglikResult",
    "Model",
    "ModelSpec",
    "load_model",
    "parse_spec",
]
