"""The Basic Profile on pydicom's bundled files: every PHI attribute of the table is gone or
replaced, the pixel data are byte-identical, the file still opens, UIDs remap consistently and a
date moves by exactly the patient's shift (the text de-id's)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydicom
import pytest
from pydicom.datadict import keyword_for_tag

from medllm.privacy import date_shift_days, deidentify, patient_pseudonym
from medllm.vision import deidentify_dataset, read_image, remap_uid
from medllm.vision.dicom_deid import rule_for
from medllm.vision.dicom_profile import PROFILE

KEY = "test-key"
FILES = [
    "CT_small.dcm",  # CT, 179 private tags
    "MR_small.dcm",
    "examples_overlay.dcm",  # MR abdomen with overlay planes (group 6000) and private tags
    "examples_ybr_color.dcm",  # US, 30 frames, JPEG baseline
    "JPEG2000.dcm",  # NM, compressed: encapsulated pixel data
    "rtdose.dcm",
    "liver_1frame.dcm",  # SEG
    "examples_palette.dcm",
    "reportsi.dcm",  # SR: no pixel data, its content sequence is removed
    "nested_priv_SQ.dcm",  # private tags inside sequences
]


def deid_roundtrip(src: Path, tmp_path: Path) -> tuple[Any, Any, Any]:
    """(original, result, the de-identified file read back)."""
    original = pydicom.dcmread(src)
    ds = pydicom.dcmread(src)
    result = deidentify_dataset(ds, KEY)
    out = tmp_path / "out.dcm"
    ds.save_as(out, enforce_file_format=False)
    return original, result, pydicom.dcmread(out)


def elements(ds: Any) -> list[Any]:
    return [*ds.iterall(), *(ds.file_meta if hasattr(ds, "file_meta") else [])]


def shifted(value: str, days: int) -> str:
    day = dt.datetime.strptime(value[:8], "%Y%m%d").date() + dt.timedelta(days=days)
    return day.strftime("%Y%m%d") + value[8:]


@pytest.mark.parametrize("name", FILES)
def test_every_profile_attribute_is_gone_or_replaced(
    name: str, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    original, result, out = deid_roundtrip(dicom_file(name), tmp_path)
    patient = str(original.get("PatientID", "") or "") or str(original.get("StudyInstanceUID", ""))
    days = date_shift_days(KEY, patient)
    assert result.shift_days == days
    out_values: dict[str, list[Any]] = {}
    for e in elements(out):
        out_values.setdefault(e.keyword, []).append(e.value)
    checked = 0
    for e in elements(original):
        action = PROFILE.get(e.keyword)
        if action is None:
            continue
        checked += 1
        got = out_values.get(e.keyword, [])
        if action == "X":
            assert not got, f"{name}: {e.keyword} kept"
        elif action in ("Z", "D") and e.VR != "SQ":
            assert got and all(v != e.value or v in ("", None) for v in got), e.keyword
        elif action == "P":
            assert got == [patient_pseudonym(KEY, patient)], e.keyword
        elif e.keyword == "MediaStorageSOPInstanceUID" and e.value:  # = the new SOP Instance UID
            new = out.SOPInstanceUID if "SOPInstanceUID" in out else remap_uid(KEY, e.value)
            assert got == [new] and str(e.value) not in map(str, got)
        elif action == "U" and e.value:
            values = (
                e.value if isinstance(e.value, list | pydicom.multival.MultiValue) else [e.value]
            )
            # remapped where it stays (it goes with a removed sequence, e.g. an SR's content)
            remapped = [remap_uid(KEY, str(v)) in str(got) for v in values]
            assert all(remapped) or not got, e.keyword
            assert all(str(v) not in [str(g) for g in got] for v in values), e.keyword
        elif action == "S" and e.value:
            assert shifted(str(e.value), days) in [str(g) for g in got], e.keyword
    assert checked >= (1 if name == "nested_priv_SQ.dcm" else 10)
    assert out.PatientIdentityRemoved == "YES"
    codes = [item.CodeValue for item in out.DeidentificationMethodCodeSequence]
    assert codes == ["113100", "113107"]


@pytest.mark.parametrize("name", FILES)
def test_no_private_overlay_name_or_phi_value_left(
    name: str, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    original, _, out = deid_roundtrip(dicom_file(name), tmp_path)
    left = elements(out)
    assert not [e for e in left if e.tag.is_private]
    curves_overlays = [*range(0x5000, 0x501F, 2), *range(0x6000, 0x601F, 2)]
    assert not [e for e in left if e.tag.group in curves_overlays]
    pseudonym = out.get("PatientName")
    assert {str(e.value) for e in left if e.VR == "PN"} <= {"", str(pseudonym)}
    raw = (tmp_path / "out.dcm").read_bytes()
    phi = {
        str(e.value)
        for e in elements(original)
        if PROFILE.get(e.keyword) in ("X", "Z", "P", "D", "U")
        and e.VR in ("PN", "LO", "SH", "UI", "LT", "ST")
        and len(str(e.value).strip(" -^")) >= 4
    }
    kept = {str(e.value) for e in left}  # "TOSHIBA": an institution name and the manufacturer
    leaked = [v for v in phi if v.encode() in raw and not any(v in k for k in kept)]
    assert not leaked, f"{name}: {len(leaked)} PHI values still in the file"


@pytest.mark.parametrize("name", [f for f in FILES if f != "reportsi.dcm"])
def test_pixel_data_byte_identical_and_clinical_attributes_kept(
    name: str, dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    original, _, out = deid_roundtrip(dicom_file(name), tmp_path)
    assert out.PixelData == original.PixelData
    for keyword in (
        "Modality",
        "BodyPartExamined",
        "PixelSpacing",
        "WindowCenter",
        "WindowWidth",
        "Rows",
        "Columns",
        "NumberOfFrames",
        "ImagePositionPatient",
        "ImageOrientationPatient",
        "SliceThickness",
        "PhotometricInterpretation",
        "RescaleSlope",
        "RescaleIntercept",
        "SOPClassUID",
    ):
        assert out.get(keyword) == original.get(keyword), keyword


def test_deidentified_images_read_the_same(
    dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    for name in ("CT_small.dcm", "examples_ybr_color.dcm", "JPEG2000.dcm"):
        deid_roundtrip(dicom_file(name), tmp_path)
        before, after = read_image(dicom_file(name)), read_image(tmp_path / "out.dcm")
        assert (before.pixels == after.pixels).all() and before.pixels.shape == after.pixels.shape


def test_a_date_moves_exactly_as_the_text_deid_moves_it(
    dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    original, _, out = deid_roundtrip(dicom_file("CT_small.dcm"), tmp_path)
    assert original.StudyDate == "20040119" and original.PatientID == "1CT1"
    days = date_shift_days(KEY, "1CT1")
    expected = dt.date(2004, 1, 19) + dt.timedelta(days=days)
    assert out.StudyDate == expected.strftime("%Y%m%d")
    assert out.StudyTime == original.StudyTime  # whole days: the time of day is kept
    text = deidentify("CT on 01/19/2004.", transform="surrogate", patient="1CT1", secret=KEY)
    assert text.text == f"CT on {expected:%m/%d/%Y}."
    assert out.PatientID == patient_pseudonym(KEY, "1CT1")


def test_uid_remap_is_keyed_and_stable() -> None:
    uid = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322"
    assert remap_uid(KEY, uid) == remap_uid(KEY, uid)
    assert remap_uid(KEY, uid) != remap_uid("other", uid)
    new = remap_uid(KEY, uid)
    assert new.startswith("2.25.") and len(new) <= 64 and pydicom.uid.UID(new).is_valid


def test_burned_in_annotation_is_reported(
    dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    ds = pydicom.dcmread(dicom_file("examples_rgb_color.dcm"))
    ds.BurnedInAnnotation = "YES"
    assert deidentify_dataset(ds, KEY).burned_in == "YES"
    assert deidentify_dataset(pydicom.dcmread(dicom_file("MR_small.dcm")), KEY).burned_in == (
        "unknown"
    )


def test_fail_closed_rules() -> None:
    # an attribute the table does not list, in the patient group: removed
    assert rule_for(0x00102201, "LO") == ("X", "unknown_in_phi_group")  # Patient Species Desc.
    assert rule_for(0x00189999, "PN") == ("X", "person_name")
    assert rule_for(0x00209999, "UI", "1.2.3.4") == ("U", "uid")
    assert rule_for(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.2") == ("K", "registered_uid")
    assert rule_for(0x00189999, "DA") == ("S", "date")
    assert rule_for(0x00189999, "LT") == ("X", "free_text")
    assert rule_for(0x00091001, "LO") == ("X", "private")
    assert rule_for(0x60003000, "OW") == ("X", "curve_overlay")
    assert rule_for(0x00180015, "CS") == ("K", "clinical")  # Body Part Examined
    assert rule_for(0x00280030, "DS") == ("K", "clinical")  # Pixel Spacing
    assert keyword_for_tag(0x00102201) == "PatientSpeciesDescription"


def test_an_unknown_patient_attribute_in_a_real_file_is_removed(
    dicom_file: Callable[[str], Path],
) -> None:
    ds = pydicom.dcmread(dicom_file("MR_small.dcm"))
    ds.PatientSpeciesDescription = "Canis lupus"
    ds.add_new(0x00091010, "LO", "a private note")
    result = deidentify_dataset(ds, KEY)
    assert "PatientSpeciesDescription" not in ds and 0x00091010 not in ds
    assert result.rules["unknown_in_phi_group"] >= 1 and result.rules["private"] >= 1
