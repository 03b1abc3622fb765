"""User files: every supported format loads; bad records are reported (file + record) and skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medllm.core.errors import DataError
from medllm.knowledge.sources.user_files import LoadReport, load_user_files

FIX = Path(__file__).parents[2] / "fixtures" / "knowledge"


def _load(*names: str) -> tuple[list, LoadReport]:
    report = LoadReport()
    docs = list(load_user_files([FIX / n for n in names], report))
    return docs, report


def test_jsonl_bad_lines_are_named_and_skipped() -> None:
    docs, report = _load("notes.jsonl")
    assert [d.id for d in docs] == ["guide-1", "guide-2", "guide-5"]
    msgs = [str(e) for e in report.errors]
    assert len(msgs) == 2
    assert "notes.jsonl:3" in msgs[0] and "invalid JSON" in msgs[0]
    assert "notes.jsonl:4" in msgs[1] and 'field "text"' in msgs[1]
    assert report.loaded[str(FIX / "notes.jsonl")] == 3


def test_pubmed_xml_records() -> None:
    docs, report = _load("pubmed_sample.xml")
    assert [d.id for d in docs] == ["pmid:90000001", "pmid:90000003"]
    assert "Results: Patients given zinc lozenges" in docs[0].text
    assert docs[0].meta["mesh"] == ["Zinc"] and docs[0].url.endswith("/90000001/")
    assert len(report.errors) == 1
    assert "pubmed_sample.xml" in str(report.errors[0]) and "PubmedArticle #2" in str(
        report.errors[0]
    )


def test_damaged_pubmed_xml_keeps_good_articles() -> None:
    docs, report = _load("pubmed_broken.xml")
    assert [d.id for d in docs] == ["pmid:90000010"]
    assert [str(e) for e in report.errors] == [
        f"{FIX / 'pubmed_broken.xml'}:11: PubmedArticle #2 is malformed XML: skipped"
    ]


def test_fhir_bundle_resources() -> None:
    docs, report = _load("fhir_bundle.json")
    kinds = [d.meta["resource_type"] for d in docs]
    assert kinds == ["Condition", "MedicationStatement", "Observation", "DiagnosticReport"]
    by_kind = dict(zip(kinds, docs, strict=True))
    assert (
        "Type 2 diabetes mellitus without complications (icd-10-cm E11.9)"
        in by_kind["Condition"].text
    )
    assert "Value: 7.2 %" in by_kind["Observation"].text
    assert "Lungs clear" in by_kind["DiagnosticReport"].text
    assert all("Synthetic" not in d.text for d in docs)  # the Patient resource is not indexed
    errors = [str(e) for e in report.errors]
    assert len(errors) == 2
    assert "entry[5]" in errors[0] and 'field "code"' in errors[0]
    assert "entry[6]" in errors[1]


def test_unreadable_file_is_one_error_and_others_load() -> None:
    docs, report = _load("fhir_broken.json", "guide.md")
    assert [d.source for d in docs] == ["file"]
    assert docs[0].title == "Synthetic handbook: Pellar disease"
    assert len(report.errors) == 1 and "fhir_broken.json" in str(report.errors[0])


def test_folder_and_missing_path() -> None:
    docs, _ = _load(".")
    assert len(docs) == 2 + 1 + 3 + 4 + 1  # pubmed, damaged pubmed (1 of 2), jsonl, fhir, md
    with pytest.raises(DataError, match="no such file"):
        list(load_user_files([FIX / "nope.txt"], LoadReport()))


def _article(pmid: int, title: str) -> str:
    return (
        f"  <PubmedArticle>\n    <MedlineCitation><PMID>{pmid}</PMID>\n"
        f"      <Article><ArticleTitle>{title}</ArticleTitle></Article>\n"
        "    </MedlineCitation>\n  </PubmedArticle>\n"
    )


def test_one_unclosed_tag_loses_only_its_own_article(tmp_path: Path) -> None:
    """10 articles, the 2nd with an unclosed tag: the other 9 are indexed, and read + skipped = 10
    (the recovering parser used to swallow every article after the damage into the broken one)."""
    articles = [_article(90000100 + i, f"Synthetic article {i}.") for i in range(1, 11)]
    articles[1] = _article(90000102, "Damaged <b>unclosed tag")
    path = tmp_path / "ten.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n'
        + "".join(articles)
        + "</PubmedArticleSet>\n",
        encoding="utf-8",
    )
    report = LoadReport()
    docs = list(load_user_files([path], report))
    assert [d.id for d in docs] == [f"pmid:{90000100 + i}" for i in (1, *range(3, 11))]
    assert [str(e) for e in report.errors] == [
        f"{path}:10: PubmedArticle #2 is malformed XML: skipped"
    ]
    assert report.loaded[str(path)] + len(report.errors) == 10


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ({"resourceType": []}, None),  # TypeError (unhashable) before; not a renderable type
        (
            {"resourceType": "Condition", "code": {"text": "Asthma"}, "note": "x"},
            'field "note": entry[0] (Condition): expected a list',
        ),
        (
            {"resourceType": "Observation", "code": {"coding": 7}},
            'field "coding": entry[0] (Observation): expected a list',
        ),
        (
            {"resourceType": "MedicationStatement", "medication": "x"},
            'field "medication": entry[0] (MedicationStatement): expected an object',
        ),
    ],
)
def test_fhir_field_of_the_wrong_type_is_one_error(
    tmp_path: Path, resource: dict, message: str | None
) -> None:
    """Found by tests/fuzz/test_fuzz_user_files.py: TypeError / AttributeError tracebacks before.
    The bad entry is one error; the good one after it is indexed."""
    good = {"resourceType": "Condition", "id": "c2", "code": {"text": "Gout"}}
    path = tmp_path / "b.json"
    path.write_text(
        json.dumps(
            {"resourceType": "Bundle", "entry": [{"resource": resource}, {"resource": good}]}
        )
    )
    report = LoadReport()
    docs = list(load_user_files([path], report))
    assert [d.id for d in docs] == ["fhir:b:Condition/c2"]
    assert [str(e) for e in report.errors] == (
        [f"{path}: {message} (fix: check the resource against FHIR R4 JSON)"] if message else []
    )


def test_fhir_entry_that_is_not_a_list(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"resourceType": "Bundle", "entry": 5}))
    report = LoadReport()
    assert list(load_user_files([path], report)) == []
    assert [str(e) for e in report.errors] == [
        f'{path}: field "entry": expected a list (fix: write "entry": [{{"resource": ...}}])'
    ]
