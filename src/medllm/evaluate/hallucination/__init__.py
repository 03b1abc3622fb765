"""S7 hallucination mitigation (`kind: hallucination`, `medllm study run`): none vs RAG vs
self-consistency abstention vs an uncertainty threshold vs RAG + abstention, on free-text
groundedness (claim-level, rag.check_answer), abstention on questions the knowledge base cannot
answer and fake ones, and Med-HALT-style tests; coverage / risk curves (docs/studies.md, S7)."""

from __future__ import annotations

from medllm.evaluate.hallucination.config import ARMS, HallucinationConfig
from medllm.evaluate.hallucination.study import run_hallucination

__all__ = ["ARMS", "HallucinationConfig", "run_hallucination"]
