"""FHIR R4 de-identification fails closed: a bundle holding Patient (photo, identifier, telecom,
address), DiagnosticReport.presentedForm, Communication.payload, Device, Coverage, Organization,
Condition.onsetAge and Observation comes out with none of its planted PHI, its codes intact and its
references resolving to the pseudonymised ids. Shapes follow the FHIR R4 spec (hl7.org/fhir/R4);
all PHI is invented."""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medllm.core.errors import DataError
from medllm.privacy import DeidConfig, Deidentifier
from medllm.privacy.fhir import FhirDeidentifier
from medllm.privacy.runner import MANIFEST, run_deid

PATIENT_ID = "thaddeus-wolfenbarger-4839201"
BASE = "http://hospital.example.org/fhir/"
OBS_UUID = "6f1f6a3e-2d1b-4c8e-9a57-0b3c2f9d8e41"
PHOTO = base64.b64encode(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 face of the patient \xff\xd9").decode()
NOTE = (
    "Discharge summary for Thaddeus Wolfenbarger (MRN 4839201), seen on 11/02/2023 at "
    "Hudson Quarry Medical Center. Call 617-555-0142."
)
MESSAGE = "Please ask Mr. Wolfenbarger to call Dr. Imogen Castellanos at 617-555-0142."
# Every identifying value planted in the bundle; none may appear in the output (as JSON text or in
# a decoded attachment).
PHI = [
    PATIENT_ID,
    "4839201",
    "Thaddeus",
    "Wolfenbarger",
    "Imogen",
    "Castellanos",
    "617-555-0142",
    "555-0142",
    "t.wolfenbarger@example.net",
    "48 Quarry Hollow Road",
    "Quarry Hollow",
    "Millbrook",
    "12545",
    "1931-11-24",
    "2023-11-02",
    "2023-11-03",
    "11/02/2023",
    PHOTO,
    "face of the patient",
    "Hudson Quarry",
    "org-hudson-quarry",
    "1922334455",
    "518-555-0199",
    "SN-7731-QX-0042",
    "HPX-99301755",
    "hospital.example.org/fhir",
    OBS_UUID,
]
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _subject(display: bool = True) -> dict[str, str]:
    ref = {"reference": f"Patient/{PATIENT_ID}"}
    return {**ref, "display": "Thaddeus Wolfenbarger"} if display else ref


def _patient() -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "MR",
                        }
                    ]
                },
                "system": "urn:oid:1.2.36.146.595.217.0.1",
                "value": "4839201",
            }
        ],
        "active": True,
        "name": [{"use": "official", "family": "Wolfenbarger", "given": ["Thaddeus"]}],
        "telecom": [
            {"system": "phone", "value": "(617) 555-0142", "use": "home"},
            {"system": "email", "value": "t.wolfenbarger@example.net"},
        ],
        "gender": "male",
        "birthDate": "1931-11-24",
        "address": [
            {
                "use": "home",
                "line": ["48 Quarry Hollow Road"],
                "city": "Millbrook",
                "postalCode": "12545",
                "country": "US",
            }
        ],
        "photo": [{"contentType": "image/jpeg", "data": PHOTO}],
        "managingOrganization": {"reference": "Organization/org-hudson-quarry"},
    }


def _report() -> dict[str, Any]:
    return {
        "resourceType": "DiagnosticReport",
        "id": "report-1",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "18842-5", "display": "Discharge summary"}]},
        "subject": _subject(),
        "effectiveDateTime": "2023-11-02T09:30:00Z",
        "performer": [
            {
                "reference": "Organization/org-hudson-quarry",
                "display": "Hudson Quarry Medical Center",
            }
        ],
        "result": [{"reference": f"urn:uuid:{OBS_UUID}"}],
        "presentedForm": [{"contentType": "text/plain", "language": "en", "data": _b64(NOTE)}],
    }


def _communication() -> dict[str, Any]:
    return {
        "resourceType": "Communication",
        "id": "comm-1",
        "status": "completed",
        "subject": _subject(),
        "sent": "2023-11-03T14:00:00Z",
        "payload": [{"contentString": MESSAGE}],
    }


