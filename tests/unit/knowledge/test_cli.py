"""`medllm kb build|search|info` through the real Typer apps."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from medllm.cli import app as root_app
from medllm.core.errors import MedllmError
from medllm.knowledge.cli import app

runner = CliRunner()


def test_kb_build_search_info(tmp_path: Path, fixtures_dir: Path) -> None:
    folder = str(tmp_path / "kb")
    args = ["build", "--sources", "who_medicine", "--no-dense", "--folder", folder]
    res = runner.invoke(app, [*args, "--add", str(fixtures_dir / "notes.jsonl")])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "445 documents" in out and "2 records skipped" in out
    assert "notes.jsonl:3" in out  # the bad record is named
    res = runner.invoke(app, ["search", "artesunate malaria", "--folder", folder, "-k", "2"])
    assert res.exit_code == 0 and "artesunate" in res.output
    res = runner.invoke(app, ["info", "--folder", folder])
    assert res.exit_code == 0 and "who_medicine" in res.output


def test_kb_errors_say_how_to_fix(tmp_path: Path) -> None:
    # (the root `main` prints a MedllmError as one line and exits 2; here we see the error itself)
    res = runner.invoke(app, ["search", "x", "--folder", str(tmp_path / "none")])
    assert isinstance(res.exception, MedllmError) and "medllm kb build" in str(res.exception)
    res = runner.invoke(app, ["build", "--sources", "icd10", "--folder", str(tmp_path / "kb")])
    assert isinstance(res.exception, MedllmError) and "did you mean" in str(res.exception)


def test_registries_are_listed() -> None:
    res = runner.invoke(root_app, ["ls", "retrievers"])
    assert res.exit_code == 0 and res.output.split() == ["bm25", "dense", "hybrid", "milvus"]
    assert runner.invoke(root_app, ["ls", "retriever"]).output == res.output  # singular too
    res = runner.invoke(root_app, ["ls", "sources"])
    assert res.exit_code == 0 and "hpo_disease" in res.output
