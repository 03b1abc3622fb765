"""Every registered retriever through the same cases (a contract test), plus RRF arithmetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core.records import Hit
from medllm.knowledge.index import BuildReport
from medllm.knowledge.registry import retrievers
from medllm.knowledge.retrievers import get_retriever, rrf

CASES = [
    ("what causes lockjaw and muscle spasms", "syn:tetanus#0"),
    ("treatment of Lorvan syndrome", "guide-2#0"),
    ("vitamin C deficiency bleeding gums", "syn:scurvy#0"),
]


@pytest.mark.parametrize("name", retrievers.names())
def test_retriever_contract(name: str, small_kb: tuple[Path, BuildReport]) -> None:
    folder, _ = small_kb
    ret = get_retriever(name, folder)
    for query, expected in CASES:
        hits = ret.search(query, k=3)
        assert hits and hits[0].chunk_id == expected, (name, query, hits)
        assert all(isinstance(h, Hit) and h.source == name for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert len(ret.search_batch([q for q, _ in CASES], k=2)) == len(CASES)
    if name == "milvus":
        assert ret.sync() == 0  # already in sync: nothing inserted twice
        ret.close()  # type: ignore[attr-defined]


def test_auto_picks_hybrid_when_vectors_exist(small_kb: tuple[Path, BuildReport]) -> None:
    assert get_retriever("auto", small_kb[0]).name == "hybrid"


def test_bm25_no_match_returns_nothing(small_kb: tuple[Path, BuildReport]) -> None:
    assert get_retriever("bm25", small_kb[0]).search("xylophone quasar", k=3) == []


def test_rrf_sums_reciprocal_ranks() -> None:
    a = [Hit("x", 9.0), Hit("y", 5.0)]
    b = [Hit("y", 0.9), Hit("z", 0.8)]
    fused = rrf([a, b], k=60)
    assert [h.chunk_id for h in fused] == ["y", "x", "z"]
    assert fused[0].score == pytest.approx(1 / 62 + 1 / 61)
    assert fused[1].score == pytest.approx(1 / 61)
