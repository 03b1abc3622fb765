"""Read side of a knowledge base folder: chunk lookup and the two indexes, opened lazily."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import Chunk, ConfigError
from medllm.knowledge import bm25
from medllm.knowledge.config import DEFAULT_SOURCES
from medllm.knowledge.dense import DenseIndex
from medllm.knowledge.index import STORE, default_folder, read_manifest
from medllm.knowledge.store import ChunkStore

# Embedding rates of all-MiniLM-L6-v2 on 2 CPU cores, from docs/knowledge.md ("Dense vectors"):
# about 385 sentences/s idle, 4.2-5.0 chunks/s measured in the retrieval benchmark under load.
IDLE_PER_S = 385.0
BUSY_PER_S = (4.2, 5.0)


def _duration(seconds: float) -> str:
    if seconds < 0.5:
        return "under 1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def dense_cost(n_chunks: int) -> str:
    """What embedding `n_chunks` costs on a laptop CPU, from the rates measured in the docs."""
    slow, fast = (_duration(n_chunks / rate) for rate in BUSY_PER_S)
    if slow == fast:
        busy = slow
    elif slow.split()[-1] == fast.split()[-1]:  # same unit: "6.1–7.2 h"
        busy = f"{fast.split()[0]}–{slow}"
    else:
        busy = f"{fast} – {slow}"
    idle = _duration(n_chunks / IDLE_PER_S)
    return (
        f"{'' if idle.startswith('under') else '≈ '}{idle} on an idle 2-core CPU (≈ {IDLE_PER_S:.0f} "
        f"sentences/s), {busy} on busy cores ({BUSY_PER_S[0]}–{BUSY_PER_S[1]} chunks/s measured; "
        'docs/knowledge.md, "Dense vectors")'
    )


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
            rows = int(self.manifest.get("dense_rows", 0))
            missing = len(self) - rows
            raise ConfigError(
                f"knowledge base {self.folder} has no dense vectors ({rows} of {len(self)} chunks "
                "embedded): the hybrid and dense retrievers need them",
                fix=f"run `{self.dense_build_command()}` to embed the {missing:,} "
                f"chunk{'s' if missing != 1 else ''}, {dense_cost(missing)}; or search with "
                "--retriever bm25",
            )
        return DenseIndex.open(self.folder / "dense")

    @cached_property
    def unverified(self) -> frozenset[str]:
        """Chunk ids labelled unverified; none without a count in the manifest (a knowledge base
        built before the label existed holds none)."""
        if not int(self.manifest.get("unverified_chunks", 0)):
            return frozenset()
        return self.store.unverified_ids()

    def dense_build_command(self) -> str:
        """The build that embeds this knowledge base's chunks and adds nothing else: its recorded
        sources (a plain `kb build` indexes every vocabulary)."""
        sources = list(self.manifest.get("sources", DEFAULT_SOURCES))
        if sources == list(DEFAULT_SOURCES):
            given = ""
        else:
            given = f" --sources {','.join(sources)}" if sources else " --set sources=[]"
        return f"medllm kb build --dense{given} --folder {self.folder}"

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
