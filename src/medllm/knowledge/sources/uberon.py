"""Uberon anatomy ontology definitions, read from the `cellxgene-ontology-guide` package.

12,239 live anatomy terms with a definition (liver, hepatic portal vein, ...), with synonyms.
Uberon is cross-species, so some terms are of other animals' anatomy. Its "ancestors" mix is-a and
part-of, so we state no parent here (a liver is part of, not a kind of, the abdomen). Uberon is
CC BY 3.0: every document carries the attribution, the term id and its PURL.
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

SOURCE = "uberon"
FILE = "UBERON-ontology-v2026-04-01.json.zst"
SHA256 = "fef8c625f19c734ef7eda66d16c48b295d47ed7bea384dd4d0b4babd81bc8961"
RELEASE = "v2026-04-01"
LICENCE = "CC BY 3.0"
CITATION = f"Uberon {RELEASE} (cellxgene-ontology-guide {VERSION})"
ATTRIBUTION = (
    f"Uberon multi-species anatomy ontology, release {RELEASE}, CC BY 3.0 "
    f"(http://obophenotype.github.io/uberon/); via cellxgene-ontology-guide {VERSION}"
)


@cache
def load_terms() -> dict[str, OntologyTerm]:
    """Live Uberon terms that have a definition, by id ("UBERON:0002107")."""
    return read_terms(FILE, SHA256)


def to_document(t: OntologyTerm) -> Document:
    title = f"{t.label} ({t.id})"
    lines = [f"{title}: {t.definition}"]
    if syn := own_synonyms(t):
        lines.append(f"Synonyms: {'; '.join(syn)}.")
    return Document(
        id=f"{SOURCE}:{t.id}",
        text="\n".join(lines),
        title=title,
        source=SOURCE,
        url=purl(t.id),
        meta=provenance_meta(t.id, LICENCE, f"{t.id}, {CITATION}"),
    )


def documents() -> Iterator[Document]:
    for t in load_terms().values():
        yield to_document(t)
