"""Backend registry. Each entry is a factory `(ModelSpec, ModelConfig) -> Model`, imported lazily."""

from __future__ import annotations

from typing import Any

from medllm.core.registry import Registry

backends: Registry[Any] = Registry("backends", "model backends for model specs backend:target")
backends.register_lazy("llamacpp", "medllm.models.llamacpp:load")
backends.register_lazy("hf", "medllm.models.hf:load")
backends.register_lazy("openai", "medllm.models.openai_compat:load")
backends.register_lazy("rag", "medllm.rag.model:load")  # rag:<inner spec>, knowledge stage
