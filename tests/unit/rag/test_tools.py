"""Each knowledge-base tool on real entries of the installed vocabularies (ICD-10-CM 2026, HPO
2025-01-16, MeSH 2026, WHO EML as GNU Health packages it); exact outputs."""

from __future__ import annotations

import pytest

from medllm.rag.registry import tools
from medllm.rag.tools.differential import annotated
from medllm.rag.tools.icd10cm import normalize
from medllm.rag.tools.text import Speller


def run(tool: str, query: str, k: int = 3) -> list[tuple[str, float]]:
    return [(f.chunk.doc_id, round(f.score, 3)) for f in tools.get(tool)().run(query, k)]


def text(tool: str, query: str) -> str:
    return str(tools.get(tool)().run(query, 1)[0].chunk.text)


# -- ICD-10-CM ---------------------------------------------------------------------------------


def test_icd10cm_code_entry_with_own_and_inherited_notes() -> None:
    entry = text("icd10cm", "E11.9").split("\n")
    assert entry[:4] == [
        "ICD-10-CM E11.9: Type 2 diabetes mellitus without complications",
        "Billable code (valid for a claim).",
        "Parent: E11 Type 2 diabetes mellitus.",
        "Excludes1 (never coded together): type 2 diabetes mellitus, without complications in "
        "remission (E11.A).",
    ]
    assert entry[4] == (
        "Includes (at E11): diabetes (mellitus) due to insulin secretory defect; diabetes NOS; "
        "insulin resistant diabetes (mellitus)."
    )
    assert entry[-1] == (
        "Chapter 4: Endocrine, nutritional and metabolic diseases (E00-E89). "
        "Block E08-E13: Diabetes mellitus (E08-E13)."
    )


def test_icd10cm_code_written_as_users_type_it() -> None:
    assert [normalize(c) for c in ("e119", "E11.9", " e11.9 ", "E11")] == [
        "E11.9",
        "E11.9",
        "E11.9",
        "E11",
    ]
    assert run("icd10cm", "e119") == [("icd10cm:E11.9", 1.0)]


def test_icd10cm_seventh_characters() -> None:
    entry = text("icd10cm", "S72.001").split("\n")
    assert entry[1] == "Not billable alone: it needs a 7th character (below)."
    sevenths = next(line for line in entry if line.startswith("7th characters: "))
    assert sevenths.count(";") == 15  # all 16 (A, B, C, D, E, F, G, H, J, K, M, N, P, Q, R, S)
    assert sevenths.startswith("7th characters: A initial encounter for closed fracture; B ")
    assert sevenths.endswith("; S sequela.")
    ext = text("icd10cm", "S72.001A").split("\n")
    assert ext[:3] == [
        "ICD-10-CM S72.001A: Fracture of unspecified part of neck of right femur, initial "
        "encounter for closed fracture",
        "Billable code (valid for a claim).",
        "7th character meaning: initial encounter for closed fracture.",
    ]


def test_icd10cm_category_lists_its_codes() -> None:
    assert text("icd10cm", "D50").split("\n")[1] == (
        "Category, not billable: code one of D50.0 Iron deficiency anemia secondary to blood loss "
        "(chronic); D50.1 Sideropenic dysphagia; D50.8 Other iron deficiency anemias; "
        "D50.9 Iron deficiency anemia, unspecified."
    )


def test_icd10cm_condition_to_ranked_codes() -> None:
    assert run("icd10cm", "type 2 diabetes without complications") == [
        ("icd10cm:E11.9", 1.0),
        ("icd10cm:E11.A", 1.0),
        # (0.838: "stage II" is read as "stage 2", so "2" is a commoner word than it was)
        ("icd10cm:E11.39", 0.838),
    ]
    # one typo per word is corrected ("deficency", "anaemia" → the list's "anemia")
    assert run("icd10cm", "iron deficency anaemia") == [
        ("icd10cm:D50", 1.0),
        ("icd10cm:D50.8", 1.0),
        ("icd10cm:D50.9", 1.0),
    ]
    assert run("icd10cm", "marfan syndrome", 1) == [("icd10cm:Q87.4", 1.0)]
    assert run("icd10cm", "zzqx unknownword") == []


