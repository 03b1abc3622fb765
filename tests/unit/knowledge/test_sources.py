"""Vocabulary parsers read the installed packages and give typed records and documents."""

from __future__ import annotations

from medllm.knowledge.sources import hpo, icd10cm, mesh, who_medicines


def test_icd10cm_codes_match_the_official_code_list() -> None:
    codes = icd10cm.load_code_map()
    official = set(icd10cm.locate(icd10cm.DIST, icd10cm.CODE_LIST).read_text().split())
    ours = {c.replace(".", "") for c in codes}
    assert ours <= official
    # every official code that is not a chapter number or a block range is a record here
    assert {c for c in official if "-" not in c and not c.isdigit()} == ours
    e11 = codes["E11"]
    assert e11.description == "Type 2 diabetes mellitus"
    assert "diabetes NOS" in e11.includes
    assert any("E10" in x for x in e11.excludes1)
    assert e11.chapter.startswith("4: Endocrine")
    assert e11.block.startswith("E08-E13")
    assert "E11.9" in e11.children and not e11.leaf


def test_icd10cm_seventh_character_codes() -> None:
    codes = icd10cm.load_code_map()
    c = codes["S00.00XA"]
    assert c.extension == "initial encounter" and c.parent == "S00.00"
    assert c.description.endswith(", initial encounter")
    # the S06 "death" codes take only A: the code list decides, not the XML's 7th-character table
    assert "S06.2X7A" in codes and "S06.2X7D" not in codes
    doc_ids = {d.id for d in icd10cm.documents()}
    assert "icd10cm:S00.00" in doc_ids and "icd10cm:S00.00XA" not in doc_ids
    text = icd10cm.to_document(codes["S00.00"]).text
    assert "7th characters: A initial encounter" in text


def test_hpo_terms_and_diseases() -> None:
    terms = hpo.load_terms()
    assert len(terms) == 19484
    t = terms["HP:0000003"]
    assert t.name == "Multicystic kidney dysplasia"
    assert "Multicystic dysplastic kidney" in t.synonyms and t.is_a == ("HP:0000107",)
    diseases = hpo.load_diseases()
    assert len(diseases) > 12000
    d = diseases["OMIM:619340"]
    assert d.name == "Developmental and epileptic encephalopathy 96"
    freqs = {a.name: a.frequency for a in d.phenotypes}
    assert freqs["Epileptic spasm"] == "1/2"
    doc = hpo.disease_document(d)
    assert doc.id == "hpo_disease:OMIM:619340" and "Epileptic spasm (1/2)" in doc.text


def test_hpo_frequency_terms_are_named() -> None:
    named = {a.frequency for d in hpo.load_diseases().values() for a in d.phenotypes}
    assert "Very frequent" in named and not any(f.startswith("HP:") for f in named)


def test_mesh_and_who_medicines() -> None:
    descriptors = mesh.load_descriptors()
    assert len(descriptors) == 30532
    assert descriptors["D000001"].name == "Calcimycin"
    assert "adverse effects" in descriptors["D000001"].qualifiers
    meds = who_medicines.load_medicines()
    assert len(meds) == 442
    ketamine = next(m for m in meds if m.name == "ketamine")
    assert ketamine.category[0] == "ANAESTHETICS" and ketamine.pregnancy_category == "C"
    doc = who_medicines.to_document(ketamine)
    assert doc.source == "who_medicine" and "Injectable medicines" in doc.text
