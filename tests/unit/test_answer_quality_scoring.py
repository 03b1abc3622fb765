"""benchmarks/answer_quality.py's scoring: key facts, citations (gold "source:id" against the chunk
and tool ids medllm cites), abstention in the text, and the per-arm metrics, on hand-made rows."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).parents[2] / "benchmarks"


@pytest.fixture(scope="module")
def aq() -> ModuleType:
    spec = importlib.util.spec_from_file_location("answer_quality", BENCH / "answer_quality.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_key_fact_is_any_key_case_insensitively(aq: ModuleType) -> None:
    keys = ["E11.9", "E119"]
    assert aq.key_hit("The code is E11.9 [1].", keys) is True
    assert aq.key_hit("code e119", keys) is True
    assert aq.key_hit("Use E11.65 for hyperglycemia.", keys) is False
    assert aq.key_hit("Essential hypertension is i10.", ["I10"]) is True
    assert aq.key_hit("anything", []) is False


@pytest.mark.parametrize(
    ("cited", "compared"),
    [
        ("icd10cm:E11.9", "e119"),
        ("icd10cm:E11.9#0", "e119"),  # a stored chunk of the record
        ("icd10cm:E11.9#icd10cm", "e119"),  # the icd10cm tool's entry
        ("hpo:HP:0001250#hpo", "hp0001250"),
        ("hpo_disease:OMIM:154700#0", "omim154700"),
        ("uniprot_disease:DI-01466", "di01466"),
        ("mondo:MONDO:0001356#0", "mondo0001356"),
        ("who_medicine:meds_em337#eml", "meds_em337"),
        ("who_category:em_18_5", "em_18_5"),
    ],
)
def test_record_id_drops_source_suffix_and_punctuation(
    aq: ModuleType, cited: str, compared: str
) -> None:
    assert aq.record_id(cited) == compared


def test_citation_matches_gold_after_the_first_colon(aq: ModuleType) -> None:
    assert aq.citation_ok(["icd10cm:E11.9#0"], ["icd10cm:E11.9"]) is True
    assert aq.citation_ok(["icd10cm:E11.9#icd10cm"], ["icd10cm:E11.9"]) is True
    # the KB's source name differs from the gold one; the vocabulary's id is what counts
    assert aq.citation_ok(["uniprot_disease:DI-01466#0"], ["uniprot:DI-01466"]) is True
    assert aq.citation_ok(["mesh:D003920", "icd10cm:E10.9#0"], ["icd10cm:E11.9"]) is False
    assert aq.citation_ok(["icd10cm:E11.90#0"], ["icd10cm:E11.9"]) is False
    assert aq.citation_ok([], ["icd10cm:E11.9"]) is False
    # `_` is kept: these are two sections (1.1.1 inhalational anaesthetics, 11.1 blood products)
    assert aq.citation_ok(["who_category:em_11_1"], ["who_category:em_1_1_1"]) is False


def test_cited_eml_section_stands_for_its_categories(aq: ModuleType) -> None:
    sections = {"A > B": ["em_1_1_1"], "C > D": ["em_12_5", "em_12_6"]}
    gold = ["who_category:em_12_6", "who_medicine:meds_em200"]
    assert aq.citation_ok(["who_medicine_section:C > D#eml"], gold, sections) is True
    assert aq.citation_ok(["who_medicine_section:A > B#eml"], gold, sections) is False
    assert aq.cited_ids(["who_medicine_section:C > D#eml"], sections) == {"em_12_5", "em_12_6"}


def test_eml_sections_read_from_the_installed_list(aq: ModuleType) -> None:
    sections = aq.eml_sections()
    inhal = "ANAESTHETICS > General anaesthetics and oxygen > Inhalational medicines"
    assert sections[inhal] == ["em_1_1_1"]
    assert sorted(sections["CARDIOVASCULAR MEDICINES > Antithrombotic medicines"]) == [
        "em_12_5",
        "em_12_6",
    ]


def test_abstention_in_the_text(aq: ModuleType) -> None:
    from medllm.rag.grounded import ABSTAIN

    assert aq.says_unsure(ABSTAIN.format(why="no source is relevant enough")) is True
    assert aq.says_unsure("I'm not sure about the dose.") is True
    assert aq.says_unsure("I don't know.") is True
    assert aq.says_unsure("The sources do not mention a CPT code.") is True
    assert aq.says_unsure("The ICD-10-CM code is E11.9 [1].") is False


def test_first_n_questions_per_kind(aq: ModuleType) -> None:
    qs = aq.questions("dev", 2)
    assert len(qs) == 22  # 11 kinds
    assert {q["half"] for q in qs} == {"dev"}
    assert qs[0]["id"] == "icd_code-001"
    assert len(aq.questions("dev", None)) == 281  # 171 + the second dev set's 110
    assert len(aq.questions("test", None)) == 165


def test_metrics_of_hand_made_rows(aq: ModuleType) -> None:
    qs = {
        "a1": {"answerable": True, "kind": "icd_code"},
        "a2": {"answerable": True, "kind": "icd_code"},
        "a3": {"answerable": True, "kind": "mesh"},
        "a4": {"answerable": True, "kind": "mesh"},
        "u1": {"answerable": False, "kind": "unanswerable", "topic": "dose"},
        "u2": {"answerable": False, "kind": "unanswerable", "topic": "cost"},
        "i1": {"answerable": True, "kind": "injection"},
        "i2": {"answerable": False, "kind": "injection"},
    }
    base = aq.Row(
        id="",
        kind="",
        arm="rag",
        tier="small",
        answer="",
        abstained=False,
        abstained_by="",
        key_hit=False,
        cited_ok=None,
        seconds=1.0,
    )

    def row(i: str, **kw: object) -> object:
        return replace(base, id=i, kind=qs[i]["kind"], **kw)

    gate = {"abstained": True, "abstained_by": "gate:low_relevance"}
    rows = [
        row("a1", key_hit=True, cited_ok=True, gold_in_sources=True),  # right, cited
        row("a2", key_hit=True, cited_ok=False, gold_in_sources=True, seconds=3.0),  # right
        row("a3", key_hit=True, cited_ok=True, gold_in_sources=False, **gate),  # withheld
        row("a4", key_hit=False, cited_ok=False, gold_in_sources=False),  # wrong
        row("u1", **gate),
        row("u2"),  # answered an unanswerable one
        row("i1", key_hit=True, canary_hit=True, canary_in_draft=True),
        row("i2", abstained=True, abstained_by="text", canary_in_draft=True),
    ]
    m = aq.metrics(rows, qs)
    assert m["n"] == 8
    assert m["answer_acc"] == 0.5  # a1, a2 of a1..a4
    assert m["citation_acc"] == 0.3333  # a1 of the answered a1, a2, a4 (a3 was withheld)
    assert m["abstain_rate_unanswerable"] == 0.5
    assert m["abstain_rate_answerable"] == 0.25
    assert m["injection_followed"] == 1
    assert m["injection_followed_in_draft"] == 2
    assert m["injection_questions"] == 2
    assert m["s_per_question"] == 1.25  # (7 x 1 s + 3 s) / 8
    assert m["per_kind"] == {
        "icd_code": {"n": 2, "answer_acc": 1.0},
        "injection": {"n": 1, "answer_acc": 1.0},
        "mesh": {"n": 2, "answer_acc": 0.0},
    }
    assert m["abstain_rate_unanswerable_by_topic"] == {"cost": 0.0, "dose": 1.0}
    assert m["abstained_by"] == {"gate:low_relevance": 2, "text": 1}
    assert m["answerable_gold_in_sources"] == 0.5
    plain = aq.metrics([replace(r, arm="plain") for r in rows], qs)
    assert plain["citation_acc"] is None
    assert plain["answerable_gold_in_sources"] is None
