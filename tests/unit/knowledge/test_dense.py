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


def _recall(index: DenseIndex, q: np.ndarray, x: np.ndarray) -> float:
    _, got = index.search(q, 10)
    _, exact = _exact(q, x, 10)
    return float(np.mean([len(set(g) & set(e)) / 10 for g, e in zip(got, exact, strict=True)]))


def test_nprobe_and_rerank_of_a_later_open_are_used_and_kept(tmp_path: Path) -> None:
    """The query knobs are not frozen at the first build: opening with new ones (what a build
    with a new config does) changes how this and every later load searches."""
    x, q = _clustered(3000, 32, 0), _clustered(50, 32, 1)
    index = DenseIndex.open(
        tmp_path, DenseParams(dim=32, m=8, nprobe=16, rerank=100, min_train=2500)
    )
    index.add(x)
    nlist = index.params.nlist
    assert index.params.trained_on == 3000 and nlist == 110
    wide = DenseIndex.open(tmp_path, DenseParams(dim=32, m=8, nprobe=nlist, rerank=3000))
    assert _recall(wide, q, x) == 1.0  # every list scanned, every vector re-scored: exact
    narrow = DenseIndex.open(tmp_path, DenseParams(dim=32, m=8, nprobe=1, rerank=10))
    assert _recall(narrow, q, x) < 0.9
    later = DenseIndex.open(tmp_path)  # a plain load (KnowledgeBase) keeps the last knobs
    assert (later.params.nprobe, later.params.rerank, later.params.nlist) == (1, 10, nlist)
    assert _recall(later, q, x) == _recall(narrow, q, x)


def test_a_rewrite_reusing_the_vectors_of_a_trained_index_trains_its_own(tmp_path: Path) -> None:
    """The rewrite of a KB whose IVF-PQ is trained copies the vectors into a fresh folder; with the
    old `trained_on` copied too, the first add opened an IVF file the rewrite never wrote."""
    from medllm.knowledge.index import rewrite_params

    rng = np.random.default_rng(1)
    x = rng.standard_normal((3000, 32)).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    old = DenseIndex.open(tmp_path / "kb" / "dense", DenseParams(dim=32, m=8, min_train=2500))
    old.add(x)
    assert old.params.trained_on == 3000
    params = rewrite_params(tmp_path / "kb")
    assert (params.trained_on, params.nlist, params.min_train, params.m) == (0, 0, 2500, 8)
    new = DenseIndex.open(tmp_path / "kb.rewrite" / "dense", params)
    new.add(x[:1000])
    new.add(x[1000:2800])
    assert new.params.trained_on == 2800
    _, rows = new.search(x[:5], 1)
    assert rows[:, 0].tolist() == [0, 1, 2, 3, 4]
