"""De-identify a FHIR R4 Bundle (JSON), failing closed.

- Every string goes through the detectors unless its field is on the allow-list of coded and
  structural fields (`KEEP`: system, code, status, resourceType, ...; a Coding's `display`; an
  extension's `url`).
- Fields that are an identifier or a name as a whole are replaced outright, without detection (a
  detector cannot recognise a bare serial number): `Identifier.value`, `ContactPoint.value`,
  HumanName and Address parts, `serialNumber`, `subscriberId`, `Organization.name`,
  `Reference.display` (a person's or an organisation's name) — `WHOLE` and `_whole_kind`.
- Dates (date fields and any string in FHIR date/dateTime/instant form) are shifted by the
  patient's offset (surrogate transform, written back as valid FHIR dates) or redacted; ages over
  89 (`Age`: onsetAge, ageAge, ...) become `{"value": 90, "comparator": ">="}`, and the shifted
  birthDate of someone over 89 becomes the year that makes them 90 (a birth year is an age).
- Resource and element ids, `fullUrl`s and references are pseudonymised with the run's key (the
  config's `secret`), so `Patient/<id>` in a reference and the Patient's `id` get the same
  pseudonym and references still resolve.
- Attachments are found by shape anywhere (`contentType` with `data` or `url`, or `data`): text is
  decoded, de-identified and re-encoded; images and other binaries, URLs and undecodable data are
  dropped and counted under `ATTACHMENT_DROPPED`.
- A malformed structure is a `DataError` naming the JSON path (`check_bundle`), never a traceback.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import hashlib
import re
import secrets
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from medllm.core import DataError, Span
from medllm.privacy.pseudonym import keyed_digest, patient_pseudonym

if TYPE_CHECKING:
    from medllm.privacy.deid import Deidentifier

ATTACHMENT_DROPPED = "ATTACHMENT_DROPPED"  # counts key: attachments whose content was removed

# Coded and structural fields: their strings are copied (FHIR binds them to code systems or URIs).
# fmt: off
KEEP = frozenset({
    "resourceType", "system", "code", "status", "use", "type", "unit", "contentType", "language",
    "gender", "version", "mode", "intent", "priority", "criticality", "severity", "category",
    "comparator", "method", "profile", "country", "kind", "linkId", "valueCode",
})
DATE_KEYS = frozenset({
    "birthDate", "deceasedDateTime", "date", "effectiveDateTime", "issued", "start", "end",
    "authoredOn", "recordedDate", "onsetDateTime", "abatementDateTime", "occurrenceDateTime",
    "performedDateTime", "created", "valueDateTime", "sent", "received", "lastUpdated",
    "timestamp",
})
# fmt: on
# Fields whose whole value is one identifier or name → the PHI kind it is replaced as.
WHOLE = {
    "family": "NAME",
    "given": "NAME",
    "authorString": "NAME",
    "line": "STREET",
    "city": "CITY",
    "district": "CITY",
    "state": "STATE",
    "postalCode": "ZIP",
    "serialNumber": "DEVICE",
    "lotNumber": "DEVICE",
    "deviceIdentifier": "DEVICE",
    "distinctIdentifier": "DEVICE",
    "carrierHRF": "DEVICE",
    "carrierAIDC": "DEVICE",
    "subscriberId": "HEALTHPLAN",
}
ORG_TYPES = frozenset(
    {"Organization", "Location", "HealthcareService", "InsurancePlan", "Endpoint"}
)
PERSON_TYPES = frozenset(
    {"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Person", "Group"}
)
EXTENSIONS = frozenset({"extension", "modifierExtension"})
TEXT_TYPES = frozenset({"application/json", "application/xml", "application/rtf"})
AGE_RANGES = frozenset({"onsetRange", "abatementRange", "ageRange", "performedRange"})
UCUM = "http://unitsofmeasure.org"
# years per unit of an Age (UCUM codes; units written out are matched on their first letters)
YEARS_PER = {"a": 1.0, "mo": 1 / 12, "wk": 7 / 365.25, "d": 1 / 365.25, "h": 1 / 8766}

_FHIR_DATE = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?"
    r"(?P<time>T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)
_REFERENCE = re.compile(
    r"(?P<base>https?://\S+/)?(?P<type>[A-Z][A-Za-z]+)/(?P<id>[A-Za-z0-9\-.]{1,64})"
    r"(?P<history>/_history/[A-Za-z0-9\-.]{1,64})?"
)
_TYPE = re.compile(r"[A-Z][A-Za-z]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# rules other than a PHI kind (those come from WHOLE / _whole_kind)
_KEEP, _ID, _REF, _DATE, _TEXT = "keep", "id", "reference", "date", "text"


def patient_key(bundle: dict[str, Any]) -> str:
    for entry in bundle.get("entry") or []:
        res = entry.get("resource") or {}
        if res.get("resourceType") == "Patient":
            return str(res.get("id", ""))
    return ""


# structure ----------------------------------------------------------------------------------
def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else "a boolean" if isinstance(value, bool) else "a number"


def _join(path: str, key: str) -> str:
    """`entry[0].resource` + `id`; a key that is not a plain name (it may be data) shows as `?`."""
    name = key if _NAME.fullmatch(key) else "?"
    return f"{path}.{name}" if path else name


def check_bundle(bundle: Any, path: str | Path | None = None) -> None:
    """Raise a DataError naming the file and the JSON path where `bundle` is not a FHIR Bundle."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise DataError(
            "not a FHIR Bundle", path=path, field="resourceType", fix='expected "Bundle"'
        )
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        _fail(path, "entry", f"expected a list, found {_json_type(entries)}", '"entry": [{...}]')
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            fix = 'each entry is {"fullUrl": ..., "resource": {"resourceType": ...}}'
            _fail(path, f"entry[{i}]", f"expected an object, found {_json_type(entry)}", fix)
    _check(bundle, "", "", "", path)


