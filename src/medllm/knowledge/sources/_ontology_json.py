"""Ontology term files of `cellxgene-ontology-guide` (zstd-compressed JSON, one object per term id).

A file is `{"MONDO:0001356": {"label", "description"?, "synonyms"?, "ancestors": {id: depth},
"deprecated", ...}, ...}`. We read the one file a source needs with `zstandard` instead of the
package's `OntologyParser`, which loads every ontology of a schema version (the wheel is 98 MB).
Decompressing and parsing MONDO takes about 0.4 s, so the records are not cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from medllm.core import AssetError, locate

DIST = "cellxgene-ontology-guide"
VERSION = "1.11.1"  # pinned in pyproject.toml (extra `rag`); the file names below are its own
DATA = "cellxgene_ontology_guide/data/"


@dataclass(frozen=True)
class OntologyTerm:
    id: str  # "MONDO:0001356"
    label: str
    definition: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[tuple[str, str], ...] = ()  # (id, label) of the ancestors at depth 1, by id


def purl(term_id: str) -> str:
    """The OBO PURL of a term id ("MONDO:0001356" → .../obo/MONDO_0001356)."""
    return "http://purl.obolibrary.org/obo/" + term_id.replace(":", "_")


def own_synonyms(t: OntologyTerm) -> list[str]:
    """The term's synonyms without its own label (the ontologies repeat it among them)."""
    return [s for s in t.synonyms if s.lower() != t.label.lower()]


def read_terms(filename: str, sha256: str) -> dict[str, OntologyTerm]:
    """Every live (not deprecated) term of `filename` that has a definition, by id."""
    raw = _decompress(str(locate(DIST, DATA + filename, sha256)))
    data: dict[str, dict[str, Any]] = json.loads(raw)
    return {
        tid: OntologyTerm(
            id=tid,
            label=str(t["label"]),
            definition=" ".join(str(t["description"]).split()),
            synonyms=tuple(str(s) for s in t.get("synonyms", ())),
            parents=tuple(
                (a, str(data[a]["label"]) if a in data else a)
                for a, depth in sorted(t.get("ancestors", {}).items())
                if depth == 1
            ),
        )
        for tid, t in data.items()
        if not t.get("deprecated") and t.get("description")
    }


def _decompress(path: str) -> bytes:
    try:
        import zstandard
    except ImportError:
        raise AssetError(
            "reading the ontology files of cellxgene-ontology-guide needs zstandard",
            fix="run `make setup` or `pip install 'medllm[rag]'`",
        ) from None
    with open(path, "rb") as f:
        return bytes(zstandard.ZstdDecompressor().stream_reader(f).read())
