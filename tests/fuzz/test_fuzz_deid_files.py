"""Fuzz `run_deid` on files: any bytes as a .txt, .jsonl or .json input give a summary or a
MedllmError, and a planted name, MRN, phone number or date of birth never reaches OUT (file
contents, file names, the manifest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from medllm.core import MedllmError
from medllm.privacy import DeidConfig, run_deid

SUFFIXES = [".txt", ".md", ".jsonl", ".json"]
# JSON-ish bytes: what a damaged or hand-edited record file holds
JSONISH = st.lists(
    st.one_of(
        st.binary(max_size=60),
        st.text(max_size=60).map(str.encode),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
            lambda c: (
                st.lists(c, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["id", "text", "patient_id", "meta"]) | st.text(max_size=5),
                    c,
                    max_size=3,
                )
            ),
            max_leaves=8,
        ).map(lambda v: json.dumps(v).encode()),
    ),
    max_size=5,
).map(b"\n".join)


def _fresh(root: Path) -> tuple[Path, Path]:
    shutil.rmtree(root, ignore_errors=True)
    (root / "in").mkdir(parents=True)
    return root / "in", root / "out"


def _output_text(out: Path) -> str:
    """Everything a reader of OUT sees: relative paths and the bytes of every file."""
    parts = []
    for p in sorted(out.rglob("*")):
        parts.append(str(p.relative_to(out)))
        if p.is_file():
            parts.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_any_bytes_in_any_input_file(fuzz: Any, nasty: Any, tmp_path: Path) -> None:
    @fuzz
    @given(
        st.one_of(st.binary(max_size=300), JSONISH, nasty), st.sampled_from(SUFFIXES), st.booleans()
    )
    def prop(raw: bytes, suffix: str, skip: bool) -> None:
        inp, out = _fresh(tmp_path / "run")
        (inp / f"note{suffix}").write_bytes(raw)
        cfg = DeidConfig(secret="fuzz-key", on_error="skip" if skip else "fail")
        try:
            summary = run_deid(inp, out, cfg)
        except MedllmError:
            return
        assert summary.files == 1
        manifest = json.loads((out / "deid_manifest.json").read_text())
        assert manifest["records"] == summary.records

    prop()


def test_planted_phi_never_reaches_out(fuzz: Any, phi: Any, tmp_path: Path) -> None:
    """The same patient in a text note (named after them, in their folder) and a JSONL record
    (PHI in the text, the id, the patient field and an extra field that is dropped)."""

    @fuzz
    @given(phi.planted_note(), st.sampled_from(["redact", "surrogate"]))
    def prop(case: tuple[Any, str, str], transform: str) -> None:
        planted, note, filler = case
        inp, out = _fresh(tmp_path / "run")
        folder = inp / f"{planted.last}_{planted.first}"
        folder.mkdir()
        (folder / f"{planted.mrn}.txt").write_text(note, encoding="utf-8")
        record = {
            "id": f"{planted.last}-{planted.mrn}",
            "text": note,
            "patient_id": planted.mrn,
            "phone": planted.phone,
        }
        (inp / "notes.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
        run_deid(inp, out, DeidConfig(secret="fuzz-key", transform=transform))
        assert planted.leaks(_output_text(out), filler) == []

    prop()