def _fail(path: str | Path | None, where: str, problem: str, fix: str) -> NoReturn:
    raise DataError(problem, path=path, field=where, fix=fix)


_PERSON_LISTS = frozenset({"name", "address", "telecom", "identifier"})
_HUMANS = frozenset({"Patient", "Practitioner", "RelatedPerson", "Person"})  # R4: these are lists
_STRINGS = frozenset({"id", "reference", "fullUrl", "data", "contentType", "url", "resourceType"})


def _check(node: Any, key: str, owner_key: str, where: str, path: str | Path | None) -> None:
    if isinstance(node, list):
        for i, v in enumerate(node):
            _check(v, key, owner_key, f"{where}[{i}]", path)
        return
    if not isinstance(node, dict):
        return
    for k, v in node.items():
        sub = _join(where, k)
        if k in _STRINGS and not isinstance(v, str):
            fix = f'"{k}" holds a string in FHIR R4 JSON'
            _fail(path, sub, f"expected a string, found {_json_type(v)}", fix)
        if k in ("resource", "contained"):
            _check_resources(v, sub, path)
        if (
            k in _PERSON_LISTS
            and node.get("resourceType") in PERSON_TYPES
            and not isinstance(v, list)
        ):
            # a name / address / telecom / identifier that is not a list is not R4: fail closed
            # rather than guess which part of it is PHI
            fix = f'"{k}" of a {node["resourceType"]} is a list of objects in FHIR R4 JSON'
            _fail(path, sub, f"expected a list, found {_json_type(v)}", fix)
        if k == "value" and _is_age(node, key, owner_key) and not isinstance(v, (int, float)):
            _fail(
                path, sub, f"expected a number, found {_json_type(v)}", "an Age's value is a number"
            )
        _check(v, k, key, sub, path)


def _check_resources(value: Any, where: str, path: str | Path | None) -> None:
    items = value if isinstance(value, list) else [value]
    for i, res in enumerate(items):
        at = f"{where}[{i}]" if isinstance(value, list) else where
        if not isinstance(res, dict):
            _fail(
                path, at, f"expected an object, found {_json_type(res)}", "a resource is an object"
            )
        if not res.get("resourceType"):
            fix = 'every resource names its type, e.g. "resourceType": "Patient"'
            _fail(path, f"{at}.resourceType", "missing", fix)


