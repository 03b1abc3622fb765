"""Grounded answering over the knowledge base: numbered sources, citations, support check, abstention.

`answer(question, model, retriever)` → `RagAnswer`; `RagModel(inner, retriever)` is a `Model` that
adds retrieved sources to every prompt (the evaluation harness's `rag` axis, `rag:<inner spec>`).
With `RagSettings(tools=True)` an agent step first runs the knowledge-base tools a router picks
(`run_tools`; registries `tools` and `routers`, via `medllm.core.get_registry`), whose results
are numbered sources too.
"""

from __future__ import annotations

from medllm.rag.grounded import RagAnswer, RagSettings, answer
from medllm.rag.model import RagModel
from medllm.rag.prompt import Source, sources_block
from medllm.rag.tools import RuleRouter, ToolCall, run_tools

__all__ = [
    "RagAnswer",
    "RagModel",
    "RagSettings",
    "RuleRouter",
    "Source",
    "ToolCall",
    "answer",
    "run_tools",
    "sources_block",
]