def _device() -> dict[str, Any]:
    return {
        "resourceType": "Device",
        "id": "device-1",
        "status": "active",
        "serialNumber": "SN-7731-QX-0042",
        "patient": _subject(display=False),
    }


def _coverage() -> dict[str, Any]:
    return {
        "resourceType": "Coverage",
        "id": "coverage-1",
        "status": "active",
        "subscriberId": "HPX-99301755",
        "beneficiary": _subject(),
        "payor": [{"reference": "Organization/org-hudson-quarry"}],
    }


def _organization() -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": "org-hudson-quarry",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1922334455"}],
        "active": True,
        "name": "Hudson Quarry Medical Center",
        "telecom": [{"system": "phone", "value": "518-555-0199"}],
    }


def _condition() -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "condition-1",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {
            "coding": [{"system": SNOMED, "code": "59621000", "display": "Essential hypertension"}]
        },
        "subject": _subject(),
        "onsetAge": {"value": 93, "unit": "years", "system": UCUM, "code": "a"},
    }


def _observation() -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": OBS_UUID,
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "8867-4", "display": "Heart rate"}]},
        "subject": _subject(display=False),
        "effectiveDateTime": "2023-11-02T09:00:00Z",
        "valueQuantity": {"value": 72, "unit": "beats/minute", "system": UCUM, "code": "/min"},
    }


def make_bundle() -> dict[str, Any]:
    resources = [
        _patient(),
        _report(),
        _communication(),
        _device(),
        _coverage(),
        _organization(),
        _condition(),
    ]
    entries = [
        {"fullUrl": f"{BASE}{r['resourceType']}/{r['id']}", "resource": r} for r in resources
    ]
    entries.append({"fullUrl": f"urn:uuid:{OBS_UUID}", "resource": _observation()})
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _attachment_texts(node: Any) -> list[str]:
    """The decoded text of every text attachment in the output."""
    if isinstance(node, list):
        return [t for v in node for t in _attachment_texts(v)]
    if not isinstance(node, dict):
        return []
    found = [t for v in node.values() for t in _attachment_texts(v)]
    if str(node.get("contentType", "")).startswith("text/") and "data" in node:
        found.append(base64.b64decode(node["data"]).decode("utf-8"))
    return found


def phi_found(out: dict[str, Any]) -> list[str]:
    """The planted PHI values that occur in `out` (its JSON text or a decoded attachment)."""
    text = "\n".join([json.dumps(out, ensure_ascii=False), *_attachment_texts(out)])
    return [v for v in PHI if v in text]


def _codings(node: Any) -> list[tuple[str, str]]:
    if isinstance(node, list):
        return [c for v in node for c in _codings(v)]
    if not isinstance(node, dict):
        return []
    own = [(node["system"], node["code"])] if "system" in node and "code" in node else []
    return own + [c for v in node.values() for c in _codings(v)]


def _resolve(ref: str, fullurl: str, base: str) -> str:
    """A reference as an absolute URL: a relative one is resolved against the base of the entry
    holding it, or the server's base where that entry's fullUrl is a urn."""
    if ref.startswith(("urn:", "http://", "https://")):
        return ref
    return (base if fullurl.startswith("urn:") else fullurl.rsplit("/", 2)[0]) + "/" + ref


def _references(node: Any) -> list[str]:
    if isinstance(node, list):
        return [r for v in node for r in _references(v)]
    if not isinstance(node, dict):
        return []
    own = [node["reference"]] if isinstance(node.get("reference"), str) else []
    return own + [r for v in node.values() for r in _references(v)]


def _deid(transform: str) -> FhirDeidentifier:
    return FhirDeidentifier(Deidentifier(DeidConfig(transform=transform, secret="k")), PATIENT_ID)


@pytest.mark.parametrize("transform", ["redact", "surrogate"])
def test_no_phi_of_the_bundle_in_the_output(transform: str) -> None:
    bundle = make_bundle()
    out = _deid(transform).bundle(copy.deepcopy(bundle))
    leaked = phi_found(out)
    assert leaked == [], f"{len(leaked)} PHI values of the bundle in the output: {leaked}"
    assert bundle == make_bundle()  # the input is not modified


