"""MONDO, Uberon and UniProt prose sources: real records from the installed packages, their
provenance, and BM25 over a knowledge base built from them."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from medllm.knowledge.config import DEFAULT_SOURCES, KbConfig
from medllm.knowledge.index import BuildReport, build_index
from medllm.knowledge.kb import KnowledgeBase
from medllm.knowledge.provenance import is_sourced
from medllm.knowledge.registry import sources
from medllm.knowledge.retrievers import get_retriever
from medllm.knowledge.sources import mondo, uberon, uniprot

IDA = "Anemia caused by low iron intake, inefficient iron absorption in the gastrointestinal tract, or chronic blood loss."


def test_mondo_definition_synonyms_and_parents() -> None:
    terms = mondo.load_terms()
    assert len(terms) == 19315  # live terms with a definition
    t = terms["MONDO:0001356"]
    assert t.label == "iron deficiency anemia" and t.definition == IDA
    assert t.synonyms == ("iron-deficiency anaemia", "iron-deficiency anemia")
    assert t.parents == (
        ("MONDO:0000387", "hypochromic microcytic anemia"),
        ("MONDO:0006873", "nutritional deficiency disease"),
    )
    doc = mondo.to_document(t)
    assert doc.id == "mondo:MONDO:0001356" and doc.source == "mondo"
    assert doc.text == (
        f"iron deficiency anemia (MONDO:0001356): {IDA}\n"
        "iron deficiency anemia is a kind of hypochromic microcytic anemia and nutritional "
        "deficiency disease.\n"
        "Synonyms: iron-deficiency anaemia; iron-deficiency anemia."
    )
    assert doc.url == "http://purl.obolibrary.org/obo/MONDO_0001356"
    assert doc.meta["record_id"] == "MONDO:0001356" and doc.meta["licence"] == "CC BY 4.0"
    assert (
        doc.meta["citation"] == "MONDO:0001356, MONDO v2026-05-05 (cellxgene-ontology-guide 1.11.1)"
    )
    # its own label is not repeated among the synonyms
    t2d = mondo.to_document(terms["MONDO:0005148"])
    assert "T2DM" in t2d.text and "; type 2 diabetes mellitus;" not in t2d.text


def test_uberon_liver() -> None:
    terms = uberon.load_terms()
    assert len(terms) == 12239
    liver = terms["UBERON:0002107"]
    assert liver.label == "liver"
    assert liver.definition.startswith("An exocrine gland which secretes bile and functions in")
    assert liver.definition.endswith("stores glycogen, and breaks down worn-out erythrocytes[GO].")
    doc = uberon.to_document(liver)
    assert doc.id == "uberon:UBERON:0002107" and doc.text.startswith("liver (UBERON:0002107): An")
    assert (doc.meta["licence"], doc.url) == (
        "CC BY 3.0",
        "http://purl.obolibrary.org/obo/UBERON_0002107",
    )


def test_uniprot_disease_hemochromatosis_1() -> None:
    diseases = uniprot.load_diseases()
    assert len(diseases) == 6740 and sum(bool(d.genes) for d in diseases.values()) == 5059
    d = diseases["DI-01714"]
    assert (d.name, d.acronym) == ("Hemochromatosis 1", "HFE1")
    assert d.description.startswith(
        "A disorder of iron metabolism characterized by iron overload. Excess iron is deposited"
    )
    assert d.xrefs == ("MIM:235200", "MedGen:C0392514", "MeSH:D006432") and d.genes == ("HFE",)
    doc = uniprot.to_document(d)
    assert (
        doc.id == "uniprot_disease:DI-01714"
        and doc.url == "https://www.uniprot.org/diseases/DI-01714"
    )
    assert "Genes with variants linked to it (UniProtKB): HFE." in doc.text
    assert doc.meta["licence"] == "CC BY 4.0" and doc.meta["record_id"] == "DI-01714"


@pytest.mark.parametrize("name", DEFAULT_SOURCES)
def test_default_sources_carry_provenance(name: str) -> None:
    docs = list(islice(sources.get(name)(), 200))
    assert len(docs) == 200 and all(is_sourced(d) for d in docs), name


@pytest.fixture(scope="module")
def prose_kb(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    folder = tmp_path_factory.mktemp("prose") / "kb"
    cfg = KbConfig(folder=folder, sources=["mondo", "uberon", "uniprot_disease"], dense=False)
    return folder, build_index(cfg)


def test_prose_kb_counts_one_chunk_per_record(prose_kb: tuple[Path, BuildReport]) -> None:
    _, report = prose_kb
    assert report.by_source == {"mondo": 19315, "uberon": 12239, "uniprot_disease": 6740}
    assert report.n_docs == report.n_chunks == 38294 and report.unverified == 0


def test_bm25_answers_what_is_iron_deficiency_anemia(prose_kb: tuple[Path, BuildReport]) -> None:
    folder, _ = prose_kb
    hits = get_retriever("bm25", folder).search("what is iron deficiency anemia", k=5)
    assert hits[0].chunk_id == "mondo:MONDO:0001356#0"
    chunk = KnowledgeBase(folder).get(hits[0].chunk_id)
    assert chunk is not None and IDA in chunk.text
    assert chunk.meta["licence"] == "CC BY 4.0" and chunk.url.endswith("MONDO_0001356")
