"""`run_dicom_deid` over a folder: pseudonymous owner-only output, consistent UIDs within a study
and across runs, bad files skipped by reason, a manifest of counts only."""

from __future__ import annotations

import json
import re
import shutil
import stat
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest

from medllm.core import DataError
from medllm.privacy import date_shift_days, pseudonym_path
from medllm.vision import run_dicom_deid

KEY = "runner-key"
NAME = re.compile(r"doc-[0-9a-f]{12}(\.dcm)?")


@pytest.fixture()
def study_folder(tmp_path: Path, dicom_file: Callable[[str], Path]) -> Path:
    """A patient folder (17 MR files: 3 studies, 7 series), a CT, a flagged US, bad entries."""
    inp = tmp_path / "in"
    shutil.copytree(dicom_file("dicomdirtests/98892003"), inp / "Patient_98892003")
    shutil.copy(dicom_file("CT_small.dcm"), inp / "smith_john_2004.dcm")
    ds = pydicom.dcmread(dicom_file("examples_rgb_color.dcm"))
    ds.BurnedInAnnotation = "YES"
    ds.save_as(inp / "us_burned.dcm", enforce_file_format=False)
    (inp / "cut.dcm").write_bytes(dicom_file("CT_small.dcm").read_bytes()[:20000])
    (inp / "notes.txt").write_text("not an image")
    shutil.copy(dicom_file("dicomdirtests/DICOMDIR"), inp / "DICOMDIR")
    (inp / ".hidden.dcm").write_bytes(b"")
    return inp