def test_codes_and_structure_are_kept() -> None:
    bundle = make_bundle()
    out = _deid("surrogate").bundle(bundle)
    res = [e["resource"] for e in out["entry"]]
    assert [r["resourceType"] for r in res] == [
        e["resource"]["resourceType"] for e in make_bundle()["entry"]
    ]
    assert _codings(out) == _codings(make_bundle())
    assert [r.get("status") for r in res] == [e["resource"].get("status") for e in bundle["entry"]]
    assert res[6]["code"]["coding"][0]["display"] == "Essential hypertension"
    assert res[0]["gender"] == "male" and res[0]["address"][0]["country"] == "US"
    assert res[0]["identifier"][0]["system"] == "urn:oid:1.2.36.146.595.217.0.1"
    assert res[7]["valueQuantity"] == {
        "value": 72,
        "unit": "beats/minute",
        "system": UCUM,
        "code": "/min",
    }
    assert out["type"] == "collection"


def test_dates_shift_as_valid_fhir_dates_keeping_intervals() -> None:
    out = _deid("surrogate").bundle(make_bundle())
    res = [e["resource"] for e in out["entry"]]
    # born 1931: over 89, so the birth year is aggregated to the year that makes them 90
    assert res[0]["birthDate"] == str(dt.date.today().year - 90)
    report = dt.datetime.fromisoformat(res[1]["effectiveDateTime"])
    sent = dt.datetime.fromisoformat(res[2]["sent"])
    observed = dt.datetime.fromisoformat(res[7]["effectiveDateTime"])
    assert report.date() != dt.date(2023, 11, 2)
    assert sent - report == dt.timedelta(days=1, hours=4, minutes=30)
    assert report - observed == dt.timedelta(minutes=30)


def test_ages_over_89_become_90_or_more() -> None:
    bundle = make_bundle()
    second = {**_condition(), "id": "condition-2"}
    del second["onsetAge"]
    months = {"value": 1130, "unit": "months", "system": UCUM, "code": "mo"}  # 94 years
    second["onsetRange"] = {"low": months, "high": {**months, "value": 1000}}  # 83 years
    bundle["entry"].append({"resource": second})
    out = _deid("redact").bundle(bundle)
    aged = {"value": 90, "comparator": ">=", "unit": "years", "system": UCUM, "code": "a"}
    assert out["entry"][6]["resource"]["onsetAge"] == aged
    assert out["entry"][8]["resource"]["onsetRange"] == {
        "low": aged,
        "high": {**months, "value": 1000},
    }


def test_identifiers_and_free_text_fields_are_replaced() -> None:
    out = _deid("redact").bundle(make_bundle())
    res = [e["resource"] for e in out["entry"]]
    assert res[0]["identifier"][0]["value"] == "[MRN]"
    assert res[3]["serialNumber"] == "[DEVICE]"
    assert res[4]["subscriberId"] == "[HEALTHPLAN]"
    assert res[5]["name"] == "[HOSPITAL]"
    assert res[1]["subject"]["display"] == "[NAME]"
    assert res[1]["performer"][0]["display"] == "[HOSPITAL]"
    assert res[0]["telecom"][1]["value"] == "[EMAIL]"
    assert res[0]["birthDate"] == "[DATE]"


def test_attachments_text_rewritten_images_dropped() -> None:
    walker = _deid("redact")
    out = walker.bundle(make_bundle())
    patient, report = out["entry"][0]["resource"], out["entry"][1]["resource"]
    assert patient["photo"] == [{"contentType": "image/jpeg"}]
    form = report["presentedForm"][0]
    note = base64.b64decode(form["data"]).decode("utf-8")
    assert note.startswith("Discharge summary for [NAME]")
    assert form["contentType"] == "text/plain" and form["language"] == "en"
    assert walker.counts["ATTACHMENT_DROPPED"] == 1


