"""Grounded answering over the knowledge base: numbered sources, citations, support check, abstention.

`answer(question, model, retriever)` → `RagAnswer`; `RagModel(inner, retriever)` is a `Model` that
adds retrieved sources to every prompt (the evaluation harness's `rag` axis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medllm.rag.answer import RagAnswer, RagSettings, answer
    from medllm.rag.model import RagModel

__all__ = ["RagAnswer", "RagModel", "RagSettings", "answer"]


def __getattr__(name: str) -> Any:
    # Lazy: `import medllm.rag` must not pull numpy-heavy modules for `medllm ls`.
    if name in ("answer", "RagAnswer", "RagSettings"):
        from medllm.rag import answer as _answer_mod

        return getattr(_answer_mod, name)
    if name == "RagModel":
        from medllm.rag.model import RagModel

        return RagModel
    raise AttributeError(name)
