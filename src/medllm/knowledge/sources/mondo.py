"""Mondo Disease Ontology (MONDO) definitions, read from the `cellxgene-ontology-guide` package.

19,315 live diseases with a definition (of 27,990 live terms; the rest are names only, which
ICD-10-CM, HPO and MeSH already hold), each with its synonyms and its direct parents ("is a kind
of"). MONDO is CC BY 4.0: every document carries the attribution, the term id and its PURL.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from medllm.core import Document
from medllm.knowledge.provenance import provenance_meta
from medllm.knowledge.sources._ontology_json import (
    VERSION,
    OntologyTerm,
    own_synonyms,
    purl,
    read_terms,
)

SOURCE = "mondo"
FILE = "MONDO-ontology-v2026-05-05.json.zst"
SHA256 = "5df6f6131a69ce93581b9dc57bee51919fb9b025d8bca71b3ed08e8b2f3a2dd5"
RELEASE = "v2026-05-05"
LICENCE = "CC BY 4.0"
CITATION = f"MONDO {RELEASE} (cellxgene-ontology-guide {VERSION})"
ATTRIBUTION = (
    f"Mondo Disease Ontology (MONDO), release {RELEASE}, Monarch Initiative, CC BY 4.0 "
    f"(https://mondo.monarchinitiative.org); via cellxgene-ontology-guide {VERSION}"
)


@cache
def load_terms() -> dict[str, OntologyTerm]:
    """Live MONDO terms that have a definition, by id ("MONDO:0001356")."""
    return read_terms(FILE, SHA256)


def _kind_of(t: OntologyTerm) -> str:
    names = [name for _, name in t.parents]
    if not names:
        return ""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{t.label} is a kind of {listed}."


def to_document(t: OntologyTerm) -> Document:
    title = f"{t.label} ({t.id})"
    lines = [f"{title}: {t.definition}"]
    if kind := _kind_of(t):
        lines.append(kind)
    if syn := own_synonyms(t):
        lines.append(f"Synonyms: {'; '.join(syn)}.")
    return Document(
        id=f"{SOURCE}:{t.id}",
        text="\n".join(lines),
        title=title,
        source=SOURCE,
        url=purl(t.id),
        meta={
            **provenance_meta(t.id, LICENCE, f"{t.id}, {CITATION}"),
            "parents": [pid for pid, _ in t.parents],
        },
    )


def documents() -> Iterator[Document]:
    for t in load_terms().values():
        yield to_document(t)
