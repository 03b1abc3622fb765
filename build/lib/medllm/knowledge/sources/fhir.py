"""FHIR R4 Bundles (JSON) → one document per Condition, MedicationStatement, Observation and
DiagnosticReport. Other resource types (Patient, Encounter, ...) are counted and not indexed: they
carry identifiers, not clinical knowledge.

Hand-written because the FHIR libraries (fhir.resources) validate whole bundles and fail on the
first bad entry; we want one error per bad entry and the rest indexed.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from medllm.core import DataError, Document

SOURCE = "fhir"
Json = dict[str, Any]


def concept(cc: Any) -> str:
    """A CodeableConcept as "text (system code)"; "" when absent."""
    if not isinstance(cc, dict):
        return ""
    codings = [c for c in cc.get("coding", []) if isinstance(c, dict)]
    label = cc.get("text") or next((c["display"] for c in codings if c.get("display")), "")
    codes = ", ".join(
        f"{c.get('system', '').rsplit('/', 1)[-1]} {c['code']}".strip()
        for c in codings
        if c.get("code")
    )
    return f"{label} ({codes})" if label and codes else label or codes


def _value(r: Json) -> str:
    if isinstance(q := r.get("valueQuantity"), dict):
        return f"{q.get('value', '')} {q.get('unit') or q.get('code') or ''}".strip()
    if "valueCodeableConcept" in r:
        return concept(r["valueCodeableConcept"])
    for key in ("valueString", "valueBoolean", "valueInteger", "valueDateTime"):
        if key in r:
            return str(r[key])
    return ""


def _when(r: Json, *keys: str) -> str:
    for key in keys:
        v = r.get(key)
        if isinstance(v, str):
            return v
        if isinstance(v, dict) and v.get("start"):
            return f"{v['start']} to {v.get('end', 'ongoing')}"
    return ""


def _lines(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{k}: {v}" for k, v in pairs if v]


def _condition(r: Json) -> tuple[str, list[str]]:
    name = concept(r.get("code"))
    return name, _lines(
        [
            ("Clinical status", concept(r.get("clinicalStatus"))),
            ("Verification", concept(r.get("verificationStatus"))),
            ("Severity", concept(r.get("severity"))),
            ("Onset", _when(r, "onsetDateTime", "onsetPeriod")),
            ("Note", " ".join(n.get("text", "") for n in r.get("note", []) if isinstance(n, dict))),
        ]
    )


def _medication(r: Json) -> tuple[str, list[str]]:
    med = r.get("medicationCodeableConcept") or (r.get("medication") or {}).get("concept")
    dosage = "; ".join(d.get("text", "") for d in r.get("dosage", []) if isinstance(d, dict))
    reasons = "; ".join(concept(c) for c in r.get("reasonCode", []))
    return concept(med), _lines(
        [
            ("Status", str(r.get("status", ""))),
            ("Dosage", dosage),
            ("Reason", reasons),
            ("Effective", _when(r, "effectiveDateTime", "effectivePeriod")),
        ]
    )


def _observation(r: Json) -> tuple[str, list[str]]:
    comps = "; ".join(
        f"{concept(c.get('code'))} {_value(c)}"
        for c in r.get("component", [])
        if isinstance(c, dict)
    )
    interp = "; ".join(concept(c) for c in r.get("interpretation", []))
    return concept(r.get("code")), _lines(
        [
            ("Value", _value(r)),
            ("Components", comps),
            ("Interpretation", interp),
            ("Effective", _when(r, "effectiveDateTime", "effectivePeriod")),
        ]
    )


def _attachment_text(form: Any) -> str:
    if not isinstance(form, dict) or not str(form.get("contentType", "")).startswith("text/"):
        return ""
    try:
        return base64.b64decode(form.get("data", ""), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _report(r: Json) -> tuple[str, list[str]]:
    forms = "\n".join(_attachment_text(f) for f in r.get("presentedForm", []))
    codes = "; ".join(concept(c) for c in r.get("conclusionCode", []))
    return concept(r.get("code")), _lines(
        [
            ("Status", str(r.get("status", ""))),
            ("Effective", _when(r, "effectiveDateTime", "effectivePeriod")),
            ("Conclusion", str(r.get("conclusion", ""))),
            ("Conclusion codes", codes),
            ("Report", forms.strip()),
        ]
    )


RENDERERS: dict[str, Callable[[Json], tuple[str, list[str]]]] = {
    "Condition": _condition,
    "MedicationStatement": _medication,
    "Observation": _observation,
    "DiagnosticReport": _report,
}


def _document(path: Path, idx: int, entry: Any) -> Document | None:
    where = f"entry[{idx}]"
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if not isinstance(resource, dict) or "resourceType" not in resource:
        raise DataError(f"{where} has no resource with a resourceType", path=path, field="resource")
    rtype = resource["resourceType"]
    render = RENDERERS.get(rtype)
    if render is None:
        return None
    name, lines = render(resource)
    if not name:
        raise DataError(f"{where} ({rtype}) has no code", path=path, field="code")
    rid = str(resource.get("id") or f"{path.stem}-{idx}")
    subject = (resource.get("subject") or {}).get("reference", "")
    return Document(
        id=f"fhir:{path.stem}:{rtype}/{rid}",
        text="\n".join([f"{rtype}: {name}", *lines]),
        title=f"{rtype}: {name}",
        source=SOURCE,
        url=f"{rtype}/{rid}",
        meta={"resource_type": rtype, "subject": subject, "file": path.name, "entry": idx},
    )


def read_fhir_bundle(path: Path, errors: list[DataError]) -> Iterator[Document]:
    """Yield documents of a Bundle file; bad entries are appended to `errors` and skipped."""
    try:
        bundle = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise DataError(f"invalid JSON ({e.msg})", path=path, line=e.lineno) from None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise DataError(
            'not a FHIR Bundle (resourceType is not "Bundle")',
            path=path,
            field="resourceType",
            fix="pass a FHIR R4 Bundle JSON file",
        )
    for idx, entry in enumerate(bundle.get("entry", [])):
        try:
            doc = _document(path, idx, entry)
        except DataError as e:
            errors.append(e)
            continue
        if doc is not None:
            yield doc
