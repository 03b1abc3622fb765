"""Lexical index: bm25s (sparse BM25 matrix saved as .npy, loaded memory-mapped) with Snowball stems.

bm25s cannot add to a built index, so an incremental add rebuilds this part from the chunk store;
it is the cheap part (seconds per 100k chunks), the embeddings are the expensive one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

FOLDER = "bm25"
# Bumped when tokenization changes: a knowledge base built with another version re-indexes.
VERSION = 2
# Dotted codes stay whole ("E11.9", "S00.00XA", "1.5"), other tokens are words of 2+ characters.
TOKEN_PATTERN = r"(?u)\b\w+(?:\.\w+)+\b|\b\w\w+\b"


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english").stemWords


def tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s

    out = bm25s.tokenize(
        texts,
        token_pattern=TOKEN_PATTERN,
        stopwords="en",
        stemmer=_stemmer(),
        return_ids=False,
        show_progress=False,
    )
    return out  # type: ignore[return-value]


def build(folder: Path, texts: Iterable[str], batch: int = 20_000) -> int:
    """Index `texts` (row order) into `folder`; returns how many."""
    import bm25s

    tokens: list[list[str]] = []
    buf: list[str] = []
    for t in texts:
        buf.append(t)
        if len(buf) >= batch:
            tokens += tokenize(buf)
            buf = []
    tokens += tokenize(buf)
    index = bm25s.BM25()
    index.index(tokens, show_progress=False)
    tmp = folder.with_name(folder.name + ".tmp")
    index.save(str(tmp))
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    tmp.replace(folder)
    return len(tokens)


class BM25Index:
    def __init__(self, folder: Path) -> None:
        import bm25s

        self._index = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        self.size = int(self._index.scores["num_docs"])
        self._idf: dict[str, float] | None = None

    def idf(self) -> dict[str, float]:
        """BM25 IDF of every indexed stem: log(1 + (N - df + 0.5) / (df + 0.5))."""
        if self._idf is None:
            indptr = np.asarray(self._index.scores["indptr"])
            df = np.diff(indptr).astype(np.float64)  # documents per token (CSC columns)
            values = np.log1p((self.size - df + 0.5) / (df + 0.5))
            self._idf = {
                t: float(values[i]) for t, i in self._index.vocab_dict.items() if i < len(values)
            }
        return self._idf

    def search(self, queries: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows), each (nq, k'); k' = min(k, size). A query with no known word scores 0."""
        k = min(k, self.size)
        if k == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        rows, scores = self._index.retrieve(
            tokenize(queries), k=k, show_progress=False, n_threads=1
        )
        return np.asarray(scores, dtype=np.float32), np.asarray(rows, dtype=np.int64)
