"""`medllm deid` and `medllm privacy` commands, and that `medllm deid` never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from medllm.privacy.audit_cli import app as audit_app
from medllm.privacy.cli import app

runner = CliRunner()
ROOT = Path(__file__).parents[3]


def test_generate_then_run_then_eval(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    res = runner.invoke(app, ["generate", str(gold), "--n", "12", "--seed", "4"])
    assert res.exit_code == 0, res.output
    assert len(gold.read_text().splitlines()) == 12
    res = runner.invoke(app, ["run", str(gold), str(tmp_path / "out"), "--transform", "mask"])
    assert res.exit_code == 0, res.output
    assert "12 records" in res.output
    (written,) = (tmp_path / "out").glob("doc-*.jsonl")  # the name is a keyed pseudonym
    first = json.loads(written.read_text().splitlines()[0])
    original = json.loads(gold.read_text().splitlines()[0])
    assert len(first["text"]) == len(original["text"]) and "*" in first["text"]
    out = tmp_path / "eval.json"
    res = runner.invoke(app, ["eval", "--gold", str(gold), "--gold", "i2b2", "--out", str(out)])
    assert res.exit_code == 0, res.output
    figures = json.loads(out.read_text())["results"]
    assert figures["i2b2"]["notes"] == 5 and figures[str(gold)]["notes"] == 12
    assert "NAME" in figures[str(gold)]["per_type"]


def test_run_with_config_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Seen by Dr. Pruett on 03/14/2024.")
    cfg = ROOT / "configs" / "privacy" / "deid.yaml"
    res = runner.invoke(
        app,
        [
            "run",
            str(tmp_path / "in"),
            str(tmp_path / "out"),
            "--config",
            str(cfg),
            "--workers",
            "1",
            "--set",
            "secret=k",
        ],
    )
    assert res.exit_code == 0, res.output
    (written,) = (tmp_path / "out").glob("doc-*.txt")
    text = written.read_text()
    assert "Pruett" not in text and "03/14/2024" not in text and text.startswith("Seen by Dr. ")


def test_bad_input_is_one_error_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "note": "Dr. Pruett"}\n')
    proc = subprocess.run(
        [sys.executable, "-m", "medllm", "deid", "run", str(bad), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    message = " ".join(proc.stderr.split())  # rich wraps long lines on narrow terminals
    assert 'bad.jsonl:1: field "text": missing' in message and "Pruett" not in message
    assert not list((tmp_path / "out").rglob("*.jsonl"))


def test_deid_does_not_import_torch(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Call 617-555-0142.")
    code = (
        "import sys\n"
        f"sys.argv = ['medllm', 'deid', 'run', {str(tmp_path / 'a.txt')!r}, {str(tmp_path / 'out')!r}]\n"
        "from medllm.cli import main\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "assert 'torch' not in sys.modules and 'transformers' not in sys.modules, 'torch imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (written,) = (tmp_path / "out").glob("doc-*.txt")
    assert "617-555-0142" not in written.read_text()


def test_privacy_canaries(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    res = runner.invoke(audit_app, ["canaries", str(out), "--n", "3", "--digits", "5"])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())
    assert len(rows) == 3 and all(len(r["secret"]) == 5 for r in rows)