def test_references_resolve_to_the_pseudonymised_ids() -> None:
    out = _deid("surrogate").bundle(make_bundle())
    urls = {e["fullUrl"] for e in out["entry"]}
    base = out["entry"][0]["fullUrl"].rsplit("/", 2)[0]
    for e in out["entry"]:
        res = e["resource"]
        if not e["fullUrl"].startswith("urn:"):
            assert e["fullUrl"].endswith(f"/{res['resourceType']}/{res['id']}")
        for ref in _references(res):
            assert _resolve(ref, e["fullUrl"], base) in urls, ref
    patient = out["entry"][0]["resource"]
    assert patient["id"] != PATIENT_ID
    assert out["entry"][6]["resource"]["subject"]["reference"] == f"Patient/{patient['id']}"
    assert out["entry"][1]["resource"]["result"][0]["reference"] == out["entry"][7]["fullUrl"]
    again = _deid("surrogate").bundle(make_bundle())
    assert again == out  # the same key gives the same pseudonyms


def test_contained_resources_url_attachments_and_sampled_data() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r2",
        "status": "final",
        "contained": [
            {"resourceType": "Practitioner", "id": "doc", "name": [{"text": "Imogen Castellanos"}]}
        ],
        "resultsInterpreter": [{"reference": "#doc"}],
        "presentedForm": [
            {"contentType": "application/pdf", "url": f"{BASE}Binary/{PATIENT_ID}.pdf", "size": 9}
        ],
    }
    waveform = {"origin": {"value": 0}, "period": 10, "dimensions": 1, "data": "2041 2043 E 2040"}
    obs = {
        "resourceType": "Observation",
        "id": "o2",
        "status": "final",
        "valueSampledData": waveform,
    }
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": report}, {"resource": obs}],
    }
    bundle["entry"][0]["request"] = {"method": "POST", "url": "DiagnosticReport"}
    bundle["entry"][1]["request"] = {"method": "PUT", "url": "Observation/o2"}
    walker = _deid("redact")
    out = walker.bundle(bundle)
    assert out["entry"][0]["request"] == {"method": "POST", "url": "DiagnosticReport"}
    assert out["entry"][1]["request"]["url"] == "Observation/" + out["entry"][1]["resource"]["id"]
    res = out["entry"][0]["resource"]
    assert res["resultsInterpreter"][0]["reference"] == "#" + res["contained"][0]["id"]
    assert res["contained"][0]["name"][0]["text"] == "[NAME]"
    assert res["presentedForm"] == [{"contentType": "application/pdf"}]
    assert walker.counts["ATTACHMENT_DROPPED"] == 1
    assert out["entry"][1]["resource"]["valueSampledData"] == waveform


def _run(tmp_path: Path, bundle: Any, name: str = "b.json") -> Path:
    src = tmp_path / "in" / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(bundle if isinstance(bundle, str) else json.dumps(bundle))
    run_deid(src, tmp_path / "out", DeidConfig(transform="surrogate", secret="k"))
    return _output(tmp_path / "out")


def _output(out: Path) -> Path:
    """The one de-identified file in `out` (its name is a pseudonym of the input's)."""
    (found,) = [p for p in out.rglob("*.json") if p.name != MANIFEST]
    return found


def test_run_deid_on_the_bundle_counts_dropped_attachments(tmp_path: Path) -> None:
    out = json.loads(_run(tmp_path, make_bundle()).read_text())
    leaked = phi_found(out)
    assert leaked == [], f"{len(leaked)} PHI values of the bundle in the output: {leaked}"
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert manifest["attachments_dropped"] == 1
    assert "ATTACHMENT_DROPPED" not in manifest["phi_by_type"]


