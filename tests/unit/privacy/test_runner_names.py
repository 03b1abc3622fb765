"""`run_deid` output at rest: names and record ids pseudonymised with the run's key, owner-only modes."""

from __future__ import annotations

import hashlib
import hmac
import json
import stat
from pathlib import Path

from typer.testing import CliRunner

from medllm.privacy import DeidConfig
from medllm.privacy.cli import app
from medllm.privacy.runner import MANIFEST, run_deid

NOTE = "Patient: Anselm Quinteros, MRN: 4839201, seen on 03/14/2024 for a gout flare."
PLANTED = ("smith", "john", "2024-03-14", "4839201", "Quinteros")


def _inputs(root: Path) -> Path:
    """A patient-named folder with a patient-named note, and a JSONL whose record id is an MRN."""
    (root / "smith_john").mkdir(parents=True)
    (root / "smith_john" / "smith_john_2024-03-14.txt").write_text(NOTE)
    (root / "visits.jsonl").write_text(
        json.dumps({"id": "MRN-4839201", "patient_id": "4839201", "text": NOTE}) + "\n"
    )
    return root


def _name(key: str, part: str) -> str:
    """The documented pseudonym of one path component: doc- + 12 hex of HMAC-SHA256(key, name:part)."""
    digest = hmac.new(key.encode(), f"name\x00{part}".encode(), hashlib.sha256).hexdigest()
    return "doc-" + digest[:12]


def _files(out: Path) -> list[str]:
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())


def test_output_names_and_ids_are_pseudonymised(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    run_deid(inp, tmp_path / "out", DeidConfig(secret="k"))
    folder, note = _name("k", "smith_john"), _name("k", "smith_john_2024-03-14.txt") + ".txt"
    jsonl = _name("k", "visits.jsonl") + ".jsonl"
    # every component replaced, extensions kept
    assert _files(tmp_path / "out") == sorted([MANIFEST, f"{folder}/{note}", jsonl])
    row = json.loads((tmp_path / "out" / jsonl).read_text())
    id_digest = hmac.new(b"k", b"id\x00MRN-4839201", hashlib.sha256).hexdigest()[:16]
    assert row["id"] == "id-" + id_digest
    everything = "\n".join(_files(tmp_path / "out")) + "".join(
        p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file()
    )
    assert [v for v in PLANTED if v.lower() in everything.lower()] == []
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert (manifest["names"], manifest["ids"]) == ("pseudonymised", "pseudonymised")


def test_same_key_same_names_other_key_other_names(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    run_deid(inp, tmp_path / "a", DeidConfig(secret="k"))
    run_deid(inp, tmp_path / "b", DeidConfig(secret="k"))
    run_deid(inp, tmp_path / "c", DeidConfig(secret="other"))
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert set(_files(tmp_path / "a")) & set(_files(tmp_path / "c")) == {MANIFEST}


def test_keep_names_and_keep_ids(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    run_deid(inp, tmp_path / "out", DeidConfig(keep_names=True, keep_ids=True))
    assert _files(tmp_path / "out") == [
        MANIFEST,
        "smith_john/smith_john_2024-03-14.txt",
        "visits.jsonl",
    ]
    assert json.loads((tmp_path / "out" / "visits.jsonl").read_text())["id"] == "MRN-4839201"
    manifest = json.loads((tmp_path / "out" / MANIFEST).read_text())
    assert (manifest["names"], manifest["ids"]) == ("kept", "kept")


def test_cli_keep_names_keep_ids(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    res = CliRunner().invoke(app, ["run", str(inp), str(tmp_path / "out"), "--keep-names"])
    assert res.exit_code == 0, res.output
    assert "visits.jsonl" in _files(tmp_path / "out")
    row = json.loads((tmp_path / "out" / "visits.jsonl").read_text())
    assert row["id"].startswith("id-") and len(row["id"]) == 19
    res = CliRunner().invoke(
        app, ["run", str(inp), str(tmp_path / "out2"), "--keep-names", "--keep-ids"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads((tmp_path / "out2" / "visits.jsonl").read_text())["id"] == "MRN-4839201"


def test_output_is_owner_only(tmp_path: Path) -> None:
    inp = _inputs(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir(mode=0o755)
    out.chmod(0o755)  # an OUT the user made beforehand is tightened too
    run_deid(inp, out, DeidConfig(secret="k"))
    modes = {
        str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")]
    }
    assert len(modes) == 5  # out, the patient folder, the note, the JSONL, the manifest
    wrong = {
        p: oct(m) for p, m in modes.items() if m != (0o700 if (tmp_path / p).is_dir() else 0o600)
    }
    assert wrong == {}
