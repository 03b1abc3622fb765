"""FHIR R4 Bundles (JSON) → one document per Condition, MedicationStatement, Observation and
DiagnosticReport. Other resource types (Patient, Encounter, ...) are counted and not indexed: they
carry identifiers, not clinical knowledge.

Hand-written because the FHIR libraries (fhir.resources) validate whole bundles and fail on the
first bad entry; we want one error per bad entry and the rest indexed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from medllm.core import DataError, Document, read_json

SOURCE = "fhir"
Json = dict[str, Any]


class _Shape(Exception):
    """A field the renderers read holds the wrong JSON type (turned into a DataError per entry)."""

    def __init__(self, key: str, expected: str) -> None:
        self.key = key
        self.expected = expected


def _list(r: Json, key: str) -> list[Any]:
    value = r.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Shape(key, "a list")
    return value


def _obj(r: Json, key: str) -> Json:
    value = r.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Shape(key, "an object")
    return value


def _str(r: Json, key: str) -> str:
    value = r.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _Shape(key, "a string")
    return value


def concept(cc: Any) -> str:
    """A CodeableConcept as "text (system code)"; "" when absent."""
    if not isinstance(cc, dict):
        return ""
    codings = [c for c in _list(cc, "coding") if isinstance(c, dict)]
    label = _str(cc, "text") or next((_str(c, "display") for c in codings if c.get("display")), "")
    codes = ", ".join(
        f"{_str(c, 'system').rsplit('/', 1)[-1]} {c['code']}".strip()
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
            ("Note", " ".join(_str(n, "text") for n in _list(r, "note") if isinstance(n, dict))),
        ]
    )


def _medication(r: Json) -> tuple[str, list[str]]:
    med = r.get("medicationCodeableConcept") or _obj(r, "medication").get("concept")
    dosage = "; ".join(_str(d, "text") for d in _list(r, "dosage") if isinstance(d, dict))
    reasons = "; ".join(concept(c) for c in _list(r, "reasonCode"))
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
        for c in _list(r, "component")
        if isinstance(c, dict)
    )
    interp = "; ".join(concept(c) for c in _list(r, "interpretation"))
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
        return base64.b64decode(_str(form, "data"), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def _report(r: Json) -> tuple[str, list[str]]:
    forms = "\n".join(_attachment_text(f) for f in _list(r, "presentedForm"))
    codes = "; ".join(concept(c) for c in _list(r, "conclusionCode"))
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
    render = RENDERERS.get(rtype) if isinstance(rtype, str) else None
    if render is None:
        return None
    try:
        name, lines = render(resource)
    except _Shape as e:
        raise DataError(
            f"{where} ({rtype}): expected {e.expected}",
            path=path,
            field=e.key,
            fix="check the resource against FHIR R4 JSON",
        ) from None
    if not name:
        raise DataError(f"{where} ({rtype}) has no code", path=path, field="code")
    rid = str(resource.get("id") or f"{path.stem}-{idx}")
    subject = resource.get("subject")
    subject = subject.get("reference", "") if isinstance(subject, dict) else ""
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
    bundle = read_json(path)
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise DataError(
            'not a FHIR Bundle (resourceType is not "Bundle")',
            path=path,
            field="resourceType",
            fix="pass a FHIR R4 Bundle JSON file",
        )
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise DataError(
            "expected a list", path=path, field="entry", fix='write "entry": [{"resource": ...}]'
        )
    for idx, entry in enumerate(entries):
        try:
            doc = _document(path, idx, entry)
        except DataError as e:
            errors.append(e)
            continue
        if doc is not None:
            yield doc
