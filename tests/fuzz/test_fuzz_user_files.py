"""Fuzz the knowledge base's user-file readers (`knowledge/sources/user_files.py`: text, JSONL,
PubMed XML, FHIR bundles): any bytes, and any JSON as a FHIR bundle, give documents and per-record
errors (DataError) in the report, or one MedllmError; never another exception."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import DataError, Document, MedllmError
from medllm.knowledge import read_manifest
from medllm.knowledge.sources.user_files import LoadReport, load_user_files

SUFFIXES = [".txt", ".md", ".jsonl", ".xml", ".json"]
KEYS = st.sampled_from(
    [
        "resourceType",
        "entry",
        "resource",
        "id",
        "code",
        "coding",
        "text",
        "display",
        "system",
        "subject",
        "reference",
        "note",
        "valueQuantity",
        "value",
        "unit",
        "valueCodeableConcept",
        "valueString",
        "component",
        "interpretation",
        "clinicalStatus",
        "severity",
        "onsetDateTime",
        "onsetPeriod",
        "start",
        "end",
        "medication",
        "concept",
        "medicationCodeableConcept",
        "dosage",
        "reasonCode",
        "presentedForm",
        "contentType",
        "data",
        "conclusion",
        "conclusionCode",
        "effectivePeriod",
        "status",
    ]
) | st.text(max_size=5)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(KEYS, c, max_size=5),
    max_leaves=25,
)
RTYPES = st.sampled_from(
    ["Condition", "MedicationStatement", "Observation", "DiagnosticReport", "Patient"]
)
RESOURCE = st.dictionaries(KEYS, JSON, max_size=6).flatmap(
    lambda r: (RTYPES | JSON).map(lambda t: {**r, "resourceType": t})
)
BUNDLE = st.lists(st.fixed_dictionaries({"resource": RESOURCE}) | JSON, max_size=4).map(
    lambda entries: {"resourceType": "Bundle", "entry": entries}
)


def _check(path: Path) -> None:
    report = LoadReport()
    try:
        docs = list(load_user_files([path], report))
    except MedllmError:
        return
    assert all(isinstance(d, Document) and d.text for d in docs)
    assert all(isinstance(e, DataError) for e in report.errors)
    assert report.loaded == {str(path): len(docs)}


def test_any_bytes_in_any_user_file(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    @fuzz
    @given(
        st.binary(max_size=400) | st.text(max_size=200).map(str.encode) | nasty,
        st.sampled_from(SUFFIXES),
    )
    def prop(raw: bytes, suffix: str) -> None:
        path = tmp_path / f"doc{suffix}"
        path.write_bytes(raw)
        _check(path)

    prop()


def test_any_json_as_a_fhir_bundle(fuzz: Any, tmp_path: Path) -> None:
    @fuzz
    @given(BUNDLE | JSON)
    def prop(bundle: Any) -> None:
        path = tmp_path / "bundle.json"
        path.write_text(json.dumps(bundle), encoding="utf-8")
        _check(path)

    prop()


def test_any_json_lines(fuzz: Any, tmp_path: Path) -> None:
    @fuzz
    @given(
        st.lists(
            st.dictionaries(st.sampled_from(["id", "text", "title", "url", "meta", "source"]), JSON)
            | JSON,
            max_size=5,
        )
    )
    def prop(rows: list[Any]) -> None:
        path = tmp_path / "docs.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        _check(path)

    prop()


def test_any_bytes_as_a_kb_manifest(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    """The knowledge base's manifest.json, read back by every `kb` command."""

    @fuzz
    @given(st.binary(max_size=100) | JSON.map(lambda v: json.dumps(v).encode()) | nasty)
    def prop(raw: bytes) -> None:
        (tmp_path / "manifest.json").write_bytes(raw)
        with contextlib.suppress(MedllmError):
            assert isinstance(read_manifest(tmp_path), dict)

    prop()
