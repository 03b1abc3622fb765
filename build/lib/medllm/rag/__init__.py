"""Grounded answering over the knowledge base: numbered sources, citations, support check, abstention.

`answer(question, model, retriever)` → `RagAnswer`; `RagModel(inner, retriever)` is a `Model` that
adds retrieved sources to every prompt (the evaluation harness's `rag` axis, `rag:<inner spec>`).
"""

from __future__ import annotations

from medllm.rag.grounded import RagAnswer, RagSettings, answer
from medllm.rag.model import RagModel

__all__ = ["RagAnswer", "RagModel", "RagSettings", "answer"]