# shapes -------------------------------------------------------------------------------------
def _is_attachment(node: Mapping[str, Any]) -> bool:
    """Attachment, Binary, Signature: base64 `data` (not SampledData's numbers) or a content URL."""
    if "data" in node:
        return "dimensions" not in node
    return "contentType" in node and "url" in node


def _is_age(node: Mapping[str, Any], key: str, owner_key: str = "") -> bool:
    if key.endswith("Age") or key == "ageQuantity":
        return True
    if owner_key in AGE_RANGES and key in ("low", "high"):
        return True
    return node.get("system") == UCUM and node.get("code") == "a"


def _is_coding(owner: Mapping[str, Any]) -> bool:
    return ("system" in owner or "code" in owner) and "reference" not in owner


def _is_text(content_type: str) -> bool:
    mime = content_type.split(";")[0].strip().lower()
    return mime.startswith("text/") or mime in TEXT_TYPES or mime.endswith(("+json", "+xml"))


def _charset(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"') or "utf-8"
    return "utf-8"


def _years(node: Mapping[str, Any]) -> float | None:
    value = node.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    code = str(node.get("code") or "")
    unit = str(node.get("unit") or "").lower()
    if code in YEARS_PER:
        return value * YEARS_PER[code]
    for prefix, per in (("y", 1.0), ("mo", 1 / 12), ("w", 7 / 365.25), ("d", 1 / 365.25)):
        if unit.startswith(prefix):
            return value * per
    return float(value)  # unknown unit: read as years (fail closed)


@dataclass(frozen=True)
class _At:
    """Where a value sits: JSON path, its field, the object holding it and that object's field,
    and the type of the resource around it."""

    path: str
    key: str = ""
    owner: Mapping[str, Any] = field(default_factory=dict, repr=False)
    owner_key: str = ""
    rtype: str = ""


def _rule(at: _At, value: str) -> str:
    """What to do with a string: keep it, pseudonymise it, date-shift it, replace it whole as a PHI
    kind, or run the detectors on it (the default: fail closed)."""
    key, owner_key = at.key, at.owner_key
    if key in KEEP or (key == "display" and _is_coding(at.owner)):
        return _KEEP
    if key == "url" and owner_key in EXTENSIONS:
        return _KEEP
    if key == "id":
        return _ID
    if key in ("reference", "fullUrl") or (owner_key, key) in (
        ("request", "url"),
        ("response", "location"),
    ):
        return _REF
    kind = _whole_kind(at, value)
    if kind is not None:
        return kind
    m = _FHIR_DATE.fullmatch(value)
    if key in DATE_KEYS or (m is not None and m["month"]):
        return _DATE
    return _TEXT


def _whole_kind(at: _At, value: str) -> str | None:
    key, owner_key = at.key, at.owner_key
    if key in WHOLE:
        return WHOLE[key]
    if key == "value" and (owner_key.lower().endswith("identifier") or owner_key == "requisition"):
        return "EMAIL" if "@" in value else "MRN" if _is_mrn(at.owner) else "ID"
    if key == "value" and owner_key in ("telecom", "valueContactPoint"):
        return {"email": "EMAIL", "url": "URL"}.get(str(at.owner.get("system")), "PHONE")
    if key == "text" and owner_key in ("name", "address"):
        return "NAME" if owner_key == "name" else "STREET"
    if key in ("name", "alias"):
        return "HOSPITAL" if at.rtype in ORG_TYPES else "DEVICE" if at.rtype == "Device" else "NAME"
    if key == "display":
        return _display_kind(at.owner)
    return None


def _is_mrn(identifier: Mapping[str, Any]) -> bool:
    kind = identifier.get("type")
    codings = kind.get("coding") if isinstance(kind, dict) else None
    return isinstance(codings, list) and any(
        isinstance(c, dict) and c.get("code") == "MR" for c in codings
    )


def _display_kind(reference: Mapping[str, Any]) -> str | None:
    """A Reference's display: a person's or an organisation's name, replaced whole; that of a
    clinical resource (an Observation's "Blood pressure") goes through the detectors."""
    ref = reference.get("reference")
    m = _REFERENCE.fullmatch(ref) if isinstance(ref, str) else None
    target = m["type"] if m else str(reference.get("type") or "").rsplit("/", 1)[-1]
    if target in ORG_TYPES:
        return "HOSPITAL"
    if target == "Device":
        return "DEVICE"
    return "NAME" if not target or target in PERSON_TYPES else None


# the walk -----------------------------------------------------------------------------------
class FhirDeidentifier:
    """Walks a bundle and returns a de-identified copy plus PHI counts (`counts`).

    `secret` keys the id pseudonyms; by default the Deidentifier's (`run_deid` gives every run
    one), else a random one for this walker."""

    def __init__(self, deid: Deidentifier, patient: str, secret: str | None = None) -> None:
        self.deid = deid
        self.patient = patient
        self.secret = secret or deid.cfg.secret or secrets.token_hex(16)
        self.counts: Counter[str] = Counter()
        self.today = dt.date.today()  # ages are as of today; a test may set it

    def bundle(self, bundle: dict[str, Any]) -> dict[str, Any]:
        check_bundle(bundle)
        out = self._value(bundle, _At(""))
        assert isinstance(out, dict)
        return out

    def _value(self, node: Any, at: _At) -> Any:
        if isinstance(node, dict):
            return self._object(node, at)
        if isinstance(node, list):
            return [self._value(v, replace(at, path=f"{at.path}[{i}]")) for i, v in enumerate(node)]
        if isinstance(node, str):
            return self._string(node, at)
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            # a number where an identifier belongs (malformed, but seen): replaced as a string
            return node if _rule(at, str(node)) in (_KEEP, _TEXT) else self._string(str(node), at)
        return node

    def _object(self, node: dict[str, Any], at: _At) -> dict[str, Any]:
        if _is_attachment(node):
            return self._attachment(node, at)
        out = self._fields(node, at, skip=())
        if _is_age(node, at.key, at.owner_key) and (_years(node) or 0) > 89:
            out.update(value=90, comparator=">=", unit="years", system=UCUM, code="a")
            self.counts["AGE"] += 1
        return out

    def _fields(self, node: dict[str, Any], at: _At, skip: tuple[str, ...]) -> dict[str, Any]:
        rtype = str(node.get("resourceType") or at.rtype)
        return {
            k: self._value(v, _At(_join(at.path, k), k, node, at.key, rtype))
            for k, v in node.items()
            if k not in skip
        }

    def _string(self, value: str, at: _At) -> str:
        rule = _rule(at, value)
        if rule == _KEEP:
            return value
        if rule == _ID:
            return self._id(value)
        if rule == _REF:
            return self._reference(value)
        if rule == _DATE:
            return self._birth_date(value) if at.key == "birthDate" else self._date(value)
        if rule == _TEXT:
            result = self.deid(value, patient=self.patient)
            self.counts.update(result.counts())
            return result.text
        return self._as(value, rule)

    def _as(self, value: str, kind: str) -> str:
        if not value.strip():
            return value
        self.counts[kind] += 1
        return self.deid.transform.apply(value, [Span(kind, 0, len(value))], patient=self.patient)

    # ids and references ---------------------------------------------------------------------
    def _id(self, value: str) -> str:
        """A resource or element id; one that is a UUID stays a UUID (as in its urn:uuid:)."""
        return (
            self._uuid(value) if _UUID.fullmatch(value) else patient_pseudonym(self.secret, value)
        )

    def _uuid(self, value: str) -> str:
        digest = keyed_digest(self.secret, value.lower())
        return str(uuid.UUID(bytes=digest[:16], version=4))

    def _reference(self, value: str) -> str:
        """Type/id, base/Type/id[/_history/v], urn:uuid:, urn:oid:, #local → the same shape with
        pseudonymised ids (and server base); anything else (a search URL) is replaced whole."""
        low = value.lower()
        if value.startswith("#") and len(value) > 1:
            return "#" + self._id(value[1:])
        if low.startswith("urn:uuid:"):
            return "urn:uuid:" + self._uuid(value[9:])
        if low.startswith("urn:oid:"):
            return f"urn:oid:2.25.{uuid.UUID(self._uuid(value[8:])).int}"
        if _TYPE.fullmatch(value):  # a transaction's request.url "Patient": no id in it
            return value
        m = _REFERENCE.fullmatch(value)
        if m is None:
            return self._as(value, "ID")
        base = (
            m["base"]
            and f"https://example.org/{patient_pseudonym(self.secret, m['base'].lower())}/"
        )
        return f"{base or ''}{m['type']}/{self._id(m['id'])}{m['history'] or ''}"

    # dates ----------------------------------------------------------------------------------
    def _date(self, value: str) -> str:
        m = _FHIR_DATE.fullmatch(value)
        shift = getattr(self.deid.transform, "shift_days", None)
        if m is None or shift is None:  # redact / mask, or not in FHIR form: the date part whole
            day, sep, rest = value.partition("T")
            return self._as(day, "DATE") + sep + rest
        self.counts["DATE"] += 1
        return _shifted(m, int(shift(self.patient)))

    def _birth_date(self, value: str) -> str:
        """Safe Harbor: the year of birth of someone over 89 is an age over 89. Such a birthDate
        becomes the year that makes them 90 (aggregated, as `Age` becomes >= 90); others shift."""
        m = _FHIR_DATE.fullmatch(value)
        shifts = getattr(self.deid.transform, "shift_days", None) is not None  # redact: [DATE]
        if shifts and m is not None and self.today.year - int(m["year"]) > 89:
            self.counts["AGE"] += 1
            return str(self.today.year - 90)
        return self._date(value)

    # attachments ----------------------------------------------------------------------------
    def _attachment(self, node: dict[str, Any], at: _At) -> dict[str, Any]:
        out = self._fields(node, at, skip=("data", "url", "hash", "size"))
        content_type = str(node.get("contentType") or "")
        raw = self._decoded(node["data"], content_type) if "data" in node else None
        if raw is None:
            self.counts[ATTACHMENT_DROPPED] += 1
            return out
        text, charset = raw
        result = self.deid(text, patient=self.patient)
        self.counts.update(result.counts())
        try:
            data = result.text.encode(charset)
        except UnicodeEncodeError:  # a surrogate the charset cannot hold: drop, never keep clear
            self.counts[ATTACHMENT_DROPPED] += 1
            return out
        out["data"] = base64.b64encode(data).decode("ascii")
        if "size" in node:
            out["size"] = len(data)
        if "hash" in node:
            out["hash"] = base64.b64encode(hashlib.sha1(data).digest()).decode("ascii")
        return out

    def _decoded(self, data: str, content_type: str) -> tuple[str, str] | None:
        """The attachment's text and charset, or None for a binary or unreadable one (dropped)."""
        if not _is_text(content_type):
            return None
        charset = _charset(content_type)
        try:
            codecs.lookup(charset)
            raw = base64.b64decode("".join(data.split()), validate=True)
            return raw.decode(charset), charset
        except (binascii.Error, LookupError, UnicodeDecodeError, ValueError):
            return None


def _shifted(m: re.Match[str], days: int) -> str:
    """A FHIR date/dateTime moved by `days`, at its own precision (YYYY, YYYY-MM, YYYY-MM-DD);
    a time of day is kept, so intervals within the patient's record stay exact."""
    year, month, day = int(m["year"]), m["month"], m["day"]
    if month is None:  # year alone: move the middle of the year, as the text date shift does
        return str((dt.date(year, 7, 1) + dt.timedelta(days=days)).year)
    try:
        new = dt.date(year, int(month), int(day or 15)) + dt.timedelta(days=days)
    except ValueError:  # "2023-02-30": not a real date, nothing to shift; redacted instead
        return "[DATE]"
    out = f"{new.year:04d}-{new.month:02d}" + (f"-{new.day:02d}" if day else "")
    return out + (m["time"] or "")
