"""Grounded answering over the knowledge base: numbered sources, citations, support check, abstention.

`answer(question, model, retriever)` → `RagAnswer`; `RagModel(inner, retriever)` is a `Model` that
adds retrieved sources to every prompt (the evaluation harness's `rag` axis, `rag:<inner spec>`).
With `RagSettings(tools=True)` an agent step first runs the knowledge-base tools a router picks
(`run_tools`; registries `tools` and `routers`, via `medllm.core.get_registry`), whose results
are numbered sources too. `check_answer` checks an answer claim by claim (rag/claims.py).
"""

from __future__ import annotations

from medllm.rag.claims import CheckerSettings, ClaimCheck, check_answer, check_claim, split_claims
from medllm.rag.grounded import Prepared, RagAnswer, RagSettings, answer, decide, prepare
from medllm.rag.model import RagModel
from medllm.rag.prompt import Source, sources_block
from medllm.rag.tools import RuleRouter, ToolCall, run_tools

__all__ = [
    "CheckerSettings",
    "ClaimCheck",
    "Prepared",
    "RagAnswer",
    "RagModel",
    "RagSettings",
    "RuleRouter",
    "Source",
    "ToolCall",
    "answer",
    "check_answer",
    "check_claim",
    "decide",
    "prepare",
    "run_tools",
    "sources_block",
    "split_claims",
]