def _malformed() -> list[tuple[Any, str]]:
    entry_str = make_bundle()
    entry_str["entry"][1] = "Patient/" + PATIENT_ID
    no_type = make_bundle()
    del no_type["entry"][0]["resource"]["resourceType"]
    ref_obj = make_bundle()
    ref_obj["entry"][6]["resource"]["subject"]["reference"] = {"value": PATIENT_ID}
    entries_obj = make_bundle()
    entries_obj["entry"] = {"resource": _patient()}
    age_str = make_bundle()
    age_str["entry"][6]["resource"]["onsetRange"] = {"low": {"value": "93", "unit": "years"}}
    data_num = make_bundle()
    data_num["entry"][1]["resource"]["presentedForm"][0]["data"] = 4839201
    return [
        (entry_str, r'entry\[1\]": expected an object'),
        (no_type, r'entry\[0\]\.resource\.resourceType": missing'),
        (ref_obj, r'entry\[6\]\.resource\.subject\.reference": expected a string'),
        (entries_obj, r'field "entry": expected a list'),
        (age_str, r'entry\[6\]\.resource\.onsetRange\.low\.value": expected a number'),
        (data_num, r'entry\[1\]\.resource\.presentedForm\[0\]\.data": expected a string'),
        ([make_bundle()], "not a FHIR Bundle"),
        ('{"resourceType": "Bundle", "entry": [', "invalid JSON"),
        # found by tests/fuzz/test_fuzz_deid_files.py: a ValueError traceback before
        ('{"resourceType": "Bundle", "n": ' + "1" * 5000 + "}", "a number too long to read"),
    ]


@pytest.mark.parametrize("case", range(len(_malformed())))
def test_malformed_bundle_is_a_data_error_with_the_json_path(tmp_path: Path, case: int) -> None:
    bundle, expected = _malformed()[case]
    with pytest.raises(DataError, match=expected) as err:
        _run(tmp_path, bundle, "bad.json")
    msg = str(err.value)
    assert "bad.json" in msg and err.value.fix
    assert PATIENT_ID not in msg and "Wolfenbarger" not in msg
    assert not [p for p in (tmp_path / "out").rglob("*.json") if p.name != MANIFEST]


def test_cli_deid_run_on_the_bundle(tmp_path: Path) -> None:
    from medllm.cli import app

    src = tmp_path / "bundle.json"
    src.write_text(json.dumps(make_bundle()))
    args = ["deid", "run", str(src), str(tmp_path / "out"), "--transform", "surrogate"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "attachments dropped: 1" in res.output
    out = json.loads(_output(tmp_path / "out").read_text())
    leaked = phi_found(out)
    assert leaked == [], f"{len(leaked)} PHI values of the bundle in the output: {leaked}"
    bad = make_bundle()
    bad["entry"][2] = 17
    src.write_text(json.dumps(bad))
    res = CliRunner().invoke(app, ["deid", "run", str(src), str(tmp_path / "out2")])
    assert res.exit_code == 2
    assert 'bundle.json: field "entry[2]": expected an object' in res.output
    assert "Traceback" not in res.output and not [
        p for p in (tmp_path / "out2").rglob("*.json") if p.name != MANIFEST
    ]


@pytest.mark.parametrize("transform", ["redact", "surrogate"])
def test_the_birth_year_of_someone_over_89_is_aggregated_to_90(transform: str) -> None:
    """A date shift of up to a year leaves a 93-year-old's birth year (an age over 89) readable."""
    fhir = _deid(transform)
    fhir.today = dt.date(2026, 12, 2)

    def born(date: str) -> str:
        patient = {"resourceType": "Patient", "id": PATIENT_ID, "birthDate": date}
        out = fhir.bundle(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
        )
        return str(out["entry"][0]["resource"]["birthDate"])

    young_out = born("1970-04-02")
    if transform == "redact":
        assert born("1933-04-02") == young_out == "[DATE]"
        return
    assert born("1933-04-02") == "1936"
    assert fhir.counts["AGE"] == 1
    assert re.fullmatch(r"19(69|70|71)-\d\d-\d\d", young_out) and young_out != "1970-04-02"


def test_a_narrative_keeps_its_xhtml_namespace_and_loses_its_phi() -> None:
    div = (
        '<div xmlns="http://www.w3.org/1999/xhtml">John Smith, portal '
        "https://portal.example.com/u/4839201</div>"
    )
    patient = {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "text": {"status": "generated", "div": div},
    }
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]}
    out = _deid("redact").bundle(bundle)["entry"][0]["resource"]["text"]["div"]
    assert out.startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
    assert "4839201" not in out and "portal.example.com" not in out and "[URL]" in out
