"""What makes the main job answer realistic questions: definitions by name, the out-of-scope
gate, unsupported sentences dropped, an exact tool hit's fact stated, British spellings and MeSH's
inverted names read, unknown words kept out of an "exact" ICD-10-CM match. Real vocabularies;
questions written for these tests, none from the evaluation question set."""

from __future__ import annotations

import pytest

from medllm.rag.facts import lead_fact
from medllm.rag.prompt import Source
from medllm.rag.registry import tools
from medllm.rag.scope import out_of_scope
from medllm.rag.support import trim_unsupported
from medllm.rag.tools.abbreviations import expand
from medllm.rag.tools.mesh import uninverted
from medllm.rag.tools.text import words


def run(tool: str, query: str, k: int = 3) -> list[tuple[str, float]]:
    return [(f.chunk.doc_id, round(f.score, 3)) for f in tools.get(tool)().run(query, k)]


def test_define_finds_mondo_uberon_and_uniprot_entries_by_name() -> None:
    assert run("define", "bronchiectasis") == [("mondo:MONDO:0004822", 1.0)]
    assert run("define", "thymus gland") == [("uberon:UBERON:0002370", 1.0)]
    # UniProt's name, and MONDO's entry of the same disease spelled with "type"
    assert run("define", "hemochromatosis 1") == [
        ("uniprot_disease:DI-01714", 1.0),
        ("mondo:MONDO:0021001", 1.0),
    ]
    # a name both hold: MONDO first, then UniProt
    assert run("define", "wilson disease") == [
        ("mondo:MONDO:0010200", 1.0),
        ("uniprot_disease:DI-01146", 1.0),
    ]
    text = tools.get("define")().run("bronchiectasis", 1)[0].chunk.text
    assert text.startswith(
        "bronchiectasis (MONDO:0004822): Segmental, irreversible dilation of the bronchial tree"
    )


def test_a_dropped_syndrome_is_added_back() -> None:
    assert run("define", "smith lemli opitz")[0] == ("mondo:MONDO:0010035", 1.0)
    assert run("disease", "smith lemli opitz")[0] == ("hpo_disease:OMIM:270400", 1.0)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("warfarin dose after a mechanical valve?", "dosing information"),
        ("paracetamol mg/kg for a 12 kg child", "dosing information"),
        ("is it safe to take ibuprofen together with lisinopril", "drug interactions"),
        ("sertraline + linezolid", "drug interactions"),
        ("NICE advice on first-line treatment of hypertension", "guideline recommendations"),
        ("prognosis of pancreatic cancer stage 4", "prognosis"),
        ("CPT code for colonoscopy", "codes of other code sets"),
        ("icd-11 code for asthma", "codes of other code sets"),
        ("how much does an MRI cost", "prices or insurance"),
        ("insulin prices in canada", "prices or insurance"),
        ("measles cases reported this week", "current events"),
        ("our ward policy on fall prevention", "local policy"),
    ],
)
def test_out_of_scope_topics(question: str, topic: str) -> None:
    assert out_of_scope(question) == topic


@pytest.mark.parametrize(
    "question",
    [
        "icd10 for iron deficiency anemia",
        "what is bronchiectasis",
        "which EML section lists amoxicillin",
        "how is marfan syndrome inherited",
        "hpo term for seizures",
        "mesh id for asthma",
        "tall stature, arachnodactyly, ectopia lentis: dx?",
    ],
)
def test_questions_the_vocabularies_answer_are_in_scope(question: str) -> None:
    assert out_of_scope(question) == ""


def source(n: int, text: str, tool: str = "", score: float = 0.5, doc_id: str = "x:1") -> Source:
    return Source(n, f"{doc_id}#{tool}", doc_id, "t", "s", "", score, text, 0, tool)


def test_an_invented_sentence_is_dropped_and_a_supported_one_kept() -> None:
    src = [source(1, "Fabry disease is inherited in an X-linked recessive manner.")]
    draft = (
        "Fabry disease is inherited in an X-linked recessive manner [1]. "
        "It is treated with weekly chocolate infusions in Norway."
    )
    got = trim_unsupported(draft, src, 0.5)
    assert got.text == "Fabry disease is inherited in an X-linked recessive manner [1]."
    assert (len(got.kept), got.dropped, got.kept[0][1]) == (1, 1, 1)
    assert trim_unsupported("I do not know.", src, 0.5).text == ""