# -- HPO ---------------------------------------------------------------------------------------


def test_hpo_term_by_id_quotes_definition_and_synonyms() -> None:
    assert text("hpo", "HP:0001250").split("\n")[:4] == [
        "HPO HP:0001250: Seizure",
        "Definition: A seizure is an intermittent abnormality of nervous system physiology "
        "characterized by a transient occurrence of signs and/or symptoms due to abnormal "
        "excessive or synchronous neuronal activity in the brain.",
        "Synonyms: Epilepsy; Epileptic seizure; Seizures.",
        "Is a: HP:0012638 Abnormal nervous system physiology.",
    ]
    assert run("hpo", "hp_0001250") == [("hpo:HP:0001250", 1.0)]


def test_hpo_term_by_name_synonym_plural_and_typo() -> None:
    assert run("hpo", "Seizure") == [("hpo:HP:0001250", 1.0)]
    assert run("hpo", "epileptic seizures") == [("hpo:HP:0001250", 1.0)]
    assert run("hpo", "arachnodactly") == [("hpo:HP:0001166", 1.0)]  # one letter missing
    assert run("hpo", "generalised seizure") == [("hpo:HP:0002197", 1.0)]
    assert run("hpo", "no such phenotype here qqq") == []


# -- differential ------------------------------------------------------------------------------


def rank(disease: str, hpo_ids: list[str]) -> int | None:
    ranked = [r.disease.id for r in annotated().rank(hpo_ids, k=50)]
    return ranked.index(disease) + 1 if disease in ranked else None


def test_differential_ranks_the_disease_of_its_own_phenotypes() -> None:
    # Cystic fibrosis: meconium ileus, bronchiectasis, elevated sweat chloride, nasal polyposis,
    # chronic sinusitis (all annotated to OMIM:219700)
    cf = ["HP:0004401", "HP:0002110", "HP:0012236", "HP:0100582", "HP:0011109"]
    assert rank("OMIM:219700", cf) == 1
    # Marfan syndrome: arachnodactyly, ectopia lentis, aortic root aneurysm, tall stature; the
    # Orphanet entry of the same syndrome is 2nd, the OMIM one 4th (measured; ties on Q → D are
    # broken by the best-match average)
    marfan = ["HP:0001166", "HP:0001083", "HP:0002616", "HP:0000098"]
    assert (rank("ORPHA:558", marfan), rank("OMIM:154700", marfan)) == (2, 4)


def test_differential_reads_phenotypes_from_free_text() -> None:
    found = run("differential", "dx? meconium ileus, bronchiectasis, elevated sweat chloride")
    assert [d for d, _ in found][:2] == ["hpo_disease:OMIM:219700", "hpo_disease:ORPHA:586"]
    assert found[0][1] == 1.0  # every phenotype matched exactly
    entry = text("differential", "meconium ileus, bronchiectasis, elevated sweat chloride")
    assert entry.split("\n")[:3] == [
        "Disease OMIM:219700: Cystic fibrosis",
        "Differential rank 1 of 12,679 for the phenotypes given (HPO semantic similarity, "
        "query: 6.62; 100% of the phenotypes' information matched).",
        "Phenotypes matched (asked = annotated): Meconium ileus = Meconium ileus; "
        "Bronchiectasis = Bronchiectasis; Elevated sweat chloride = Elevated sweat chloride.",
    ]
    assert "Inheritance: Autosomal recessive inheritance." in entry


def test_information_content_from_annotation_frequencies() -> None:
    ann = annotated()
    root = ann.index["HP:0000118"]  # every disease has a phenotypic abnormality: IC 0
    assert ann.ic[root] == pytest.approx(0.0, abs=1e-12)
    seizure = ann.ic[ann.index["HP:0001250"]]
    generalized = ann.ic[ann.index["HP:0002197"]]
    assert 0 < seizure < generalized  # a child is at least as informative as its parent


