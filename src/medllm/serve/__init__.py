"""Serving: `medllm serve` — an OpenAI-compatible API (FastAPI + uvicorn) over any backend, with a
grounded model id (`medllm-rag`, through `rag.answer`), output PHI checks, API keys, rate limits,
a bounded queue with backpressure, an audit log that holds only de-identified text, and metrics.

Public API: `create_app`, `ServeConfig`, `Engine`, `KeyStore`."""

from __future__ import annotations

from medllm.serve.app import RAG_MODEL, create_app
from medllm.serve.config import ServeConfig
from medllm.serve.engine import Busy, Engine
from medllm.serve.security import KeyStore

__all__ = ["RAG_MODEL", "Busy", "Engine", "KeyStore", "ServeConfig", "create_app"]