def test_a_sentence_with_a_code_no_source_shows_is_dropped() -> None:
    src = [source(1, "ICD-10-CM E11.9: Type 2 diabetes mellitus without complications")]
    right = "The code for type 2 diabetes mellitus without complications is E11.9 [1]."
    wrong = "The code for type 2 diabetes mellitus without complications is M10.9 [1]."
    assert trim_unsupported(right, src, 0.5).text == right
    assert (trim_unsupported(wrong, src, 0.5).text, trim_unsupported(wrong, src, 0.5).dropped) == (
        "",
        1,
    )


def test_an_exact_hit_leads_when_the_draft_leaves_its_id_out() -> None:
    hit = source(
        1,
        "HPO HP:0001252: Hypotonia\nDefinition: low muscle tone.",
        "hpo",
        1.0,
        "hpo:HP:0001252",
    )
    assert lead_fact("The HPO ID for hypotonia is [1].", [hit]) == "HPO HP:0001252: Hypotonia [1]."
    assert lead_fact("Hypotonia is HP:0001252 [1].", [hit]) == ""
    # the id without the name, or a longer id that contains it, has not stated the fact
    assert lead_fact("HP:0001252 is a phenotype [1].", [hit]) == "HPO HP:0001252: Hypotonia [1]."
    category = source(
        1, "ICD-10-CM J18: Pneumonia, unspecified organism", "icd10cm", 1.0, "icd:J18"
    )
    assert lead_fact("Pneumonia, unspecified organism is J18.0 [1].", [category]) != ""
    ranked = source(1, hit.text, "hpo", 0.6, "hpo:HP:0001252")
    assert lead_fact("The HPO ID for hypotonia is [1].", [ranked]) == ""
    define = source(1, "thymus (UBERON:0002370): lymphoid organ.", "define", 1.0, "uberon:U")
    assert lead_fact("It is an organ [1].", [define]) == ""


def test_an_eml_hit_states_its_section() -> None:
    hit = source(
        1,
        "WHO essential medicine: haloperidol\nListed in 1 section(s) of the EML:\n"
        "- MEDICINES FOR MENTAL AND BEHAVIOURAL DISORDERS > Medicines used in psychotic "
        "disorders — Tablet: 2 mg.",
        "eml",
        1.0,
        "who_medicine:meds_em398",
    )
    assert lead_fact("It is listed in [1].", [hit]) == (
        "haloperidol is listed in the WHO EML under MEDICINES FOR MENTAL AND BEHAVIOURAL "
        "DISORDERS > Medicines used in psychotic disorders [1]."
    )


def test_british_spellings_and_inverted_mesh_names() -> None:
    assert words("anaemia oesophagus paediatric tumour diarrhoea haemorrhage aerobic") == [
        "anemia",
        "esophagus",
        "pediatric",
        "tumor",
        "diarrhea",
        "hemorrhage",
        "aerobic",
    ]
    assert uninverted("Anemia, Iron-Deficiency") == "Iron-Deficiency Anemia"
    assert uninverted("Down Syndrome") == ""
    assert run("mesh", "iron deficiency anaemia") == [("mesh:D018798", 1.0)]
    assert run("mesh", expand("sle")) == [("mesh:D008180", 1.0)]
    assert run("mesh", "alzheimers")[0] == ("mesh:D000544", 1.0)  # "disease" added back


def test_an_unknown_word_keeps_an_icd_match_from_counting_as_exact() -> None:
    assert run("icd10cm", "encounter zzfrobnication")[0][1] < 0.5
    assert run("icd10cm", expand("encounter for chemo"))[0] == ("icd10cm:Z51.11", 1.0)


def test_a_billable_code_comes_before_its_category_of_the_same_words() -> None:
    assert run("icd10cm", "pneumonia organism unspecified", 2) == [
        ("icd10cm:J18.9", 1.0),
        ("icd10cm:J18", 1.0),
    ]
