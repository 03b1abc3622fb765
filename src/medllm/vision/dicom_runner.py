"""`run_dicom_deid(IN, OUT)`: de-identify a DICOM file or a folder of them, with a manifest.

Conventions shared with the text de-id (`medllm deid run`, privacy/runner.py):
- OUT is owner-only (0700 / 0600); every folder and file name becomes `doc-<12 hex>` (keyed
  HMAC, `medllm.privacy.pseudonym_path`), so no input name (often a patient key) reaches OUT;
  output files end in `.dcm`;
- `deid_manifest.json` in OUT: counts only (no value, name or UID), written with
  "complete": false first and true at the end; a non-empty OUT is refused unless `overwrite`,
  which only clears a folder an earlier de-id run wrote (it holds a manifest);
- each file is written to a hidden temp file and renamed into place when complete;
- the key: `secret`, else $MEDLLM_DEID_KEY, else a random key for this run (never stored): set
  it to get the same UIDs, pseudonyms and date shifts as another run, or as the text de-id.

A file that cannot be de-identified (not DICOM, truncated, a DICOMDIR) is not written; the run
goes on with the others and the summary lists each skipped input by reason (`skipped`), so the
CLI can name them and exit non-zero. Hidden entries and symlinks in a folder are not read.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import (
    DataError,
    MedllmError,
    check_out_apart,
    owner_only,
    read_json,
    write_json,
)
from medllm.privacy import pseudonym_path, run_key
from medllm.vision.dicom_deid import METHOD, DicomDeidResult, deidentify_dataset

MANIFEST = "deid_manifest.json"
SKIP_REASONS = {
    "not_dicom": "not DICOM files",
    "unreadable": "unreadable or truncated DICOM files",
    "failed": "DICOM files whose header could not be de-identified",
    "dicomdir": "DICOMDIR index files (rebuild one for OUT)",
    "hidden": "hidden (dot) entries",
    "symlink": "symbolic links",
}


@dataclass
class DicomDeidSummary:
    """Counts of one run; `skipped` holds (input path, reason) for the CLI, never the manifest."""

    input_files: int = 0
    input_bytes: int = 0
    files: int = 0
    attributes: Counter[str] = field(default_factory=Counter)  # action → attributes
    rules: Counter[str] = field(default_factory=Counter)  # rule → attributes
    burned_in: Counter[str] = field(default_factory=Counter)  # YES / NO / unknown → files
    flagged: list[str] = field(default_factory=list)  # output names of Burned In Annotation YES
    skipped: list[tuple[Path, str]] = field(default_factory=list, repr=False)
    complete: bool = False

    def add(self, result: DicomDeidResult, target: Path) -> None:
        self.files += 1
        self.attributes.update(result.actions)
        self.rules.update(result.rules)
        self.burned_in[result.burned_in if result.burned_in in ("YES", "NO") else "unknown"] += 1
        if result.burned_in == "YES":
            self.flagged.append(target.as_posix())

    def manifest(self) -> dict[str, Any]:
        reasons = Counter(reason for _, reason in self.skipped)
        return {
            "complete": self.complete,
            "input": {"files": self.input_files, "bytes": self.input_bytes},
            "files": self.files,
            "skipped_inputs": {r: reasons[r] for r in SKIP_REASONS if reasons[r]},
            "dicom": {
                "method": METHOD,
                "attributes_by_action": dict(sorted(self.attributes.items())),
                "attributes_by_rule": dict(sorted(self.rules.items())),
                "burned_in_annotation": dict(sorted(self.burned_in.items())),
                "burned_in_flagged": sorted(self.flagged),
                "pixel_data": "unchanged (burned-in text is not removed)",
            },
            "names": "pseudonymised",
        }


def list_dicom_inputs(inp: Path, summary: DicomDeidSummary) -> list[tuple[Path, Path]]:
    """(path, path relative to IN) of every file to de-identify; hidden entries and symlinks in
    a folder are recorded in `summary.skipped`."""
    if inp.is_file():
        return [(inp, Path(inp.name))]
    if not inp.is_dir():
        raise DataError("input not found", path=inp, fix="give a DICOM file or a folder of them")
    found: list[tuple[Path, Path]] = []
    for root, dirs, files in os.walk(inp):
        for d in [d for d in dirs if d.startswith(".") or Path(root, d).is_symlink()]:
            summary.skipped.append((Path(root, d), "hidden" if d.startswith(".") else "symlink"))
            dirs.remove(d)
        for name in files:
            path = Path(root, name)
            if name.startswith(".") or path.is_symlink():
                summary.skipped.append((path, "hidden" if name.startswith(".") else "symlink"))
            else:
                found.append((path, path.relative_to(inp)))
    return sorted(found)


def run_dicom_deid(
    inp: str | Path,
    out: str | Path,
    *,
    secret: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    overwrite: bool = False,
) -> DicomDeidSummary:
    """De-identify `inp` into folder `out`; returns the counts (also in OUT's manifest)."""
    inp, out = Path(inp), Path(out)
    key = run_key(secret)
    summary = DicomDeidSummary()
    check_out_apart(inp, out)
    inputs = list_dicom_inputs(inp, summary)
    if not inputs:  # an empty OUT and "done 0 files" would look like a finished run
        raise DataError(
            "no files to de-identify", path=inp, fix="give a DICOM file or a folder of them"
        )
    summary.input_files = len(inputs)
    summary.input_bytes = sum(src.stat().st_size for src, _ in inputs)
    targets = _targets(key, inputs)
    _check_out(out, overwrite)
    with owner_only(out):
        write_json(out / MANIFEST, summary.manifest())
        for i, ((src, _), target) in enumerate(zip(inputs, targets, strict=True)):
            reason = _deid_file(src, out / target, key, summary, target)
            if reason is not None:
                summary.skipped.append((src, reason))
            if progress is not None:
                progress("de-identifying DICOM files", i + 1, len(inputs))
        summary.complete = True
        write_json(out / MANIFEST, summary.manifest())
    return summary


def _targets(key: str, inputs: list[tuple[Path, Path]]) -> list[Path]:
    targets = [pseudonym_path(key, rel).with_suffix(".dcm") for _, rel in inputs]
    if len(set(targets)) < len(targets):  # 48-bit names, or two inputs differing by suffix
        raise DataError(
            "two input names got the same pseudonym",
            fix="give files whose names differ by more than their suffix, or another secret",
        )
    return targets


def _deid_file(
    src: Path, dst: Path, key: str, summary: DicomDeidSummary, target: Path
) -> str | None:
    """De-identify one file into `dst`; None when written, else the reason it was skipped."""
    from medllm.vision.image import quiet_pydicom, read_dataset

    magic = _has_magic(src)
    if not magic and src.suffix.lower() not in (".dcm", ".dicom", ""):
        return "not_dicom"
    try:
        ds = read_dataset(src)
        _check_pixel_length(ds, src)
    except MedllmError:  # no magic and no .dcm: a README, not a broken DICOM file
        return "unreadable" if magic or src.suffix else "not_dicom"
    if "DirectoryRecordSequence" in ds:
        return "dicomdir"
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp")
    try:
        with quiet_pydicom():
            result = deidentify_dataset(ds, key)
            _save(ds, tmp)
        os.replace(tmp, dst)
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError, OSError):
        return "failed"  # fail closed: nothing of this file is written (an odd value or VR)
    finally:
        tmp.unlink(missing_ok=True)
    summary.add(result, target)
    return None


