"""Chunk store: one SQLite file holding chunk text, provenance and a content hash per chunk.

`row` (0-based, dense, append-only) is the chunk's position in the vector file and the BM25 index,
so the indexes hold integers only and text is fetched on demand: RAM stays flat with corpus size.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from medllm.core import Chunk

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
  row INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL, text TEXT NOT NULL,
  title TEXT, source TEXT, url TEXT, meta TEXT, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
"""


def chunk_hash(c: Chunk) -> str:
    return hashlib.sha256(f"{c.title}\x00{c.text}".encode()).hexdigest()[:16]


class ChunkStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT id, hash FROM chunks"))

    def append(self, chunks: Iterable[Chunk]) -> int:
        """Add chunks at the next rows; returns how many. Ids already present are an error."""
        start = len(self)
        rows = (
            (
                start + i,
                c.id,
                c.doc_id,
                c.text,
                c.title,
                c.source,
                c.url,
                json.dumps(c.meta, ensure_ascii=False, default=str),
                chunk_hash(c),
            )
            for i, c in enumerate(chunks)
        )
        with self._db:
            cur = self._db.executemany("INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?)", rows)
        return cur.rowcount

    def _chunk(self, r: Sequence[object]) -> Chunk:
        return Chunk(
            id=str(r[0]),
            doc_id=str(r[1]),
            text=str(r[2]),
            title=str(r[3] or ""),
            source=str(r[4] or ""),
            url=str(r[5] or ""),
            meta=json.loads(str(r[6] or "{}")),
        )

    def by_rows(self, rows: Sequence[int]) -> list[Chunk]:
        """Chunks at `rows`, in that order."""
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = {
            r[0]: self._chunk(r[1:])
            for r in self._db.execute(
                f"SELECT row, id, doc_id, text, title, source, url, meta FROM chunks WHERE row IN ({marks})",
                [int(x) for x in rows],
            )
        }
        return [found[int(x)] for x in rows if int(x) in found]

    def get(self, chunk_id: str) -> Chunk | None:
        r = self._db.execute(
            "SELECT id, doc_id, text, title, source, url, meta FROM chunks WHERE id = ?",
            (chunk_id,),
        ).fetchone()
        return self._chunk(r) if r else None

    def row_of(self, chunk_ids: Sequence[str]) -> dict[str, int]:
        marks = ",".join("?" * len(chunk_ids))
        return dict(
            self._db.execute(f"SELECT id, row FROM chunks WHERE id IN ({marks})", list(chunk_ids))
        )

    def id_of(self, rows: Sequence[int]) -> list[str]:
        if not rows:
            return []
        marks = ",".join("?" * len(rows))
        found = dict(
            self._db.execute(
                f"SELECT row, id FROM chunks WHERE row IN ({marks})", [int(x) for x in rows]
            )
        )
        return [found[int(x)] for x in rows if int(x) in found]

    def texts(self, batch: int = 10_000) -> Iterator[str]:
        """Every chunk's title + text in row order (what BM25 indexes)."""
        for (text,) in self._db.execute("SELECT title || '\n' || text FROM chunks ORDER BY row"):
            yield str(text)

    def counts_by_source(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT source, COUNT(*) FROM chunks GROUP BY source"))

    def unverified_ids(self) -> frozenset[str]:
        """Ids of the chunks labelled `meta.provenance = "unverified"` (knowledge/provenance.py)."""
        return frozenset(
            str(r[0])
            for r in self._db.execute(
                "SELECT id FROM chunks WHERE json_extract(meta, '$.provenance') = 'unverified'"
            )
        )

    def n_docs(self) -> int:
        return int(self._db.execute("SELECT COUNT(DISTINCT doc_id) FROM chunks").fetchone()[0])
