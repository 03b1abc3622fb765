"""Backend registry. Each entry is a factory `(ModelSpec, ModelConfig) -> Model`, imported lazily.

Stages above add backends of their own (rag/registry.py adds `rag:<inner spec>`)."""

from __future__ import annotations

from typing import Any

from medllm.core import Registry, schemas

backends: Registry[Any] = Registry("backends", "model backends for model specs backend:target")
backends.register_lazy("llamacpp", "medllm.models.llamacpp:load")
backends.register_lazy("hf", "medllm.models.hf:load")
backends.register_lazy("openai", "medllm.models.openai_compat:load")
schemas.register_lazy("model", "medllm.models.spec:ModelConfig")
