"""`run_deid` on files, folders, JSONL and FHIR; fail-closed on bad records; kill-safe."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medllm.core.errors import DataError, MedllmError
from medllm.privacy import DeidConfig
from medllm.privacy.gold.synthetic import GoldNote, generate_notes
from medllm.privacy.runner import MANIFEST, run_deid


def _write_jsonl(path: Path, notes: list[GoldNote], extra: dict[str, object] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        for n in notes:
            f.write(
                json.dumps(
                    {
                        "id": n.id,
                        "patient_id": n.patient_id,
                        "text": n.text,
                        "mrn_raw": "6093571",
                        **(extra or {}),
                    }
                )
                + "\n"
            )


def _distinct_values(notes: list[GoldNote], names: bool = True) -> set[str]:
    """PHI values that cannot occur as ordinary words (digits, e-mails, two-word names/places).
    `names=False` (for surrogate output) also leaves out dates and two-word values: a shifted date
    or a surrogate city can by chance equal another note's real one."""
    vals = {n.text[s.start : s.end] for n in notes for s in n.spans if names or s.kind != "DATE"}
    return {
        v
        for v in vals
        if len(v) >= 6 and (any(c.isdigit() or c == "@" for c in v) or (names and " " in v))
    }


def _without(note: GoldNote, kinds: set[str]) -> GoldNote:
    return dataclasses.replace(note, spans=tuple(s for s in note.spans if s.kind not in kinds))


def _output(out: Path) -> Path:
    """The one output file of a run (its name is a keyed pseudonym)."""
    (path,) = [p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST]
    return path


def _all_output(out: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())


def test_jsonl_and_text_folder(tmp_path: Path, gold_notes: list[GoldNote]) -> None:
    notes = gold_notes[:20]
    _write_jsonl(tmp_path / "in" / "notes.jsonl", notes)
    (tmp_path / "in" / "pt7").mkdir()
    (tmp_path / "in" / "pt7" / "visit.txt").write_text(notes[0].text)
    cfg = DeidConfig(transform="surrogate", secret="k", keep_names=True, keep_ids=True)
    summary = run_deid(tmp_path / "in", tmp_path / "out", cfg)
    assert summary.records == 21 and summary.files == 2
    rows = [
        json.loads(line) for line in (tmp_path / "out" / "notes.jsonl").read_text().splitlines()
    ]
    assert [r["id"] for r in rows] == [n.id for n in notes]
    assert set(rows[0]) == {"id", "patient_id", "text"}  # unlisted fields (mrn_raw) are dropped
    assert rows[0]["patient_id"].startswith("p-") and rows[0]["patient_id"] == rows[1]["patient_id"]
    assert (tmp_path / "out" / "pt7" / "visit.txt").is_file()
    text = _all_output(tmp_path / "out")
    leaked = [v for v in _distinct_values(notes, names=False) if v in text]
    assert not leaked, f"{len(leaked)} PHI values in the output"
    full_names = {n.text[s.start : s.end] for n in notes for s in n.spans if s.kind == "NAME"}
    assert not [v for v in full_names if " " in v and v in text]


