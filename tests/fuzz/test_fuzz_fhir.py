"""Fuzz FHIR de-identification (`privacy/fhir.py`): any JSON value given as a bundle is
de-identified or refused with a MedllmError naming the JSON path, and a planted patient's name, MRN,
phone number and birth date never survive anywhere in the output bundle (ids, references, displays,
notes, attachments)."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import MedllmError
from medllm.privacy import DeidConfig, Deidentifier
from medllm.privacy.fhir import FhirDeidentifier, check_bundle

DEID = {
    t: Deidentifier(DeidConfig(transform=t, secret="fuzz-key")) for t in ("redact", "surrogate")
}
# Field names the walker gives meaning to, so random bundles reach its rules (and arbitrary ones).
KEYS = st.sampled_from(
    [
        "resourceType",
        "entry",
        "resource",
        "contained",
        "id",
        "reference",
        "fullUrl",
        "data",
        "contentType",
        "url",
        "value",
        "system",
        "code",
        "coding",
        "name",
        "family",
        "given",
        "text",
        "birthDate",
        "telecom",
        "identifier",
        "type",
        "display",
        "subject",
        "note",
        "valueQuantity",
        "unit",
        "onsetAge",
        "ageRange",
        "low",
        "high",
        "extension",
        "presentedForm",
        "start",
        "end",
        "request",
        "response",
        "location",
        "size",
        "hash",
        "dimensions",
        "comparator",
        "period",
        "address",
        "line",
        "city",
    ]
) | st.text(max_size=6)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["Patient/p-1", "urn:uuid:1", "#x", "2020-02-30", "1999-12-31T23:59:59Z"])
    | st.sampled_from(
        [
            "text/plain; charset=latin-1",
            "image/png",
            "dGV4dA==",
            "http://unitsofmeasure.org",
            "a",
            "MR",
        ]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(KEYS, c, max_size=5),
    max_leaves=30,
)
RESOURCE = st.fixed_dictionaries(
    {
        "resourceType": st.sampled_from(
            ["Patient", "Observation", "Organization", "Device", "DocumentReference", "Condition"]
        )
    },
    optional={"id": JSON, "subject": JSON, "name": JSON, "identifier": JSON, "content": JSON},
).flatmap(lambda r: st.dictionaries(KEYS, JSON, max_size=4).map(lambda extra: {**extra, **r}))
BUNDLE = st.fixed_dictionaries(
    {"resourceType": st.just("Bundle")},
    optional={
        "entry": st.lists(
            st.fixed_dictionaries({}, optional={"resource": RESOURCE, "fullUrl": JSON}) | JSON,
            max_size=4,
        )
    },
)


def test_any_json_as_a_bundle(fuzz: Any) -> None:
    @fuzz
    @given(BUNDLE | JSON, st.sampled_from(sorted(DEID)))
    def prop(bundle: Any, transform: str) -> None:
        try:
            check_bundle(bundle)
            out = FhirDeidentifier(DEID[transform], "p1").bundle(bundle)
        except MedllmError:
            return
        assert out["resourceType"] == "Bundle"
        json.dumps(out)  # still JSON

    prop()


def _bundle(planted: Any, note: str, extra: dict[str, Any]) -> dict[str, Any]:
    pid = f"{planted.first.lower()}-{planted.last.lower()}-{planted.mrn}"
    y = planted.dob[6:] + "-" + planted.dob[:2] + "-" + planted.dob[3:5]
    patient = {
        **extra,
        "resourceType": "Patient",
        "id": pid,
        "identifier": [{"type": {"coding": [{"code": "MR"}]}, "value": planted.mrn}],
        "name": [
            {
                "family": planted.last,
                "given": [planted.first],
                "text": f"{planted.first} {planted.last}",
            }
        ],
        "telecom": [{"system": "phone", "value": planted.phone}],
        "birthDate": y,
    }
    note_b64 = base64.b64encode(note.encode()).decode()
    observation = {
        "resourceType": "Observation",
        "id": f"obs-{planted.mrn}",
        "subject": {"reference": f"Patient/{pid}", "display": f"{planted.first} {planted.last}"},
        "note": [{"text": note}],
        "valueString": f"Discussed with {planted.first} {planted.last}, phone {planted.phone}",
        "derivedFrom": [{"contentType": "text/plain", "data": note_b64}],
    }
    return {
        "resourceType": "Bundle",
        "entry": [
            {"fullUrl": f"http://example.org/fhir/Patient/{pid}", "resource": patient},
            {"fullUrl": f"urn:uuid:{planted.mrn}", "resource": observation},
        ],
    }


def test_planted_phi_never_survives(fuzz: Any, phi: Any) -> None:
    @fuzz
    @given(
        phi.planted_note(),
        st.dictionaries(st.text(max_size=6), st.text(max_size=10), max_size=3),
        st.sampled_from(sorted(DEID)),
    )
    def prop(case: tuple[Any, str, str], extra: dict[str, Any], transform: str) -> None:
        planted, note, filler = case
        bundle = _bundle(planted, note, extra)
        try:
            out = FhirDeidentifier(DEID[transform], "p1").bundle(bundle)
        except MedllmError:  # an extra field that breaks the structure ("contained": "x")
            return
        text = json.dumps(out, ensure_ascii=False)
        decoded = [
            base64.b64decode(a["data"]).decode()
            for a in out["entry"][1]["resource"]["derivedFrom"]
            if "data" in a
        ]
        source = filler + json.dumps(extra, ensure_ascii=False)
        assert planted.leaks(text + "\n".join(decoded), source) == []

    prop()
