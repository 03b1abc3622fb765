"""Milvus retriever: the knowledge base's vectors served by Milvus, which shards and replicates
across machines. The same code runs on milvus-lite (a local file, tested here) and on a Milvus
server or cluster (`uri="http://host:19530"`, optional `token`).

The collection is filled from the knowledge base's own vectors (no re-embedding) and kept in sync
by row count: rows the collection lacks are inserted on open, so an incremental `kb build` reaches
Milvus on the next search.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import ConfigError, Hit
from medllm.knowledge.kb import KnowledgeBase

DEFAULT_COLLECTION = "medllm_kb"
_INSERT_BATCH = 5_000


class MilvusRetriever:
    name = "milvus"

    def __init__(
        self,
        kb: KnowledgeBase | str | Path | None = None,
        uri: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        token: str = "",
    ) -> None:
        self.kb = kb if isinstance(kb, KnowledgeBase) else KnowledgeBase(kb)
        self.uri = uri or str(self.kb.folder / "milvus.db")
        self.collection = collection
        self.client = _client(self.uri, token)
        self.sync()

    def _create(self) -> None:
        from pymilvus import DataType

        schema = self.client.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("row", DataType.INT64, is_primary=True)
        schema.add_field("chunk_id", DataType.VARCHAR, max_length=1024)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=int(self.kb.manifest["dim"]))
        index = self.client.prepare_index_params()
        index.add_index(field_name="vector", index_type="AUTOINDEX", metric_type="IP")
        self.client.create_collection(self.collection, schema=schema, index_params=index)

    def count(self) -> int:
        return int(self.client.get_collection_stats(self.collection)["row_count"])

    def sync(self) -> int:
        """Insert the knowledge base rows the collection does not hold yet; returns how many."""
        if not self.client.has_collection(self.collection):
            self._create()
        vectors = self.kb.dense.vectors()
        start, total = self.count(), len(vectors)
        for lo in range(start, total, _INSERT_BATCH):
            rows = list(range(lo, min(lo + _INSERT_BATCH, total)))
            ids = self.kb.store.id_of(rows)
            vecs = np.asarray(vectors[lo : lo + len(rows)], dtype=np.float32)
            self.client.insert(
                self.collection,
                [
                    {"row": r, "chunk_id": i, "vector": v.tolist()}
                    for r, i, v in zip(rows, ids, vecs, strict=True)
                ],
            )
        if total > start:
            self.client.flush(self.collection)
        return total - start

    def search_batch(self, queries: Sequence[str], k: int = 5) -> list[list[Hit]]:
        from medllm.knowledge.embed import embed
        from medllm.knowledge.retrievers import check_k, sourced_first

        check_k(k)
        vectors = {q: v.tolist() for q, v in zip(queries, embed(list(queries)), strict=True)}

        def search(qs: Sequence[str], depth: int) -> list[list[Hit]]:
            result = self.client.search(
                self.collection,
                data=[vectors[q] for q in qs],
                limit=depth,
                output_fields=["chunk_id"],
            )
            return [
                [Hit(str(r["entity"]["chunk_id"]), float(r["distance"]), self.name) for r in hits]
                for hits in result
            ]

        return sourced_first(self.kb, search, queries, k)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.search_batch([query], k)[0]

    def close(self) -> None:
        self.client.close()


def _client(uri: str, token: str) -> Any:
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise ConfigError(
            "the milvus retriever needs pymilvus", fix="pip install 'medllm[rag]'"
        ) from None
    return MilvusClient(uri, token=token) if token else MilvusClient(uri)
