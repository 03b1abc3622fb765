"""The agent step inside `rag.answer` and `RagModel`: tool results come first as numbered sources,
retrieval fills the rest, and a question no tool applies to is answered from retrieval exactly as
with tools off. Small synthetic knowledge base, the tiny random model, real vocabularies."""

from __future__ import annotations

from typing import Any

import pytest

from medllm.core.records import Document
from medllm.knowledge.config import KbConfig
from medllm.knowledge.index import build_index
from medllm.knowledge.retrievers import get_retriever
from medllm.models import ModelConfig, parse_spec
from medllm.rag import RagSettings, answer
from medllm.rag.model import RagModel

DOCS = [
    (
        "gout",
        "Gout is arthritis caused by uric acid crystals; the big toe becomes red and swollen.",
    ),
    (
        "diabetes",
        "Type 2 diabetes is a chronic disease of high blood glucose and insulin resistance.",
    ),
    ("scurvy", "Scurvy results from vitamin C deficiency and causes bleeding gums."),
]
# the tiny model has a 1,024-token window: keep tool entries short
ON = RagSettings(tools=True, max_tokens=16, max_tool_chars=300)
OFF = RagSettings(tools=False, max_tokens=16)


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp("toolkb") / "kb"
    docs = [Document(id=f"syn:{n}", text=t, title=n, source="synthetic") for n, t in DOCS]
    build_index(KbConfig(folder=folder, sources=[]), docs=docs)
    return get_retriever("hybrid", folder)


def view(out: Any) -> list[tuple[int, str, str]]:
    return [(s.n, s.doc_id, s.tool) for s in out.sources]


def test_question_no_tool_applies_to_falls_back_to_retrieval(
    retriever: Any, tiny_model: Any
) -> None:
    q = "Which crystals cause the swelling of gout in the big toe?"
    on = answer(q, tiny_model, retriever, ON)
    off = answer(q, tiny_model, retriever, OFF)
    assert on.tool_calls == () and view(on) == view(off)
    assert (on.relevance, on.reason, on.draft) == (off.relevance, off.reason, off.draft)
    assert view(on)[0] == (1, "syn:gout", "")


def test_tool_results_come_first_then_retrieval(retriever: Any, tiny_model: Any) -> None:
    q = "icd10 for type 2 diabetes without complications pls"
    out = answer(q, tiny_model, retriever, ON)
    assert [(c.tool, c.query) for c in out.tool_calls] == [
        ("icd10cm", "type 2 diabetes without complications")
    ]
    assert view(out) == [
        (1, "icd10cm:E11.9", "icd10cm"),
        (2, "icd10cm:E11.A", "icd10cm"),
        (3, "icd10cm:E11.39", "icd10cm"),
        (4, "syn:diabetes", ""),  # k=4: one retrieved source is always kept
    ]
    assert out.sources[0].chunk_id == "icd10cm:E11.9#icd10cm"
    assert out.sources[0].text.startswith("ICD-10-CM E11.9: Type 2 diabetes mellitus without")
    assert out.relevance == 1.0  # an exact tool result is relevant by construction
    d = out.to_dict()
    assert d["sources"][0]["tool"] == "icd10cm" and d["sources"][3]["tool"] == ""
    assert d["tool_calls"][0]["tool"] == "icd10cm"


def test_tools_that_find_nothing_leave_retrieval_as_it_was(retriever: Any, tiny_model: Any) -> None:
    q = "mesh id for qqzxv"
    on = answer(q, tiny_model, retriever, ON)
    off = answer(q, tiny_model, retriever, OFF)
    assert [(c.tool, c.query) for c in on.tool_calls] == [("mesh", "qqzxv")]
    assert view(on) == view(off) and all(s.tool == "" for s in on.sources)
    assert on.relevance == off.relevance


def test_rag_model_with_tools(retriever: Any, tiny_model: Any) -> None:
    plain = RagModel(tiny_model, retriever, k=2)
    tooled = RagModel(tiny_model, retriever, k=2, tools=True)
    prompt = "Question: hpo def of arachnodactyly\nA. long fingers\nB. short fingers\nAnswer:"
    ctx = tooled.augment(prompt)
    assert '<source id="1">\nHPO HP:0001166: Arachnodactyly' in ctx
    assert "HPO HP:0001166" not in plain.augment(prompt)
    assert tooled.id.endswith("+rag(hybrid,k=2,tools=rules)")
    assert tooled.state_digest() != plain.state_digest()


def test_rag_spec_option_tools() -> None:
    spec, query = parse_spec("rag:llamacpp:default?tools=true")
    assert (spec.backend, spec.target, query) == ("rag", "llamacpp:default", {"tools": "true"})
    assert ModelConfig.model_validate({"spec": "rag:llamacpp:default", **query}).tools is True
    assert ModelConfig().tools is False


def test_ask_help_documents_tools() -> None:
    from typer.testing import CliRunner

    from medllm.cli import app

    out = CliRunner().invoke(app, ["ask", "--help"], env={"COLUMNS": "200"}).output
    text = " ".join(out.replace("│", " ").split())
    assert "--tools --no-tools" in text and "--rag --plain" in text
