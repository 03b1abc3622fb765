"""Read side of a knowledge base folder: chunk lookup and the two indexes, opened lazily."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import Chunk, ConfigError
from medllm.knowledge import bm25
from medllm.knowledge.dense import DenseIndex
from medllm.knowledge.index import STORE, default_folder, read_manifest
from medllm.knowledge.store import ChunkStore


class KnowledgeBase:
    def __init__(self, folder: str | Path | None = None) -> None:
        self.folder = Path(folder) if folder else default_folder()
        self.manifest: dict[str, Any] = read_manifest(self.folder)
        self.store = ChunkStore(self.folder / STORE)

    def __len__(self) -> int:
        return int(self.manifest["n_chunks"])

    @property
    def has_dense(self) -> bool:
        return int(self.manifest.get("dense_rows", 0)) >= len(self) > 0

    @cached_property
    def bm25(self) -> bm25.BM25Index:
        return bm25.BM25Index(self.folder / bm25.FOLDER)

    @cached_property
    def dense(self) -> DenseIndex:
        if not self.has_dense:
            raise ConfigError(
                f"knowledge base {self.folder} has no dense vectors "
                f"({self.manifest.get('dense_rows', 0)} of {len(self)} chunks embedded)",
                fix="run `medllm kb build --dense` (or use the bm25 retriever)",
            )
        return DenseIndex.open(self.folder / "dense")

    @cached_property
    def unverified(self) -> frozenset[str]:
        """Chunk ids labelled unverified; none without a count in the manifest (a knowledge base
        built before the label existed holds none)."""
        if not int(self.manifest.get("unverified_chunks", 0)):
            return frozenset()
        return self.store.unverified_ids()

    def chunks(self, chunk_ids: list[str]) -> list[Chunk]:
        rows = self.store.row_of(chunk_ids)
        found = {c.id: c for c in self.store.by_rows([rows[i] for i in chunk_ids if i in rows])}
        return [found[i] for i in chunk_ids if i in found]

    def get(self, chunk_id: str) -> Chunk | None:
        return self.store.get(chunk_id)

    def vectors(self, chunk_ids: list[str]) -> np.ndarray:
        """Stored unit vectors of `chunk_ids` (embedded on the fly when the KB has none)."""
        if self.has_dense:
            rows = self.store.row_of(chunk_ids)
            return np.asarray(self.dense.vectors()[[rows[i] for i in chunk_ids]], dtype=np.float32)
        from medllm.knowledge.embed import embed
        from medllm.knowledge.index import embed_text

        return embed([embed_text(c) for c in self.chunks(chunk_ids)])

    def close(self) -> None:
        self.store.close()
