"""Cache keys: a RAG-wrapped model is keyed by its knowledge base, every key by the code version."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medllm.core.records import Document
from medllm.evaluate import cache
from medllm.evaluate.cache import call_key, model_fingerprint
from medllm.evaluate.runner import run_eval
from medllm.knowledge.config import KbConfig
from medllm.knowledge.index import build_index
from medllm.knowledge.retrievers import get_retriever
from medllm.rag.model import RagModel


def _kb(folder: Path, text: str) -> Any:
    """A one-document lexical knowledge base in `folder` (rebuilt when `text` changes)."""
    docs = [Document(id="syn:gout", text=text, title="gout", source="synthetic")]
    build_index(KbConfig(folder=folder, sources=[], dense=False), docs=docs)
    return get_retriever("bm25", folder)


def test_rag_fingerprint_follows_the_knowledge_base(tiny_model: Any, tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    before = RagModel(tiny_model, _kb(folder, "Gout is caused by uric acid crystals."), k=3)
    fp_before = model_fingerprint(before)
    after = RagModel(tiny_model, _kb(folder, "Gout is caused by monosodium urate."), k=3)
    assert after.id == before.id  # same name: only the fingerprint can tell them apart
    assert model_fingerprint(after) != fp_before
    assert call_key(model_fingerprint(after), "chat", [["user", "Q"]], None) != call_key(
        fp_before, "chat", [["user", "Q"]], None
    )
    # the same knowledge base and k: the same fingerprint, so the cache still serves
    assert model_fingerprint(RagModel(tiny_model, after.retriever, k=3)) == model_fingerprint(after)
    assert model_fingerprint(tiny_model) in fp_before  # the inner weights' digest is part of it


def test_code_version_salts_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = call_key("llamacpp:default", "loglik", ["Q", " A"], None)
    monkeypatch.setattr(cache, "SCORING_VERSION", cache.SCORING_VERSION + 1)
    assert call_key("llamacpp:default", "loglik", ["Q", " A"], None) != key


def test_a_rebuilt_knowledge_base_is_not_served_from_the_cache(
    tiny_model: Any, tmp_path: Path
) -> None:
    folder, db = tmp_path / "kb", tmp_path / "cache.sqlite"

    def hits(rag: RagModel, run: str) -> int:
        run_eval(rag, "mmlu_medical", mode="loglik", limit=2, cache=db, out_dir=tmp_path / run)
        return int(json.loads((tmp_path / run / "run.json").read_text())["cache_hits"])

    first = RagModel(tiny_model, _kb(folder, "Gout is caused by uric acid crystals."), k=1)
    assert hits(first, "a") == 0
    rebuilt = RagModel(tiny_model, _kb(folder, "Gout is caused by monosodium urate."), k=1)
    assert hits(rebuilt, "b") == 0  # same name, rebuilt knowledge base: nothing stale is served
    assert hits(rebuilt, "c") == 8  # unchanged: all 2 items x 4 letter requests come from the cache
