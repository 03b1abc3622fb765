"""Server configuration (validated; `kind: serve` in YAML, `configs/serve/default.yaml`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ServeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["serve"] = Field("serve", description="config kind (always 'serve')")
    model: str | None = Field(
        None,
        description="model spec (llamacpp:small|medium|large, llamacpp:FILE.gguf, hf:DIR, "
        "openai:URL#name for an upstream server such as vLLM); unset = the large tier when "
        "installed, else the small one",
    )
    model_name: str = Field(
        "", description="the id clients ask for as the plain model; unset = the backend's id"
    )
    rag: bool = Field(True, description="also serve the grounded model id `medllm-rag`")
    host: str = Field("127.0.0.1", description="bind address; anything else is opt-in")
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0 = any free one)")
    keys_file: Path | None = Field(
        None,
        description="API keys, one per line as `key_id:secret` (the secret is hashed on load); "
        "also read from $MEDLLM_API_KEYS (comma-separated); none at all = no auth, localhost only",
    )
    audit_db: Path | None = Field(
        None, description="SQLite audit log; unset = <medllm cache>/serve/audit.sqlite"
    )
    workers: int = Field(
        1, ge=1, le=16, description="model instances generating at once (one context each)"
    )
    max_queue: int = Field(
        16, ge=0, description="requests waiting for a worker; more are refused with 503"
    )
    timeout_s: float = Field(120.0, gt=0, description="per-request limit, queueing included")
    max_body_bytes: int = Field(1_000_000, ge=1024, description="larger bodies get 413")
    rate_limit_per_min: int = Field(
        120, ge=1, description="requests per key per minute; more get 429 with Retry-After"
    )
    max_tokens: int = Field(512, ge=1, description="default and ceiling of max_tokens")
    triage: bool = Field(
        True,
        description="triage every chat message first: an emergency gets the fixed safety reply "
        "and a harmful request a refusal, neither reaches the model; an urgent one gets a "
        "same-day-care notice after the answer",
    )
    output_phi_scan: bool = Field(
        True,
        description="scan every answer for PHI with the privacy stage's detectors and redact "
        "what they find (a stream is scanned a sentence at a time)",
    )
    cors_origins: list[str] = Field(
        default_factory=list, description="origins allowed by CORS; empty = CORS closed"
    )
