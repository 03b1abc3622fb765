"""The rule router on questions written for these tests (abbreviations, typos, ids in several
spellings); none comes from the hand-written evaluation question set."""

from __future__ import annotations

import pytest

from medllm.rag.tools import RuleRouter
from medllm.rag.tools.router import intents, topic

CASES = [
    # ids, with and without a keyword
    ("What does E11.9 mean?", [("icd10cm", "E11.9")]),
    ("icd 10 e119?", [("icd10cm", "E11.9")]),
    ("is S72.001A billable", [("icd10cm", "S72.001A")]),
    ("HP:0001250", [("hpo", "HP:0001250")]),
    ("what is hp_0001166", [("hpo", "HP:0001166")]),
    ("D003920", [("mesh", "D003920")]),
    ("OMIM:154700 features", [("disease", "OMIM:154700")]),
    ("orpha 558 inheritance", [("disease", "orpha 558")]),
    # ICD-10-CM wording, abbreviations, typos
    ("icd10 for iron deficiency anemia pls", [("icd10cm", "iron deficiency anemia")]),
    (
        "Which ICD-10-CM code is used for iron deficiency anemia?",
        [("icd10cm", "iron deficiency anemia")],
    ),
    ("icd10 for htn", [("icd10cm", "hypertension")]),
    (
        "dx code for t2dm w/o complications",
        [("icd10cm", "type 2 diabetes mellitus without complications")],
    ),
    ("billing code asthma", [("icd10cm", "asthma")]),
    ("what's the code for gout", [("icd10cm", "gout")]),
    # HPO wording
    ("hpo def of arachnodactyly", [("hpo", "arachnodactyly")]),
    ("definiton of hypotonia", [("define", "hypotonia"), ("hpo", "hypotonia")]),
    ("synonyms for seizure?", [("define", "seizure"), ("hpo", "seizure")]),
    ("hpo code for seizures", [("hpo", "seizures")]),
    # differential wording
    (
        "ddx: seizures, microcephaly, hypotonia",
        [("differential", "ddx: seizures, microcephaly, hypotonia")],
    ),
    (
        "dx that fits these findings? tall stature, arachnodactyly",
        [("differential", "dx that fits these findings? tall stature, arachnodactyly")],
    ),
    (
        "diferential for ectopia lentis and tall stature",
        [("differential", "diferential for ectopia lentis and tall stature")],
    ),
    (
        "which syndrome has ectopia lentis + arachnodactyly",
        [("differential", "which syndrome has ectopia lentis + arachnodactyly")],
    ),
    (
        "4yo boy with macrocephaly and seizures",
        [("differential", "4yo boy with macrocephaly and seizures")],
    ),
    (
        "HP:0001166 HP:0001083 what disease",
        [
            ("hpo", "HP:0001166"),
            ("hpo", "HP:0001083"),
            ("differential", "HP:0001166 HP:0001083 what disease"),
        ],
    ),
    # disease wording
    ("inheritence of marfan syndrome", [("disease", "marfan syndrome")]),
    ("how is cystic fibrosis inherited", [("disease", "cystic fibrosis")]),
    ("clinical features of marfan syndrome", [("disease", "marfan syndrome")]),
    # definitions: "what is X", "X def", "explain X", a name alone
    ("What is iron deficiency anemia?", [("define", "iron deficiency anemia")]),
    ("What causes gout?", [("define", "gout")]),
    ("explain sarcoidosis to me", [("define", "sarcoidosis")]),
    ("pancreas definition", [("define", "pancreas"), ("hpo", "pancreas")]),
    ("marfan syndrome?", [("define", "marfan syndrome")]),
    ("leber congenital amaurosis 1 = ?", [("define", "leber congenital amaurosis 1")]),
    ("what is the diaphragm anatomically", [("define", "diaphragm")]),
    # findings typed as a list, with no routing word: the differential
    (
        "cafe-au-lait spots, axillary freckling, lisch nodules -> ?",
        [("differential", "cafe-au-lait spots, axillary freckling, lisch nodules -> ?")],
    ),
    ("what is the mesh id of gout", [("mesh", "gout")]),
    ("features of noonan syndrome?", [("disease", "noonan syndrome")]),
    ("noonan syndrome features", [("disease", "noonan syndrome")]),
    # MeSH, EML
    ("mesh id for asthma", [("mesh", "asthma")]),
    ("MeSH heading for heart failure?", [("mesh", "heading heart failure")]),
    ("which EML section has hydrocortisone", [("eml", "hydrocortisone")]),
    ("is metformin on the WHO essential medicines list", [("eml", "metformin")]),
    ("essential meds in the antimalarial section", [("eml", "antimalarial")]),
]


@pytest.mark.parametrize(("question", "calls"), CASES)
def test_rule_router(question: str, calls: list[tuple[str, str]]) -> None:
    assert [(c.tool, c.query) for c in RuleRouter().route(question)] == calls


@pytest.mark.parametrize(
    "question",
    [
        "Which crystals cause the swelling of gout in the big toe?",
        "How does metformin lower blood glucose?",
        "Who painted the ceiling of the Sistine Chapel?",
        "vitamin b12 dose for adults",
        "",
    ],
)
def test_questions_no_tool_applies_to(question: str) -> None:
    assert RuleRouter().route(question) == []


def test_a_plain_word_code_is_icd_only_when_no_other_vocabulary_is_named() -> None:
    assert intents("code for asthma") == {"icd10cm"}
    assert intents("mesh code for asthma") == {"mesh"}
    assert intents("hpo code for seizure") == {"hpo"}


def test_topic_drops_routing_words_ids_and_filler() -> None:
    assert (
        topic("pls give me the icd-10-cm code for COPD?") == "chronic obstructive pulmonary disease"
    )
    assert topic("HP:0001250 synonyms") == ""