# -- disease, MeSH, WHO EML -------------------------------------------------------------------


def test_disease_phenotypes_inheritance_frequencies() -> None:
    entry = text("disease", "OMIM:219700").split("\n")
    assert entry[:3] == [
        "Disease OMIM:219700: Cystic fibrosis",
        "Inheritance: Autosomal recessive inheritance.",
        "Annotated phenotypes (31, most frequent first):",
    ]
    assert entry[3].startswith(
        "Phenotypes: Elevated sweat chloride (77/77); Bronchiectasis (106/111); "
    )
    assert run("disease", "MIM 154700") == [("hpo_disease:OMIM:154700", 1.0)]
    assert run("disease", "marfan syndrome") == [
        ("hpo_disease:OMIM:154700", 1.0),
        ("hpo_disease:ORPHA:558", 1.0),
    ]


def test_disease_and_definition_by_the_names_users_shorten() -> None:
    # "syndrome" dropped before the number; then a word asked after the name scores its share
    assert run("disease", "cornelia de lange 1") == [("hpo_disease:OMIM:122470", 1.0)]
    assert run("disease", "cornelia de lange 1 facial") == [("hpo_disease:OMIM:122470", 0.8)]
    assert run("disease", "marfan") == [
        ("hpo_disease:OMIM:154700", 1.0),
        ("hpo_disease:ORPHA:558", 1.0),
    ]
    # "type" dropped: the UniProt entry is "von Willebrand disease 1"
    assert ("uniprot_disease:DI-02903", 1.0) in run("define", "von willebrand disease 1")


def test_mesh_id_and_name_both_ways() -> None:
    assert text("mesh", "D003920").split("\n")[0] == "MeSH descriptor D003920: Diabetes Mellitus"
    assert run("mesh", "asthma") == [("mesh:D001249", 1.0)]
    assert run("mesh", "Diabetes Mellitus, Type 2") == [("mesh:D003924", 1.0)]


def test_eml_medicine_to_sections_and_section_to_medicines() -> None:
    assert text("eml", "metformin").split("\n") == [
        "WHO essential medicine: metformin",
        "Listed in 2 section(s) of the EML:",
        "- HORMONES, OTHER ENDOCRINE MEDICINES AND CONTRACEPTIVES > Insulins and other medicines "
        "used for diabetes — Tablet: 500 mg (hydrochloride).",
        "- HORMONES, OTHER ENDOCRINE MEDICINES AND CONTRACEPTIVES > Insulins and other medicines "
        "used for diabetes > Complementary — Tablet: 500 mg (hydrochloride). [c]",
        "Pregnancy category: B.",
    ]
    assert text("eml", "hydrocortisone").split("\n")[1] == "Listed in 5 section(s) of the EML:"
    assert run("eml", "amoxicilin") == [("who_medicine:meds_em64", 1.0)]  # typo
    # the list writes "efavirenz (EFV or EFZ)": the name alone, or an abbreviation, finds it
    assert run("eml", "efavirenz") == [("who_medicine:meds_em127", 1.0)]
    assert run("eml", "AZT") == [("who_medicine:meds_em126", 1.0)]
    section = text("eml", "antimalarial").split("\n")
    assert section[:2] == [
        "WHO EML section: ANTI-INFECTIVE MEDICINES > Antiprotozoal medicines > Antimalarial "
        "medicines",
        "12 medicine(s) listed:",
    ]


def test_speller_corrects_one_edit_to_the_most_frequent_word() -> None:
    sp = Speller(["anemia", "anemia", "anaemia", "seizure"])
    assert [sp.correct(w) for w in ("anemai", "seizre", "seizzure", "anemia", "dx")] == [
        "anemia",  # swap
        "seizure",  # deletion
        "seizure",  # insertion
        "anemia",
        "dx",  # short words are left alone
    ]
    assert sp.correct("sezuire") == "sezuire"  # two edits: not guessed
