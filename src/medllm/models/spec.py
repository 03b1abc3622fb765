"""Model specs as strings: `llamacpp:default`, `llamacpp:/x.gguf`, `hf:./models/smollm2`,
`openai:http://127.0.0.1:8000/v1#model-name`. Options go in `ModelConfig` (or `?k=v&k2=v2`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel, ConfigDict, Field

from medllm.core import ConfigError, MedllmError, ModelError, validate
from medllm.models.base import Model
from medllm.models.registry import backends

DEFAULT_SPEC = "llamacpp:default"


class ModelConfig(BaseModel):
    """Which model to load and how."""

    model_config = ConfigDict(extra="forbid")

    spec: str = Field(
        DEFAULT_SPEC, description="backend:target, e.g. llamacpp:default, hf:./models/smollm2"
    )
    n_ctx: int = Field(4096, ge=128, description="context window to allocate (llamacpp)")
    n_threads: int | None = Field(
        None, ge=1, description="CPU threads (llamacpp); default: all cores"
    )
    n_batch: int = Field(512, ge=1, description="prompt-processing batch size (llamacpp)")
    prefix_cache: bool = Field(
        False,
        description="llamacpp: keep the KV cache of the prompt prefix shared with the previous "
        "generation (faster; greedy output may then differ in rare cases from a fresh start, so "
        "off for evaluation; `medllm serve` turns it on)",
    )
    device: str = Field("auto", description="hf: cpu, cuda, cuda:1 or auto")
    dtype: str = Field("auto", description="hf: float32, bfloat16, float16 or auto (fp32 on CPU)")
    adapter: str | None = Field(None, description="hf: a PEFT adapter folder applied on top")
    batch_size: int = Field(8, ge=1, description="hf: sequences per forward pass when scoring")
    api_key: str | None = Field(
        None, description="openai: API key (default: $OPENAI_API_KEY or 'none')"
    )
    timeout: float = Field(60.0, gt=0, description="openai: request timeout in seconds")
    tools: bool = Field(
        False,
        description="rag: run the knowledge-base tools (ICD-10-CM, HPO, differential, disease, "
        "MeSH, WHO EML lookups) before retrieval, e.g. rag:llamacpp:default?tools=true",
    )

    def check_names(self) -> None:
        """`medllm validate`: the spec parses, its options are valid, its backend exists."""
        try:
            resolve_spec(self)
        except MedllmError as e:
            raise ConfigError(f'field "spec": {e.message}', fix=e.fix) from None


@dataclass(frozen=True)
class ModelSpec:
    backend: str
    target: str
    name: str = ""


def parse_spec(spec: str) -> tuple[ModelSpec, dict[str, Any]]:
    """'openai:http://h/v1#m?api_key=x' → (ModelSpec('openai', 'http://h/v1', 'm'), {'api_key': 'x'})."""
    backend, sep, rest = spec.partition(":")
    if not sep or not backend or not rest:
        raise ModelError(
            f"model spec {spec!r} is not backend:target",
            fix=f"write e.g. llamacpp:default, hf:./models/smollm2 (backends: {', '.join(backends.names())})",
        )
    rest, _, query = rest.partition("?")
    target, _, name = rest.partition("#")
    pairs = parse_qsl(query, keep_blank_values=True)  # `?n_ctx` alone would vanish otherwise
    for key, value in pairs:
        if not value:
            raise ModelError(
                f"model spec option {key!r} has no value",
                fix=f"write {key}=VALUE after '?', options joined by '&'",
            )
    return ModelSpec(backend, target, name), dict(pairs)


def resolve_spec(
    spec: str | ModelConfig = DEFAULT_SPEC, **options: Any
) -> tuple[ModelSpec, ModelConfig]:
    """The parsed spec and its validated config (query parameters and keyword options applied),
    without loading anything: a bad spec, option or backend name fails here."""
    cfg = spec if isinstance(spec, ModelConfig) else validate({"spec": spec}, ModelConfig)
    parsed, query = parse_spec(cfg.spec)
    cfg = validate(
        {**cfg.model_dump(), **query, **options},
        ModelConfig,
        origin=f"model spec {parsed.backend}:...",
    )
    backends.get(parsed.backend)  # an unknown backend fails here, with "did you mean"
    return parsed, cfg


def load_model(spec: str | ModelConfig = DEFAULT_SPEC, **options: Any) -> Model:
    """Load a model from a spec string or a `ModelConfig`; keyword options override the config."""
    parsed, cfg = resolve_spec(spec, **options)
    factory = backends.get(parsed.backend)
    return factory(parsed, cfg)  # type: ignore[no-any-return]
