"""The hand-written independent de-id set: its committed XML is what build.py makes, and it checks."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from medllm.privacy.gold.i2b2 import read_i2b2_xml

SET = Path(__file__).resolve().parents[2] / "fixtures" / "deid_independent"

# (notes, PHI spans, decoys) per note-id prefix; update on purpose when notes are added.
EXPECTED = {
    "ta": (30, 523, 91),
    "tb": (30, 685, 101),
    "td": (40, 1442, 391),
    "tf": (40, 1250, 317),
    "dev": (286, 10069, 2390),
}


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for half in ("test", "dev")
        for p in sorted((root / half).iterdir())
    }


def test_committed_xml_equals_a_fresh_build(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(SET / "build.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    built, committed = _files(tmp_path), _files(SET)
    assert sorted(built) == sorted(committed)
    assert [name for name in built if built[name] != committed[name]] == []


def test_check_passes() -> None:
    run = subprocess.run(
        [sys.executable, str(SET / "check.py")], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("ok")


def test_note_span_and_decoy_counts() -> None:
    notes: Counter[str] = Counter()
    spans: Counter[str] = Counter()
    decoys: Counter[str] = Counter()
    for half in ("test", "dev"):
        for path in sorted((SET / half).glob("*.xml")):
            note = read_i2b2_xml(path)
            prefix = path.stem.split("-")[0]
            notes[prefix] += 1
            spans[prefix] += len(note.spans)
            assert all(note.text[s.start : s.end] for s in note.spans)
        for line in (SET / half / "decoys.jsonl").read_text(encoding="utf-8").splitlines():
            decoys[json.loads(line)["note"].split("-")[0]] += 1
    got = {k: (notes[k], spans[k], decoys[k]) for k in sorted(notes)}
    assert got == EXPECTED