def _save(ds: Any, path: Path) -> None:
    """Written as a DICOM file (preamble, "DICM", file meta): an input without file meta gets one
    for the encoding it was read in, so the output opens without pydicom's force=True."""
    from pydicom.uid import ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

    ds.ensure_file_meta()
    meta = ds.file_meta
    if "TransferSyntaxUID" not in meta and ds.original_encoding[0] is not None:
        implicit, little = ds.original_encoding
        meta.TransferSyntaxUID = (
            ImplicitVRLittleEndian
            if implicit
            else ExplicitVRLittleEndian
            if little
            else ExplicitVRBigEndian
        )
    for own, tag in (
        ("SOPClassUID", "MediaStorageSOPClassUID"),
        ("SOPInstanceUID", "MediaStorageSOPInstanceUID"),
    ):
        if own in ds and not meta.get(tag):
            setattr(meta, tag, ds[own].value)
    ds.save_as(path, enforce_file_format="TransferSyntaxUID" in meta and "SOPClassUID" in ds)


def _has_magic(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(132)[128:132] == b"DICM"


def _check_pixel_length(ds: Any, path: Path) -> None:
    """Native (uncompressed) pixel data shorter than Rows x Columns x frames says: truncated."""
    from pydicom.pixels.utils import get_expected_length

    ts = ds.file_meta.get("TransferSyntaxUID") if hasattr(ds, "file_meta") else None
    if "PixelData" not in ds or (ts is not None and ts.is_compressed):
        return
    try:
        expected = int(get_expected_length(ds, unit="bytes"))
    except (AttributeError, KeyError, TypeError, ValueError):
        raise DataError("pixel description incomplete", path=path) from None
    if len(ds.PixelData) < expected:
        raise DataError("pixel data truncated", path=path)


def _check_out(out: Path, overwrite: bool) -> None:
    """One run per OUT: a non-empty OUT is refused unless `overwrite` and a de-id run wrote it."""
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not overwrite:
        raise DataError(
            "output folder is not empty",
            path=out,
            fix="rerun with --overwrite to replace an earlier run, or choose a new folder",
        )
    if not (out / MANIFEST).is_file() or not isinstance(read_json(out / MANIFEST), dict):
        raise DataError(
            "output folder is not empty and holds no deid_manifest.json, so --overwrite would "
            "delete files no de-id run wrote",
            path=out,
            fix="choose a new or empty output folder",
        )
    for p in out.iterdir():
        shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
