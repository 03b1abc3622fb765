"""De-identify a DICOM header: PS3.15 Basic Application Level Confidentiality Profile.

`deidentify_dataset(ds, key)` changes `ds` in place and returns a `DicomDeidResult` (counts by
action and by rule, the Burned In Annotation flag): never a value. Each attribute, nested ones
included, gets one action by `rule_for` (the first rule that applies):

1. the profile table (`dicom_profile.PROFILE`, PS3.15 Table E.1-1, Basic Profile column, with
   the Modified Dates option for the main dates);
2. private tags, curves (even groups 5000-501E) and overlays (even groups 6000-601E, overlay data
   and comments with the rest of the group; 5200 functional groups are not curves): removed; group lengths (gggg,0000): removed (pydicom writes its own);
3. by VR, for attributes the table does not list: a person name (PN) removed; a UID (UI)
   remapped unless it is a registered DICOM UID (a SOP class, a transfer syntax, a coding
   scheme); a date (DA, DT) shifted; free text (LT, ST, UT) removed;
4. an attribute in a PHI-bearing group (`PHI_GROUPS`) that `CLINICAL` does not list: removed;
5. anything else (acquisition, geometry, pixel description: groups 0018, 0020, 0028, 0054, ...):
   kept, sequences with their items cleaned by the same rules.

UIDs: "2.25." + the integer of a UUID made from HMAC-SHA256(key, "dicom-uid" NUL uid), so the same
UID under the same key becomes the same UID in every file and run (a study stays one study), and
cannot be traced back without the key. Dates move by `medllm.privacy.date_shift_days(key,
patient)`, the text de-id's surrogate shift, where the patient is the original Patient ID (the
Study Instance UID when it is empty): with the same key, a patient's report and images keep their
intervals and line up. Patient Name and Patient ID become `medllm.privacy.patient_pseudonym(key,
Patient ID)`, what the text de-id writes for that patient's id. Pixel data are never touched:
burned-in text stays in the pixels, so a file whose Burned In Annotation is YES is flagged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from medllm.privacy import date_shift_days, keyed_digest, patient_pseudonym
from medllm.vision.dicom_profile import ACTIONS, CLINICAL, PHI_GROUPS, PROFILE

if TYPE_CHECKING:
    from pydicom import Dataset
    from pydicom.dataelem import DataElement

METHOD = (
    "DICOM PS3.15 Basic Application Level Confidentiality Profile with the Retain Longitudinal "
    "Temporal Information Modified Dates Option (medllm)"
)
# (0012,0064) De-identification Method Code Sequence: CID 7050 codes of what was applied.
METHOD_CODES = (
    ("113100", "Basic Application Confidentiality Profile"),
    ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
)
_DUMMY = {"PN": "ANONYMOUS", "DA": "19000101", "TM": "000000", "DT": "19000101000000"}


@dataclass
class DicomDeidResult:
    """What de-identification did to one file, in counts: no value, no name, no UID."""

    actions: Counter[str] = field(default_factory=Counter)  # "removed" → attributes
    rules: Counter[str] = field(default_factory=Counter)  # "table", "private", ... → attributes
    burned_in: str = "unknown"  # Burned In Annotation: "YES" | "NO" | "unknown" (absent)
    shift_days: int = field(default=0, repr=False)  # never written to a manifest


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], frozenset[int]]:
    from pydicom.datadict import tag_for_keyword

    profile = {int(tag_for_keyword(k)): a for k, a in PROFILE.items()}  # type: ignore[arg-type]
    clinical = frozenset(int(tag_for_keyword(k)) for k in CLINICAL)  # type: ignore[arg-type]
    return profile, clinical


def rule_for(tag: int, vr: str, value: Any = None) -> tuple[str, str]:
    """(action, rule) for one attribute; the module doc lists the rules in order."""
    profile, clinical = _tables()
    group, element = tag >> 16, tag & 0xFFFF
    if tag in profile:
        return profile[tag], "table"
    if group % 2 == 1:
        return "X", "private"
    if (0x5000 <= group <= 0x501E or 0x6000 <= group <= 0x601E) and group % 2 == 0:
        return "X", "curve_overlay"
    if element == 0 and group != 0x0002:
        return "X", "group_length"
    by_vr = _rule_by_vr(tag, vr, value, clinical)
    if by_vr is not None:
        return by_vr
    if group in PHI_GROUPS and tag not in clinical:
        return "X", "unknown_in_phi_group"
    return "K", "clinical"


def _rule_by_vr(tag: int, vr: str, value: Any, clinical: frozenset[int]) -> tuple[str, str] | None:
    if vr == "PN":
        return "X", "person_name"
    if vr == "UI":
        return ("K", "registered_uid") if _registered(value) else ("U", "uid")
    if vr in ("DA", "DT"):
        return "S", "date"
    if vr in ("LT", "ST", "UT") and tag not in clinical:
        return "X", "free_text"
    return None


def _registered(value: Any) -> bool:
    """Every value is a UID pydicom's dictionary lists (SOP classes, transfer syntaxes, ...)."""
    from pydicom.uid import UID_dictionary  # type: ignore[attr-defined]

    values = value if isinstance(value, list | tuple) or _is_multi(value) else [value]
    return bool(values) and all(str(v) in UID_dictionary for v in values if v)


