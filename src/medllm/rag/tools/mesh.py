"""MeSH id ↔ name: a descriptor id (D003920) → its name and allowed qualifiers; a name as typed →
its descriptor id. The installed package holds names only (no scope notes, no tree numbers)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from medllm.rag.tools.base import Found, entry, lines
from medllm.rag.tools.text import PhraseIndex, lookup_named

if TYPE_CHECKING:
    from medllm.knowledge import MeshDescriptor

NAME = "mesh"
URL = "https://id.nlm.nih.gov/mesh/{}"
MESH_ID = re.compile(r"\b(D\d{6})\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def descriptors() -> dict[str, MeshDescriptor]:
    from medllm.knowledge import load_descriptors

    return load_descriptors()


def uninverted(name: str) -> str:
    """MeSH writes many names inverted ("Anemia, Iron-Deficiency", "Lupus Erythematosus,
    Systemic"); users write "iron-deficiency anemia". "" when the name has no single comma."""
    head, sep, tail = name.partition(", ")
    return f"{tail} {head}" if sep and ", " not in tail else ""


@lru_cache(maxsize=1)
def names() -> PhraseIndex:
    pairs = [(d.name, d.id) for d in descriptors().values()]
    pairs += [(u, d.id) for d in descriptors().values() if (u := uninverted(d.name))]
    return PhraseIndex(pairs)


def ids_in(text: str) -> list[str]:
    found = [m.group(1).upper() for m in MESH_ID.finditer(text)]
    return list(dict.fromkeys(i for i in found if i in descriptors()))


def entry_text(d: MeshDescriptor) -> str:
    out = [f"MeSH descriptor {d.id}: {d.name}"]
    out += lines("Allowed qualifiers", d.qualifiers, limit=8)
    return "\n".join(out)


class MeshTool:
    name = NAME

    def entry(self, mesh_id: str, score: float = 1.0) -> Found:
        d = descriptors()[mesh_id]
        chunk = entry(f"mesh:{d.id}", NAME, entry_text(d), d.name, NAME, URL.format(d.id))
        return Found(chunk, score)

    def run(self, query: str, k: int = 3) -> list[Found]:
        if ids := ids_in(query):
            return [self.entry(i) for i in ids[:k]]
        return [self.entry(i, score) for i, score in lookup_named(names(), query, k)]
