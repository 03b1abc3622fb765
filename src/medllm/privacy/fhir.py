"""De-identify a FHIR R4 Bundle (JSON): narrative and free-text fields through the detectors,
structured identifiers (names, birth dates, addresses, telecoms, identifiers) by their field.

Fields not listed here (codes, systems, statuses, references) are copied: they carry no PHI in
FHIR's design. A bundle's Patient resource gives the patient key for surrogates and date shifts.
"""

from __future__ import annotations

import base64
import binascii
from collections import Counter
from typing import Any

from medllm.core import Span
from medllm.privacy.deid import Deidentifier

FREE_TEXT = frozenset(
    {"div", "text", "valueString", "description", "conclusion", "comment", "note"}
)
DATE_KEYS = frozenset(
    {
        "birthDate",
        "deceasedDateTime",
        "date",
        "effectiveDateTime",
        "issued",
        "start",
        "end",
        "authoredOn",
        "recordedDate",
        "onsetDateTime",
        "abatementDateTime",
        "occurrenceDateTime",
        "performedDateTime",
        "created",
        "valueDateTime",
        "period",
    }
)
STRUCTURED = {
    "family": "NAME",
    "given": "NAME",
    "prefix": None,
    "line": "STREET",
    "city": "CITY",
    "district": "CITY",
    "state": "STATE",
    "postalCode": "ZIP",
}


def patient_key(bundle: dict[str, Any]) -> str:
    for entry in bundle.get("entry") or []:
        res = entry.get("resource") or {}
        if res.get("resourceType") == "Patient":
            return str(res.get("id", ""))
    return ""


class FhirDeidentifier:
    """Walks a bundle and returns a de-identified copy plus PHI counts."""

    def __init__(self, deid: Deidentifier, patient: str) -> None:
        self.deid = deid
        self.patient = patient
        self.counts: Counter[str] = Counter()

    def bundle(self, bundle: dict[str, Any]) -> dict[str, Any]:
        out = self._walk(bundle, "")
        assert isinstance(out, dict)
        return out

    def _walk(self, node: Any, key: str) -> Any:
        if isinstance(node, dict):
            if key == "attachment" and "data" in node:
                return self._attachment(node)
            if key == "telecom" or key == "identifier":
                return self._whole(node, "PHONE" if key == "telecom" else "ID")
            return {k: self._walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [self._walk(v, key) for v in node]
        if isinstance(node, str):
            return self._string(node, key)
        return node

    def _string(self, value: str, key: str) -> str:
        if STRUCTURED.get(key):
            return self._as(value, str(STRUCTURED[key]))
        if key in DATE_KEYS:
            day, sep, rest = value.partition("T")
            return self._as(day, "DATE") + sep + (rest if sep else "")
        if key in FREE_TEXT:
            result = self.deid(value, patient=self.patient)
            self.counts.update(result.counts())
            return result.text
        return value

    def _as(self, value: str, kind: str) -> str:
        if not value.strip():
            return value
        self.counts[kind] += 1
        return self.deid.transform.apply(value, [Span(kind, 0, len(value))], patient=self.patient)

    def _whole(self, node: dict[str, Any], kind: str) -> dict[str, Any]:
        out = dict(node)
        if isinstance(out.get("value"), str):
            value = out["value"]
            kind = "EMAIL" if "@" in value else kind
            out["value"] = self._as(value, kind)
        return out

    def _attachment(self, node: dict[str, Any]) -> dict[str, Any]:
        out = dict(node)
        try:
            text = base64.b64decode(node["data"], validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            # Not text we can read: dropping it is the only fail-closed choice.
            out.pop("data")
            self.counts["ATTACHMENT_DROPPED"] += 1
            return out
        result = self.deid(text, patient=self.patient)
        self.counts.update(result.counts())
        out["data"] = base64.b64encode(result.text.encode("utf-8")).decode("ascii")
        return out
