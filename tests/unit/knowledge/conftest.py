"""A small real knowledge base (user fixtures + synthetic documents), embedded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest
from kb_testdata import FIX, topic_docs

from medllm.knowledge.config import KbConfig
from medllm.knowledge.index import BuildReport, build_index


@pytest.fixture(scope="session")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    folder = tmp_path_factory.mktemp("kb") / "kb"
    cfg = KbConfig(folder=folder, sources=[], add=[FIX / "notes.jsonl", FIX / "guide.md"])
    build_index(cfg)
    report = build_index(cfg, docs=topic_docs())
    return folder, report
