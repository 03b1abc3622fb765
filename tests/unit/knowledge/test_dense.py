"""IVF-PQ with exact re-rank over memory-mapped vectors stays close to exact search."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from medllm.knowledge.dense import DenseIndex, DenseParams, _exact


def _clustered(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(50, dim))
    x = centers[rng.integers(0, 50, n)] + 0.5 * rng.normal(size=(n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_ivfpq_recall_and_incremental_add(tmp_path: Path) -> None:
    x = _clustered(3000, 32, 0)
    params = DenseParams(dim=32, m=8, nprobe=16, rerank=100, min_train=2500)
    index = DenseIndex.open(tmp_path, params)
    index.add(x[:2000])
    assert index.params.trained_on == 0  # below min_train: exact search
    index.add(x[2000:2700])
    assert index.params.trained_on == 2700
    index.add(x[2700:])  # added to the trained IVF without retraining
    assert index.params.trained_on == 2700 and len(index) == 3000
    q = _clustered(50, 32, 1)
    _, got = DenseIndex.open(tmp_path).search(q, 10)
    _, exact = _exact(q, x, 10)
    recall = np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)])
    assert recall >= 0.9
    assert isinstance(DenseIndex.open(tmp_path).vectors(), np.memmap)
