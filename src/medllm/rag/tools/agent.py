"""The agent step: route the question, run the chosen tools, and turn what they found into
numbered sources (the same `Source` records retrieved chunks become, quarantined the same way).

Tool instances are made once per process (`tool(name)`), and each loads its vocabulary once, on
first use; see docs/rag.md for the load and call times.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from medllm.rag.prompt import Source, make_sources
from medllm.rag.tools.base import Found, ToolCall


@cache
def tool(name: str) -> Any:
    """The `tools` registry entry `name`, instantiated once per process."""
    from medllm.rag.registry import tools

    return tools.get(name)()


@cache
def router(name: str) -> Any:
    from medllm.rag.registry import routers

    return routers.get(name)()


NAMED_FLOOR = 0.5  # dev-tuned, see `named_score`


def named_score(score: float) -> float:
    """A name found in the vocabulary the question names ("mesh id for atorvastatin, for a pubmed
    search"): at least `NAMED_FLOOR`, whatever share of the question's words the name covers
    (the other words say what is wanted of it, not another name)."""
    return NAMED_FLOOR + (1.0 - NAMED_FLOOR) * score


@dataclass(frozen=True)
class ToolRun:
    calls: tuple[ToolCall, ...]
    sources: tuple[Source, ...]  # numbered from 1, best tool result first


def run_tools(
    question: str,
    route: Any = "rules",
    k: int = 3,
    max_chars: int = 1200,
    guard: bool = True,
) -> ToolRun:
    """At most `k` tool results for `question` (one entry once, best first) as sources."""
    chooser = router(route) if isinstance(route, str) else route
    calls = tuple(chooser.route(question))
    kept: dict[str, Found] = {}
    for call in calls:
        for found in tool(call.tool).run(call.query, k):
            if call.named:
                found = Found(found.chunk, named_score(found.score))
            kept.setdefault(found.chunk.doc_id, found)
    # best score first across the calls (stable: of equal scores, the earlier call's first)
    best = sorted(kept.values(), key=lambda f: -f.score)[:k]
    sources = make_sources([f.chunk for f in best], [f.score for f in best], max_chars, guard)
    return ToolRun(calls, tuple(sources))
