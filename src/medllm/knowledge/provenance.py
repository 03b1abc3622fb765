"""Provenance of knowledge-base documents, and the rule that unverified ones rank below sourced ones.

A registered source's document is *sourced* when it carries its source name, the record's id, the
licence it is used under and a citation or URL of the source record (`meta` keys `record_id`,
`licence`, `citation`; `Document.url`). A build labels any other registered-source document
`meta["provenance"] = "unverified"`; a source may also label its own records so. Retrieval then
never ranks an unverified chunk above a sourced one (`verified_first`, used by every retriever).
User files (`--add`) are the user's own documents and are not labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from medllm.core import Document, Hit

PROVENANCE = "provenance"
UNVERIFIED = "unverified"
FIELDS = ("record_id", "licence", "citation")


def provenance_meta(record_id: str, licence: str, citation: str) -> dict[str, Any]:
    """The `meta` entries that make a document sourced (its URL goes in `Document.url`)."""
    return {"record_id": record_id, "licence": licence, "citation": citation}


def is_sourced(doc: Document) -> bool:
    meta = doc.meta
    if meta.get(PROVENANCE) == UNVERIFIED:
        return False
    has_ref = bool(meta.get("citation") or doc.url)
    return bool(doc.source and meta.get("record_id") and meta.get("licence") and has_ref)


def label(doc: Document) -> Document:
    """`doc` as it is when sourced, else with `meta["provenance"] = "unverified"`."""
    if is_sourced(doc) or doc.meta.get(PROVENANCE) == UNVERIFIED:
        return doc
    return replace(doc, meta={**doc.meta, PROVENANCE: UNVERIFIED})


def is_unverified(meta: dict[str, Any]) -> bool:
    return meta.get(PROVENANCE) == UNVERIFIED


def verified_first(hits: Sequence[Hit], unverified: set[str] | frozenset[str]) -> list[Hit]:
    """Every hit on a sourced chunk, in its order, then the hits on `unverified` chunk ids, in
    theirs: an unverified chunk never outranks a sourced one, whatever its score."""
    if not unverified:
        return list(hits)
    return [h for h in hits if h.chunk_id not in unverified] + [
        h for h in hits if h.chunk_id in unverified
    ]
