"""Dense vector index on disk: faiss IVF-PQ candidates, exact re-rank on memory-mapped float16 vectors.

Files in the index folder:
- `vectors.f16`: raw (n, dim) float16, append-only, row = chunk row (n × dim × 2 bytes on disk;
  1M × 384 → 0.77 GB). A query reads only its re-rank candidates' rows, with pread: memory-mapping
  them instead made the kernel map 64 KB around every faulted row ("fault-around"), and a query
  process then showed the whole file as resident after a few hundred queries.
- `ivfpq.faiss`: IVF with `nlist` lists, PQ with `m` 8-bit sub-quantizers (48 bytes a vector), read
  with faiss.IO_FLAG_MMAP so its inverted lists are memory-mapped too. Built only once the index
  holds `min_train` vectors; below that, search is exact over the memory-mapped vectors (fast at
  that size).
Search: IVF-PQ returns `rerank` candidates by approximate score; their exact inner products from
`vectors.f16` give the final order. This keeps recall near the exact index at a fraction of its RAM.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import write_json

VECTORS = "vectors.f16"
IVF = "ivfpq.faiss"
PARAMS = "dense.json"


@dataclass
class DenseParams:
    dim: int = 384
    m: int = 48  # PQ sub-quantizers (dim must be divisible by m)
    nlist: int = 0  # 0 = chosen at training time: about 2·sqrt(n)
    nprobe: int = 32
    rerank: int = 200
    min_train: int = 20_000
    trained_on: int = 0  # number of vectors the IVF was trained on (0 = no IVF yet)


def _auto_nlist(n: int) -> int:
    # 2·sqrt(n) lists keep k-means training to minutes on 2 cores at 1M vectors; nprobe=32 then
    # scans ~1.6% of them, and the exact re-rank recovers the recall PQ loses.
    return int(max(64, min(65536, 2 * round(n**0.5))))


class DenseIndex:
    def __init__(self, folder: Path, params: DenseParams) -> None:
        self.folder = folder
        self.params = params
        self._ivf: Any = None
        self._vectors: np.ndarray | None = None
        self._fd: int | None = None

    @classmethod
    def open(cls, folder: Path, params: DenseParams | None = None) -> DenseIndex:
        """The index in `folder`. What it was built with (dim, m, nlist, training) is read from disk;
        the query knobs of `params` (nprobe, rerank), when given, replace the stored ones and are
        saved, so a build with new knobs changes how every later load searches."""
        folder.mkdir(parents=True, exist_ok=True)
        p = folder / PARAMS
        if not p.is_file():
            return cls(folder, params or DenseParams())
        index = cls(folder, DenseParams(**json.loads(p.read_text())))
        stored = index.params
        if params is not None and (params.nprobe, params.rerank) != (stored.nprobe, stored.rerank):
            stored.nprobe, stored.rerank = params.nprobe, params.rerank
            index._save_params()
        return index

    def __len__(self) -> int:
        path = self.folder / VECTORS
        return path.stat().st_size // (2 * self.params.dim) if path.is_file() else 0

    def vectors(self) -> np.ndarray:
        """(n, dim) float16, memory-mapped (read-only)."""
        n = len(self)
        if self._vectors is None or len(self._vectors) != n:
            if n == 0:
                return np.zeros((0, self.params.dim), dtype=np.float16)
            self._vectors = np.memmap(
                self.folder / VECTORS, dtype=np.float16, mode="r", shape=(n, self.params.dim)
            )
        return self._vectors

    def rows(self, rows: np.ndarray) -> np.ndarray:
        """(len(rows), dim) float32 read from disk (pread per row; see the module docstring)."""
        import os

        if self._fd is None:
            self._fd = os.open(self.folder / VECTORS, os.O_RDONLY)
        width = 2 * self.params.dim
        buf = b"".join(os.pread(self._fd, width, int(r) * width) for r in rows)
        return (
            np.frombuffer(buf, dtype=np.float16)
            .reshape(len(rows), self.params.dim)
            .astype(np.float32)
        )

    def add(self, vecs: np.ndarray) -> None:
        """Append unit vectors (float32/16, (k, dim)); trains the IVF once enough have arrived."""
        with (self.folder / VECTORS).open("ab") as f:
            f.write(np.ascontiguousarray(vecs, dtype=np.float16).tobytes())
        self._vectors = None
        n, trained = len(self), self.params.trained_on
        if trained and n <= 4 * trained:
            import faiss

            # The mmapped index is read-only: load a writable copy, add, write back.
            ivf = faiss.read_index(str(self.folder / IVF))
            ivf.add(np.asarray(vecs, dtype=np.float32))
            self._save_ivf(ivf)
        elif n >= self.params.min_train:
            # First training, or the index grew 4× past what its lists were fitted on.
            self.params.nlist = 0
            self.train()
        self._save_params()

    def train(self, sample: int = 0) -> None:
        """(Re)build the IVF-PQ over every stored vector. `sample`: training subset (0 = auto)."""
        import faiss

        x = self.vectors()
        p = self.params
        p.nlist = p.nlist or _auto_nlist(len(x))
        quantizer = faiss.IndexFlatIP(p.dim)
        ivf = faiss.IndexIVFPQ(quantizer, p.dim, p.nlist, p.m, 8, faiss.METRIC_INNER_PRODUCT)
        ivf.cp.niter = 10  # k-means iterations; more change recall by <0.5% here and cost minutes
        n_train = min(len(x), sample or 40 * p.nlist)
        pick = np.random.default_rng(0).choice(len(x), size=n_train, replace=False)
        ivf.train(np.asarray(x[np.sort(pick)], dtype=np.float32))
        for start in range(0, len(x), 100_000):
            ivf.add(np.asarray(x[start : start + 100_000], dtype=np.float32))
        p.trained_on = len(x)
        self._save_ivf(ivf)
        self._save_params()

    def _save_ivf(self, ivf: Any) -> None:
        import faiss

        tmp = self.folder / (IVF + ".tmp")
        faiss.write_index(ivf, str(tmp))
        tmp.replace(self.folder / IVF)
        self._ivf = None

    def _load_ivf(self) -> Any:
        import faiss

        if self._ivf is None:
            self._ivf = faiss.read_index(str(self.folder / IVF), faiss.IO_FLAG_MMAP)
            self._ivf.nprobe = self.params.nprobe
        return self._ivf

    def _save_params(self) -> None:
        write_json(self.folder / PARAMS, asdict(self.params))

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows), each (nq, k); rows are -1 where fewer than k vectors exist."""
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        x = self.vectors()
        if not self.params.trained_on:
            return _exact(q, x, k)
        _, cand = self._load_ivf().search(q, max(k, self.params.rerank))
        return _rerank(q, self.rows, cand, k)


def _exact(q: np.ndarray, x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    scores = np.full((len(q), k), -np.inf, dtype=np.float32)
    rows = np.full((len(q), k), -1, dtype=np.int64)
    if len(x):
        sims = q @ np.asarray(x, dtype=np.float32).T  # (nq, n)
        top = np.argsort(-sims, axis=1)[:, :k]
        scores[:, : top.shape[1]] = np.take_along_axis(sims, top, axis=1)
        rows[:, : top.shape[1]] = top
    return scores, rows


def _rerank(
    q: np.ndarray, read: Callable[[np.ndarray], np.ndarray], cand: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    scores = np.full((len(q), k), -np.inf, dtype=np.float32)
    rows = np.full((len(q), k), -1, dtype=np.int64)
    for i, c in enumerate(cand):
        c = c[c >= 0]
        if len(c) == 0:
            continue
        order = np.argsort(c)  # ascending offsets: friendlier to the disk
        exact = read(c[order]) @ q[i]
        top = np.argsort(-exact)[:k]
        scores[i, : len(top)] = exact[top]
        rows[i, : len(top)] = c[order][top]
    return scores, rows
