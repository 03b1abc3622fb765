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
    x = _clustered(6000, 64, 0)
    index = DenseIndex.open(
        tmp_path, DenseParams(dim=64, m=16, nprobe=16, rerank=100, min_train=5000)
    )
    index.add(x[:4000])
    assert index.params.trained_on == 0  # below min_train: exact search
    index.add(x[4000:5500])
    assert index.params.trained_on == 5500
    index.add(x[5500:])  # added to the trained IVF without retraining
    assert index.params.trained_on == 5500 and len(index) == 6000
    q = _clustered(50, 64, 1)
    _, got = DenseIndex.open(tmp_path).search(q, 10)
    _, exact = _exact(q, x, 10)
    recall = np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)])
    assert recall >= 0.9
    assert isinstance(DenseIndex.open(tmp_path).vectors(), np.memmap)