def test_manifest_holds_counts_only(tmp_path: Path, gold_notes: list[GoldNote]) -> None:
    _write_jsonl(tmp_path / "in.jsonl", gold_notes[:10])
    run_deid(tmp_path / "in.jsonl", tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert set(manifest) == {
        "complete",
        "input",
        "files",
        "records",
        "skipped_inputs",
        "skipped_records",
        "attachments_dropped",
        "phi_spans",
        "phi_by_type",
        "transform",
        "names",
        "ids",
    }
    assert manifest["records"] == 10 and manifest["phi_by_type"]["NAME"] > 0
    assert manifest["complete"] is True and manifest["skipped_inputs"] == {}
    assert manifest["input"] == {"files": 1, "bytes": (tmp_path / "in.jsonl").stat().st_size}
    assert manifest["attachments_dropped"] == 0
    assert all(isinstance(v, int) for v in manifest["phi_by_type"].values())
    assert sum(manifest["phi_by_type"].values()) == manifest["phi_spans"]


def test_malformed_record_names_it_and_writes_nothing_in_clear(
    tmp_path: Path, gold_notes: list[GoldNote]
) -> None:
    path = tmp_path / "in.jsonl"
    _write_jsonl(path, gold_notes[:5])
    with path.open("a") as f:
        f.write(json.dumps({"id": "bad", "body": gold_notes[5].text}) + "\n")
    with pytest.raises(DataError, match=r'in\.jsonl:6: field "text": missing') as err:
        run_deid(path, tmp_path / "out")
    assert gold_notes[5].text[:20] not in str(err.value)
    assert not (tmp_path / "out").exists()  # a failed run leaves OUT as it found it (absent)
    path.write_text(path.read_text() + "{not json\n")
    with pytest.raises(DataError, match=r"in\.jsonl:6"):
        run_deid(path, tmp_path / "out")


def test_a_record_that_fails_inside_deid_is_withheld(
    tmp_path: Path, gold_notes: list[GoldNote]
) -> None:
    path = tmp_path / "in.jsonl"
    _write_jsonl(path, gold_notes[:3])
    # A lone surrogate is valid JSON but cannot be encoded as UTF-8 on the way out.
    with path.open("a") as f:
        f.write('{"id": "x", "text": "Dr. Pruett \\udc80 called"}\n')
    cfg = DeidConfig(on_error="skip")
    summary = run_deid(path, tmp_path / "skip", cfg)
    assert summary.records == 3 and summary.skipped == 1
    assert "Pruett" not in _output(tmp_path / "skip").read_text()
    with pytest.raises(DataError, match=r"in\.jsonl:4: record could not be de-identified"):
        run_deid(path, tmp_path / "fail")
    assert list((tmp_path / "fail").rglob("*")) == []


def test_fhir_bundle(tmp_path: Path) -> None:
    note = "Seen by Dr. Pruett on 03/14/2024. Call 617-555-0142."
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": "pt1",
                    "name": [{"family": "Quinteros", "given": ["Anselm"]}],
                    "birthDate": "1931-03-14",
                    "telecom": [{"system": "phone", "value": "617-555-0142"}],
                    "address": [
                        {"line": ["12 Elm Street"], "city": "Springfield", "postalCode": "01103"}
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "DocumentReference",
                    "status": "current",
                    "content": [
                        {
                            "attachment": {
                                "contentType": "text/plain",
                                "data": base64.b64encode(note.encode()).decode(),
                            }
                        }
                    ],
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "valueString": "Anselm Quinteros reports dizziness",
                    "effectiveDateTime": "2024-03-14T10:00:00Z",
                }
            },
        ],
    }
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    run_deid(tmp_path / "b.json", tmp_path / "out", DeidConfig(transform="surrogate", secret="k"))
    out = json.loads(_output(tmp_path / "out").read_text())
    flat = json.dumps(out)
    for value in (
        "Quinteros",
        "Anselm",
        "617-555-0142",
        "1931-03-14",
        "12 Elm Street",
        "Springfield",
        "01103",
        "2024-03-14",
    ):
        assert value not in flat
    doc = base64.b64decode(out["entry"][1]["resource"]["content"][0]["attachment"]["data"]).decode()
    assert "Pruett" not in doc and doc.startswith("Seen by Dr. ")
    assert out["entry"][1]["resource"]["status"] == "current"
    assert out["entry"][2]["resource"]["effectiveDateTime"].endswith("T10:00:00Z")
    (tmp_path / "nb.json").write_text(json.dumps({"resourceType": "Patient"}))
    with pytest.raises(DataError, match="not a FHIR Bundle"):
        run_deid(tmp_path / "nb.json", tmp_path / "out2")


def test_two_workers_give_the_same_output(tmp_path: Path, gold_notes: list[GoldNote]) -> None:
    _write_jsonl(tmp_path / "in.jsonl", gold_notes[:40])
    cfg = DeidConfig(transform="surrogate", secret="k")
    run_deid(tmp_path / "in.jsonl", tmp_path / "one", cfg)
    run_deid(tmp_path / "in.jsonl", tmp_path / "two", cfg.model_copy(update={"workers": 2}))
    assert _output(tmp_path / "one").read_text() == _output(tmp_path / "two").read_text()


def test_unknown_recognizer_fails_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(MedllmError, match="did you mean"):
        run_deid(tmp_path / "a.txt", tmp_path / "out", DeidConfig(recognizers=["nme"]))
    assert not (tmp_path / "out").exists()


def test_sigkill_midway_leaves_no_partial_clear_text(tmp_path: Path) -> None:
    notes = generate_notes(600, seed=5)
    _write_jsonl(tmp_path / "in" / "big.jsonl", notes)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medllm",
            "deid",
            "run",
            str(tmp_path / "in"),
            str(tmp_path / "out"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    try:
        while time.time() < deadline:  # wait until it is midway: a partial temp file exists
            temps = (
                list((tmp_path / "out").glob(".doc-*.jsonl.*.tmp"))
                if (tmp_path / "out").exists()
                else []
            )
            if temps and temps[0].stat().st_size > 16_000:
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    out = tmp_path / "out"
    assert not list(out.glob("doc-*"))
    assert json.loads((out / MANIFEST).read_text())["complete"] is False  # written first
    leftovers = _all_output(out)
    assert leftovers, "expected the killed run's temp file"
    # Cities and hospitals left out: the generator's places are outside the detector's gazetteer
    # (issue #19), so some are missed by detection, which `deid eval` measures; this test is
    # about a killed run leaving no raw text behind.
    raw = _distinct_values([_without(n, {"CITY", "HOSPITAL"}) for n in notes])
    leaked = [v for v in raw if v in leftovers]
    assert not leaked, f"{len(leaked)} PHI values in clear after the kill"
    # A later run is told what OUT holds; with overwrite it cleans the temp file and completes.
    lines = (tmp_path / "in" / "big.jsonl").read_text().splitlines()[:30]
    (tmp_path / "in" / "big.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"interrupted run of another input \(0 of 1 files"):
        run_deid(tmp_path / "in", out)
    run_deid(tmp_path / "in", out, overwrite=True)
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and names[0] == MANIFEST
    assert re.fullmatch(r"doc-[0-9a-f]{12}\.jsonl", names[1])  # another run, another random key


def test_output_may_not_overlap_the_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Dr. Pruett")
    with pytest.raises(DataError, match="overlaps the input"):
        run_deid(tmp_path / "a.txt", tmp_path)
    with pytest.raises(DataError, match="overlaps the input"):
        run_deid(tmp_path, tmp_path / "out")
    assert (tmp_path / "a.txt").read_text() == "Dr. Pruett"
