"""The prose definitions of the knowledge base by name: MONDO diseases and Uberon anatomy (label
and synonyms) and UniProt diseases (name and acronym), each with the same document the index
holds, so a definition found by name is cited as the indexed one (`rag.tools.define`)."""

from __future__ import annotations

from collections.abc import Iterator

from medllm.core import Document
from medllm.knowledge.sources import mondo, uberon, uniprot
from medllm.knowledge.sources._ontology_json import own_synonyms


def named_documents() -> Iterator[tuple[tuple[str, ...], Document]]:
    """(names, document): MONDO first, then UniProt, then Uberon (the order a name shared by
    two of them is shown in)."""
    for t in mondo.load_terms().values():
        yield (t.label, *own_synonyms(t)), mondo.to_document(t)
    for d in uniprot.load_diseases().values():
        yield tuple(n for n in (d.name, d.acronym) if n), uniprot.to_document(d)
    for t in uberon.load_terms().values():
        yield (t.label, *own_synonyms(t)), uberon.to_document(t)