def outputs(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.dcm"))


def test_folder_run(study_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run_dicom_deid(study_folder, out, secret=KEY)
    mr = sorted(p for p in (study_folder / "Patient_98892003").rglob("*") if p.is_file())
    assert summary.files == len(mr) + 2 == len(outputs(out))
    reasons = sorted((p.name, r) for p, r in summary.skipped)
    assert reasons == [
        (".hidden.dcm", "hidden"),
        ("DICOMDIR", "dicomdir"),
        ("cut.dcm", "unreadable"),
        ("notes.txt", "not_dicom"),
    ]
    for p in out.rglob("*"):
        rel = p.relative_to(out)
        if p.name != "deid_manifest.json":
            assert all(NAME.fullmatch(part) for part in rel.parts), rel
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o700 if p.is_dir() else 0o600)
    manifest = json.loads((out / "deid_manifest.json").read_text())
    assert manifest["complete"] is True and manifest["files"] == summary.files
    assert manifest["skipped_inputs"] == {
        "not_dicom": 1,
        "unreadable": 1,
        "dicomdir": 1,
        "hidden": 1,
    }
    assert manifest["dicom"]["burned_in_annotation"] == {"YES": 1, "unknown": summary.files - 1}
    (flagged,) = manifest["dicom"]["burned_in_flagged"]
    assert (out / flagged).is_file() and pydicom.dcmread(out / flagged).BurnedInAnnotation == "YES"
    text = (out / "deid_manifest.json").read_text()
    for original in [pydicom.dcmread(p) for p in mr]:
        assert str(original.PatientID) not in text and str(original.StudyInstanceUID) not in text
    assert "smith" not in text and "98892003" not in text


def uid_map(inp: Path, out: Path, key: str) -> dict[str, set[str]]:
    """original Study / Series Instance UID → the UIDs the outputs hold for it (each input found
    in OUT by its keyed pseudonymous path)."""
    found: dict[str, set[str]] = defaultdict(set)
    for p in sorted(q for q in inp.rglob("*") if q.is_file()):
        o = pydicom.dcmread(p)
        d = pydicom.dcmread(out / pseudonym_path(key, p.relative_to(inp)).with_suffix(".dcm"))
        found[o.StudyInstanceUID].add(d.StudyInstanceUID)
        found[o.SeriesInstanceUID].add(d.SeriesInstanceUID)
    return found


def test_uids_consistent_within_a_study_and_across_runs(study_folder: Path, tmp_path: Path) -> None:
    patient = study_folder / "Patient_98892003"
    mr = sorted(p for p in patient.rglob("*") if p.is_file())
    run_dicom_deid(study_folder / "Patient_98892003", tmp_path / "a", secret=KEY)
    run_dicom_deid(study_folder / "Patient_98892003", tmp_path / "b", secret=KEY)
    run_dicom_deid(study_folder / "Patient_98892003", tmp_path / "c", secret="another key")
    first = uid_map(patient, tmp_path / "a", KEY)
    studies = {pydicom.dcmread(p).StudyInstanceUID for p in mr}
    series = {pydicom.dcmread(p).SeriesInstanceUID for p in mr}
    assert len(mr) == 17 and len(studies) == 3 and len(series) == 7  # one patient, 11 + 4 + 2
    assert all(len(v) == 1 for v in first.values())  # one new UID per original, in every file
    assert len({next(iter(v)) for v in first.values()}) == len(first)  # distinct stay distinct
    assert uid_map(patient, tmp_path / "b", KEY) == first  # same key: the same UIDs and names
    assert [p.relative_to(tmp_path / "a") for p in outputs(tmp_path / "a")] == [
        p.relative_to(tmp_path / "b") for p in outputs(tmp_path / "b")
    ]
    other = uid_map(patient, tmp_path / "c", "another key")
    assert all(first[k].isdisjoint(other[k]) for k in first)


def test_dates_shift_by_the_patients_days_in_every_file(study_folder: Path, tmp_path: Path) -> None:
    run_dicom_deid(study_folder / "Patient_98892003", tmp_path / "out", secret=KEY)
    mr = sorted(p for p in (study_folder / "Patient_98892003").rglob("*") if p.is_file())
    originals = {pydicom.dcmread(p).StudyDate for p in mr}
    patient = {str(pydicom.dcmread(p).PatientID) for p in mr}
    assert len(originals) == 1 and len(patient) == 1
    (date,), (pid,) = originals, patient
    days = date_shift_days(KEY, pid)
    import datetime as dt

    expected = (dt.datetime.strptime(date, "%Y%m%d") + dt.timedelta(days=days)).strftime("%Y%m%d")
    assert {pydicom.dcmread(p).StudyDate for p in outputs(tmp_path / "out")} == {expected}


def test_non_empty_out_is_refused_unless_overwrite(study_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_dicom_deid(study_folder / "smith_john_2004.dcm", out, secret=KEY)
    with pytest.raises(DataError, match="output folder is not empty"):
        run_dicom_deid(study_folder / "smith_john_2004.dcm", out, secret=KEY)
    run_dicom_deid(study_folder / "smith_john_2004.dcm", out, secret=KEY, overwrite=True)
    assert len(outputs(out)) == 1
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("x")
    with pytest.raises(DataError, match=r"holds no deid_manifest\.json"):
        run_dicom_deid(study_folder, other, secret=KEY, overwrite=True)
    with pytest.raises(DataError, match="overlaps the input"):
        run_dicom_deid(study_folder, study_folder / "out", secret=KEY)


def test_no_header_value_in_warnings_or_logs(
    dicom_file: Callable[[str], Path],
    tmp_path: Path,
    recwarn: pytest.WarningsRecorder,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """rtdose.dcm holds an invalid UID that pydicom's checks would quote in a warning."""
    caplog.set_level("DEBUG")
    uid = "1.2.123.456.78.9.0123.4567.89012345678901"
    run_dicom_deid(dicom_file("rtdose.dcm"), tmp_path / "out", secret=KEY)
    said = [str(w.message) for w in recwarn] + [r.getMessage() for r in caplog.records]
    assert not [m for m in said if uid in m or "Lastname" in m]


def test_an_input_without_file_meta_is_written_as_a_dicom_file(
    dicom_file: Callable[[str], Path], tmp_path: Path
) -> None:
    src = dicom_file("ExplVR_BigEndNoMeta.dcm")
    assert src.read_bytes()[128:132] != b"DICM"
    summary = run_dicom_deid(src, tmp_path / "out", secret=KEY)
    (out,) = list((tmp_path / "out").glob("*.dcm"))
    assert summary.files == 1 and out.read_bytes()[128:132] == b"DICM"
    ds = pydicom.dcmread(out)  # no force=True needed
    assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRBigEndian
    assert ds.Modality == "RTPLAN" and ds.PatientIdentityRemoved == "YES"


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    with pytest.raises(DataError, match="no files to de-identify"):
        run_dicom_deid(tmp_path / "in", tmp_path / "out", secret=KEY)
    assert not (tmp_path / "out").exists()


def test_every_bundled_pydicom_file(tmp_path: Path) -> None:
    """All of pydicom's test files in one run: nothing crashes, every output opens without
    force=True with its pixel data byte-identical, and each input that is skipped has a reason."""
    from medllm.privacy import pseudonym_path

    root = Path(pydicom.__file__).parent / "data" / "test_files"
    summary = run_dicom_deid(root, tmp_path / "out", secret=KEY)
    skipped = {p for p, _ in summary.skipped}
    inputs = [p for p in sorted(root.rglob("*")) if p.is_file() and p not in skipped]
    assert summary.files == len(inputs) > 100
    for src in inputs:
        out = pydicom.dcmread(
            tmp_path / "out" / pseudonym_path(KEY, src.relative_to(root)).with_suffix(".dcm")
        )
        original = pydicom.dcmread(src, force=True)
        assert out.get("PixelData") == original.get("PixelData"), src.name
        assert out.PatientIdentityRemoved == "YES"
    if pydicom.__version__ == "3.0.2":  # the counts of this version's test files
        reasons = {r: sum(1 for _, x in summary.skipped if x == r) for _, r in summary.skipped}
        assert reasons == {"not_dicom": 9, "dicomdir": 8, "unreadable": 6}
