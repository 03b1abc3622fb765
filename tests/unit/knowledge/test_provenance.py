"""Provenance labels, and the rule that an unverified chunk never outranks a sourced one."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core.records import Document, Hit
from medllm.knowledge.config import KbConfig
from medllm.knowledge.embed import embed_query
from medllm.knowledge.index import build_index, read_manifest
from medllm.knowledge.kb import KnowledgeBase
from medllm.knowledge.provenance import is_sourced, label, provenance_meta, verified_first
from medllm.knowledge.registry import retrievers
from medllm.knowledge.retrievers import BM25Retriever, get_retriever

SOURCED = Document(
    id="ref:gout",
    text="Gout: arthritis from urate crystals in a joint.",
    title="Gout",
    source="ref",
    url="https://example.org/gout",
    meta=provenance_meta("gout-1", "CC BY 4.0", "Example reference, gout-1"),
)


def _unverified(n: int) -> Document:
    # the query itself, twice: it beats the sourced document on BM25 and on the embedding
    return Document(
        id=f"tip:{n}",
        text=f"Gout urate crystals: gout urate crystals ({n}).",
        title="Gout urate crystals",
        source="tips",
        meta={"provenance": "unverified"},
    )


def test_label_marks_a_document_without_provenance_unverified() -> None:
    assert is_sourced(SOURCED) and label(SOURCED) is SOURCED
    no_licence = Document(
        id="x:1", text="t", source="x", url="https://e.org", meta={"record_id": "1"}
    )
    assert not is_sourced(no_licence)
    assert label(no_licence).meta == {"record_id": "1", "provenance": "unverified"}
    no_url = Document(id="x:2", text="t", source="x", meta={"record_id": "2", "licence": "MIT"})
    assert label(no_url).meta["provenance"] == "unverified"
    # a citation stands in for a URL
    cited = Document(id="x:3", text="t", source="x", meta=provenance_meta("3", "MIT", "Book, p. 3"))
    assert is_sourced(cited)


def test_verified_first_keeps_order_within_each_group() -> None:
    hits = [Hit("u1", 9.0), Hit("s1", 8.0), Hit("u2", 7.0), Hit("s2", 6.0)]
    assert [h.chunk_id for h in verified_first(hits, {"u1", "u2"})] == ["s1", "s2", "u1", "u2"]
    assert verified_first(hits, set()) == hits


@pytest.fixture(scope="module")
def mixed_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("prov") / "kb"
    build_index(KbConfig(folder=folder, sources=[]), docs=[SOURCED, *map(_unverified, range(6))])
    return folder


def test_the_manifest_counts_unverified_chunks(mixed_kb: Path) -> None:
    assert read_manifest(mixed_kb)["unverified_chunks"] == 6


def test_without_the_rule_the_unverified_tips_rank_first(mixed_kb: Path) -> None:
    # the raw orders the rule has to overturn (so the test below cannot pass vacuously)
    raw = BM25Retriever(mixed_kb)._search(["gout urate crystals"], 7)[0]
    assert [h.chunk_id for h in raw][-1] == "ref:gout#0"
    kb = KnowledgeBase(mixed_kb)
    _, rows = kb.dense.search(embed_query("gout urate crystals")[None, :], 7)
    assert kb.store.id_of(list(rows[0]))[-1] == "ref:gout#0"


@pytest.mark.parametrize("name", retrievers.names())
def test_an_unverified_chunk_never_outranks_a_sourced_one(name: str, mixed_kb: Path) -> None:
    ret = get_retriever(name, mixed_kb)
    try:
        for k in (1, 3, 7):
            hits = ret.search("gout urate crystals", k=k)
            assert hits[0].chunk_id == "ref:gout#0", (name, k, hits)
            assert len(hits) == k and all(h.chunk_id.startswith("tip:") for h in hits[1:])
    finally:
        if name == "milvus":
            ret.close()  # type: ignore[attr-defined]
