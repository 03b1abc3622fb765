"""What a tool takes and gives: a `ToolCall` from the router, `Found` entries back.

A tool's output is a `Chunk` (the core record retrieval returns) whose `doc_id` is the knowledge
base's id of the same vocabulary entry ("icd10cm:E11.9", "hpo:HP:0001250",
"hpo_disease:OMIM:154700", "mesh:D003920", "who_medicine:meds_em1"), so a cited tool source and a
cited retrieved chunk of the same entry count as the same source. Its chunk id is
`<doc id>#<tool>`, which no index holds: tool output is built per call, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from medllm.core import Chunk


@dataclass(frozen=True)
class ToolCall:
    """One decision of a router: run `tool` on `query` (an id or the question's text)."""

    tool: str  # a `tools` registry name
    query: str
    why: str = ""  # the rule (or model) that chose it, for the answer's trace
    # the question names this tool's vocabulary ("hpo id of ...", "mesh id for ...", "icd10 for
    # ..."): a name it finds there is what was asked for, whatever else the question says
    named: bool = False


@dataclass(frozen=True)
class Found:
    """One tool result, best first. `score` in [0, 1]: 1 = an exact id or name match; lower for a
    ranked candidate (how much of the asked text it covers, or its similarity)."""

    chunk: Chunk
    score: float


class Tool(Protocol):
    name: str

    def run(self, query: str, k: int = 3) -> list[Found]: ...


def entry(doc_id: str, tool: str, text: str, title: str, source: str, url: str) -> Chunk:
    return Chunk(
        id=f"{doc_id}#{tool}",
        doc_id=doc_id,
        text=text,
        title=title,
        source=source,
        url=url,
        meta={"tool": tool},
    )


def lines(label: str, items: tuple[str, ...] | list[str], limit: int = 12) -> list[str]:
    """`label: a; b; c.` (at most `limit` items, then "… (n more)"), or nothing when empty."""
    if not items:
        return []
    shown = list(items[:limit])
    more = f"; … ({len(items) - limit} more)" if len(items) > limit else ""
    return [f"{label}: {'; '.join(shown)}{more}."]
