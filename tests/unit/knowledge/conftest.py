"""A small real knowledge base (user fixtures + synthetic documents), embedded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core.records import Document
from medllm.knowledge.config import KbConfig
from medllm.knowledge.index import BuildReport, build_index

FIX = Path(__file__).parents[2] / "fixtures" / "knowledge"

TOPICS = [
    (
        "asthma",
        "Asthma is chronic airway inflammation with wheeze; inhaled salbutamol relieves attacks.",
    ),
    (
        "gout",
        "Gout is arthritis caused by uric acid crystals; the big toe joint becomes red and swollen.",
    ),
    (
        "scurvy",
        "Scurvy results from vitamin C deficiency and causes bleeding gums and poor wound healing.",
    ),
    ("rickets", "Rickets is softening of bones in children due to vitamin D deficiency."),
    ("migraine", "Migraine is a recurrent headache with nausea and sensitivity to light."),
    (
        "anaemia",
        "Iron deficiency anaemia causes fatigue and pale skin; oral iron restores haemoglobin.",
    ),
    (
        "tetanus",
        "Tetanus is caused by Clostridium tetani toxin and produces muscle spasms and lockjaw.",
    ),
    ("glaucoma", "Glaucoma damages the optic nerve, often with raised intraocular pressure."),
]


def topic_docs() -> list[Document]:
    return [Document(id=f"syn:{n}", text=t, title=n.title(), source="synthetic") for n, t in TOPICS]


@pytest.fixture(name="fixtures_dir")
def _fixtures_dir() -> Path:
    return FIX


@pytest.fixture(name="synthetic_docs")
def _synthetic_docs() -> list[Document]:
    return topic_docs()


@pytest.fixture(scope="session")
def small_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    folder = tmp_path_factory.mktemp("kb") / "kb"
    # the fixtures are synthetic guidelines, no PHI: indexed as given (ids kept)
    cfg = KbConfig(
        folder=folder, sources=[], add=[FIX / "notes.jsonl", FIX / "guide.md"], deid=False
    )
    build_index(cfg)
    report = build_index(cfg, docs=topic_docs())
    return folder, report