def _is_multi(value: Any) -> bool:
    from pydicom.multival import MultiValue

    return isinstance(value, MultiValue)


def remap_uid(key: str, uid: str) -> str:
    """The UID's keyed replacement under the 2.25 root (UUID-derived, at most 44 characters)."""
    digest = keyed_digest(key, "dicom-uid\x00" + uid.strip().rstrip("\x00"))
    return f"2.25.{uuid.UUID(bytes=digest[:16], version=4).int}"


def patient_of(ds: Dataset) -> str:
    """The key a patient's dates shift by and their pseudonym is made of: the Patient ID, else
    (no Patient ID) the Study Instance UID, so a study's files still move together."""
    return str(ds.get("PatientID", "") or "").strip() or str(ds.get("StudyInstanceUID", ""))


def deidentify_dataset(ds: Dataset, key: str) -> DicomDeidResult:
    """Apply the profile to `ds` (file meta included) in place; counts only in the result."""
    from medllm.vision.image import quiet_pydicom

    with quiet_pydicom():  # pydicom's value warnings would quote header values in a log
        return _deidentify(ds, key)


def _deidentify(ds: Dataset, key: str) -> DicomDeidResult:
    patient = patient_of(ds)
    result = DicomDeidResult(shift_days=date_shift_days(key, patient))
    result.burned_in = str(ds.get("BurnedInAnnotation", "") or "").strip().upper() or "unknown"
    walker = _Walker(key, patient_pseudonym(key, patient), result)
    walker.clean(ds)
    meta = getattr(ds, "file_meta", None)
    if meta is not None and len(meta):
        walker.clean(meta)
        if "SOPInstanceUID" in ds:
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    _mark(ds)
    return result


def _mark(ds: Dataset) -> None:
    """Patient Identity Removed, the method and its codes, dates marked as modified."""
    from pydicom import Dataset

    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD
    items = []
    for value, meaning in METHOD_CODES:
        item = Dataset()
        item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning
        items.append(item)
    ds.DeidentificationMethodCodeSequence = items
    ds.LongitudinalTemporalInformationModified = "MODIFIED"


class _Walker:
    def __init__(self, key: str, pseudonym: str, result: DicomDeidResult) -> None:
        self.key, self.pseudonym, self.result = key, pseudonym, result

    def clean(self, ds: Dataset) -> None:
        for tag in list(ds.keys()):
            elem = ds[tag]
            action, rule = rule_for(int(tag), elem.VR, elem.value if elem.VR == "UI" else None)
            self.result.rules[rule] += 1
            self.result.actions[ACTIONS[action]] += 1
            if action == "X":
                del ds[tag]
            else:
                self.apply(action, elem)

    def apply(self, action: str, elem: DataElement) -> None:
        if elem.VR == "SQ":
            if action in ("Z", "D"):
                elem.value = []
            else:
                for item in elem.value:
                    self.clean(item)
        elif action == "Z":
            elem.value = ""
        elif action == "D":
            elem.value = _DUMMY.get(elem.VR, "ANONYMIZED")
        elif action == "P":
            elem.value = self.pseudonym
        elif action == "U":
            elem.value = self._each(elem.value, lambda v: remap_uid(self.key, v))
        elif action == "S":
            elem.value = self._each(elem.value, self._shift)

    def _each(self, value: Any, fn: Any) -> Any:
        if _is_multi(value) or isinstance(value, list):
            return [fn(str(v)) for v in value if str(v)]
        return fn(str(value)) if str(value) else value

    def _shift(self, value: str) -> str:
        """A DA (YYYYMMDD) or the date part of a DT moved by the patient's days; a value that
        is not a full date (a year alone, a malformed one) becomes empty, never kept."""
        try:
            day = dt.datetime.strptime(value[:8], "%Y%m%d").date()
        except ValueError:
            self.result.actions["date_unparsed_emptied"] += 1
            return ""
        new = day + dt.timedelta(days=self.result.shift_days)
        return new.strftime("%Y%m%d") + value[8:]
