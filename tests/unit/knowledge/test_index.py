"""Build, idempotent rebuild, incremental add, rewrite with vector reuse, resume."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from medllm.core.records import Document
from medllm.knowledge.config import KbConfig
from medllm.knowledge.dense import DenseIndex
from medllm.knowledge.index import BuildReport, build_index, read_manifest
from medllm.knowledge.kb import KnowledgeBase


def test_small_kb_counts(small_kb: tuple[Path, BuildReport]) -> None:
    folder, report = small_kb
    m = read_manifest(folder)
    assert m["n_docs"] == 3 + 1 + 8 and m["n_chunks"] == m["dense_rows"] >= 12
    assert report.added == 8 and report.embedded == 8 and not report.rewritten
    assert m["by_source"]["synthetic"] == 8


def test_rebuild_is_idempotent(small_kb: tuple[Path, BuildReport], fixtures_dir: Path) -> None:
    folder, _ = small_kb
    cfg = KbConfig(
        folder=folder,
        sources=[],
        add=[fixtures_dir / "notes.jsonl", fixtures_dir / "guide.md"],
        deid=False,
    )
    before = (folder / "dense" / "vectors.f16").read_bytes()
    report = build_index(cfg)
    assert (report.added, report.embedded, report.rewritten) == (0, 0, False)
    assert (folder / "dense" / "vectors.f16").read_bytes() == before
    assert len(report.errors) == 2  # the two bad JSONL lines, reported again, never indexed


def test_changed_document_rewrites_and_reuses_vectors(
    tmp_path: Path, synthetic_docs: list[Document]
) -> None:
    cfg = KbConfig(folder=tmp_path / "kb", sources=[])
    docs = synthetic_docs[:4]
    build_index(cfg, docs=docs)
    old = DenseIndex.open(tmp_path / "kb" / "dense").vectors().copy()
    changed = [*docs[:3], Document(id=docs[3].id, text="Rickets: soft bones.", source="synthetic")]
    report = build_index(cfg, docs=changed)
    assert report.rewritten and report.embedded == 1  # only the changed chunk is embedded again
    new = DenseIndex.open(tmp_path / "kb" / "dense").vectors()
    assert np.array_equal(new[:3], old[:3]) and not np.array_equal(new[3], old[3])
    kb = KnowledgeBase(tmp_path / "kb")
    assert kb.get("syn:rickets#0").text == "Rickets: soft bones."  # type: ignore[union-attr]


def test_interrupted_build_resumes(tmp_path: Path, synthetic_docs: list[Document]) -> None:
    from medllm.knowledge.embed import embed

    cfg = KbConfig(folder=tmp_path / "kb", sources=[], dense=False)
    docs = synthetic_docs[:3]
    build_index(cfg, docs=docs)
    assert read_manifest(tmp_path / "kb")["dense_rows"] == 0
    # a build stopped after embedding the first batch: one of three chunks has its vector
    dense = DenseIndex.open(tmp_path / "kb" / "dense")
    dense.add(embed([docs[0].text]))
    report = build_index(KbConfig(folder=tmp_path / "kb", sources=[]), docs=docs)
    assert report.embedded == 2 and read_manifest(tmp_path / "kb")["dense_rows"] == 3
    # vectors written beyond the stored chunks (a crash mid-batch) are dropped, not served
    (tmp_path / "kb" / "dense" / "vectors.f16").open("ab").write(
        np.zeros(384, np.float16).tobytes()
    )
    report = build_index(KbConfig(folder=tmp_path / "kb", sources=[]), docs=docs)
    assert report.embedded == 0 and len(DenseIndex.open(tmp_path / "kb" / "dense")) == 3
    fresh = embed([d.text for d in docs])
    stored = DenseIndex.open(tmp_path / "kb" / "dense").vectors().astype(np.float32)
    assert np.allclose(np.sum(fresh * stored, axis=1), 1.0, atol=1e-2)


def test_duplicate_ids_are_reported(tmp_path: Path, synthetic_docs: list[Document]) -> None:
    docs = [*synthetic_docs[:2], Document(id="syn:asthma", text="again", source="synthetic")]
    report = build_index(KbConfig(folder=tmp_path / "kb", sources=[], dense=False), docs=docs)
    assert report.n_docs == 2 and [str(e) for e in report.errors] == [
        'field "id": duplicate document id: repeat skipped (fix: give every document a unique id)'
    ]  # the id itself is not echoed: user ids can be PHI


def test_deid_flag_redacts_user_documents(tmp_path: Path) -> None:
    notes = tmp_path / "notes.jsonl"
    notes.write_text(
        '{"id": "n1", "text": "Seen on 03/04/2021, MRN 6093571, phone 617-555-0199. Gout flare."}\n'
    )
    cfg = KbConfig(folder=tmp_path / "kb", sources=[], add=[notes], deid=True, dense=False)
    build_index(cfg)
    (chunk,) = KnowledgeBase(tmp_path / "kb").store.by_rows([0])  # its id is pseudonymised
    text = chunk.text
    assert "Gout flare" in text
    assert "617-555-0199" not in text and "6093571" not in text


def test_rebuild_with_new_query_knobs_changes_the_loaded_index(
    tmp_path: Path, synthetic_docs: list[Document]
) -> None:
    build_index(KbConfig(folder=tmp_path / "kb", sources=[]), docs=synthetic_docs[:3])
    report = build_index(
        KbConfig(folder=tmp_path / "kb", sources=[], nprobe=5, rerank=50), docs=synthetic_docs[:3]
    )
    assert (report.added, report.embedded, report.rewritten) == (0, 0, False)
    params = KnowledgeBase(tmp_path / "kb").dense.params
    assert (params.nprobe, params.rerank) == (5, 50)
