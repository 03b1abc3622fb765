"""Retrievers over a knowledge base: `search(query, k) -> list[Hit]`, best first.

`Hit.source` names the retriever that produced the hit ("bm25", "dense", "hybrid", "milvus"), as
`Span.source` names the recognizer; the chunk's own provenance is in the `Chunk` (`kb.chunks`).
Every retriever ranks a chunk labelled unverified below every sourced one (`sourced_first`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from medllm.core import ConfigError, Hit
from medllm.knowledge.kb import KnowledgeBase
from medllm.knowledge.provenance import verified_first

Search = Callable[[Sequence[str], int], list[list[Hit]]]


def check_k(k: int) -> int:
    """A search asks for at least one hit (bm25s and faiss fail deep inside on k < 1)."""
    if k < 1:
        raise ConfigError(
            f'field "k": {k} hits asked, at least 1 is needed', fix="give -k 5, or any k >= 1"
        )
    return k


class Retriever(Protocol):
    name: str
    kb: KnowledgeBase

    def search(self, query: str, k: int = 5) -> list[Hit]: ...

    def search_batch(self, queries: Sequence[str], k: int = 5) -> list[list[Hit]]: ...


def _kb(kb: KnowledgeBase | str | Path | None) -> KnowledgeBase:
    return kb if isinstance(kb, KnowledgeBase) else KnowledgeBase(kb)


def _hits(kb: KnowledgeBase, scores: np.ndarray, rows: np.ndarray, name: str) -> list[list[Hit]]:
    out = []
    for srow, rrow in zip(scores, rows, strict=True):
        keep = [(float(s), int(r)) for s, r in zip(srow, rrow, strict=True) if r >= 0]
        ids = kb.store.id_of([r for _, r in keep])
        out.append([Hit(cid, s, name) for (s, _), cid in zip(keep, ids, strict=True)])
    return out


def sourced_first(
    kb: KnowledgeBase, search: Search, queries: Sequence[str], k: int
) -> list[list[Hit]]:
    """`search(queries, depth)`, reordered so that no unverified chunk outranks a sourced one.

    With u unverified chunks in the knowledge base, a query is read deeper (2k, 4k, ... up to
    k + u) until its top `depth` holds k sourced hits or all its matches: then its k best sourced
    hits are exactly the first k, whatever the unverified ones scored.
    """
    bad = kb.unverified
    if not bad:
        return search(queries, k)
    out: dict[int, list[Hit]] = {}
    todo, depth = list(range(len(queries))), 2 * k
    while todo:
        depth = min(depth, k + len(bad))
        found = search([queries[i] for i in todo], depth)
        again = []
        for i, hits in zip(todo, found, strict=True):
            enough = sum(h.chunk_id not in bad for h in hits) >= k
            if enough or len(hits) < depth or depth >= k + len(bad):
                out[i] = verified_first(hits, bad)[:k]
            else:
                again.append(i)
        todo, depth = again, depth * 2
    return [out[i] for i in range(len(queries))]


class BM25Retriever:
    name = "bm25"

    def __init__(self, kb: KnowledgeBase | str | Path | None = None) -> None:
        self.kb = _kb(kb)

    def search_batch(self, queries: Sequence[str], k: int = 5) -> list[list[Hit]]:
        return sourced_first(self.kb, self._search, queries, check_k(k))

    def _search(self, queries: Sequence[str], k: int) -> list[list[Hit]]:
        scores, rows = self.kb.bm25.search(list(queries), k)
        # bm25s pads with score-0 rows when fewer documents match: those are not hits.
        rows = np.where(scores > 0, rows, -1)
        return _hits(self.kb, scores, rows, self.name)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.search_batch([query], k)[0]


class DenseRetriever:
    name = "dense"

    def __init__(self, kb: KnowledgeBase | str | Path | None = None) -> None:
        self.kb = _kb(kb)

    def search_batch(self, queries: Sequence[str], k: int = 5) -> list[list[Hit]]:
        from medllm.knowledge.embed import embed

        check_k(k)
        _ = self.kb.dense  # no vectors: say so before the embedder is loaded (tens of seconds)
        vectors = embed(list(queries))
        by_query = {q: i for i, q in enumerate(queries)}

        def search(qs: Sequence[str], depth: int) -> list[list[Hit]]:
            scores, rows = self.kb.dense.search(vectors[[by_query[q] for q in qs]], depth)
            return _hits(self.kb, scores, rows, self.name)

        return sourced_first(self.kb, search, queries, k)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.search_batch([query], k)[0]


def rrf(rankings: Sequence[Sequence[Hit]], k: int = 60, name: str = "hybrid") -> list[Hit]:
    """Reciprocal rank fusion (Cormack et al. 2009): score(d) = Σ_lists 1 / (k + rank_d), rank from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + 1.0 / (k + rank)
    order = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    return [Hit(cid, s, name) for cid, s in order]


class HybridRetriever:
    """BM25 + dense fused by RRF; each list is read `depth` deep before fusing."""

    name = "hybrid"

    def __init__(
        self,
        kb: KnowledgeBase | str | Path | None = None,
        rrf_k: int | None = None,
        depth: int = 50,
    ) -> None:
        self.kb = _kb(kb)
        self.rrf_k = rrf_k or int(self.kb.manifest.get("rrf_k", 60))
        self.depth = depth
        self._bm25 = BM25Retriever(self.kb)
        self._dense = DenseRetriever(self.kb)

    def search_batch(self, queries: Sequence[str], k: int = 5) -> list[list[Hit]]:
        depth = max(check_k(k), self.depth)
        lexical = self._bm25.search_batch(queries, depth)
        dense = self._dense.search_batch(queries, depth)
        fused = (rrf([a, b], self.rrf_k) for a, b in zip(lexical, dense, strict=True))
        return [verified_first(hits, self.kb.unverified)[:k] for hits in fused]

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.search_batch([query], k)[0]


def get_retriever(
    name: str, kb: KnowledgeBase | str | Path | None = None, **options: object
) -> Retriever:
    """A registered retriever by name; "auto" = hybrid when the KB has vectors, else bm25."""
    from medllm.knowledge.registry import retrievers

    base = _kb(kb)
    if name == "auto":
        name = "hybrid" if base.has_dense else "bm25"
    cls = retrievers.get(name)
    return cls(base, **options)  # type: ignore[no-any-return]
