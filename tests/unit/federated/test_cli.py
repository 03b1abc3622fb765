"""`medllm federated ...`: the sub-app, its registration, and what it prints."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from medllm.core import MedllmError

ROOT = Path(__file__).resolve().parents[3]
runner = CliRunner()


def test_stage_registers_its_cli_and_config_kind() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["medllm.cli"]["federated"] == "medllm.federated.cli:app"
    assert project["entry-points"]["medllm.registries"]["federated"] == "medllm.federated.registry"
    assert any(
        d.startswith("flwr[simulation]") for d in project["optional-dependencies"]["federated"]
    )


def _config(tmp_path: Path) -> Path:
    rows = [
        {"instruction": f"What does code Z0{i}.{i} cover?", "output": f"Exam {i}."}
        for i in range(10)
    ]
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    path = tmp_path / "fed.yaml"
    path.write_text(
        f"kind: federated\noutput_dir: {tmp_path / 'run'}\npartition:\n  sites: 3\n"
        f"sft:\n  data:\n    files: [{tmp_path / 'train.jsonl'}]\n"
    )
    return path


def test_sites_prints_the_split(tmp_path: Path) -> None:
    from medllm.federated.cli import app

    res = runner.invoke(app, ["sites", str(_config(tmp_path))], env={"COLUMNS": "100"})
    assert res.exit_code == 0, res.output
    body = [line.split("│")[1:3] for line in res.output.splitlines() if line.startswith("│")]
    assert [[c.strip() for c in cells] for cells in body] == [
        ["site-0", "4"],
        ["site-1", "3"],
        ["site-2", "3"],
    ]
    assert "train.jsonl 4" in res.output  # label mix: ids and counts, never row text
    assert "Exam" not in res.output and "Z0" not in res.output


def test_simulate_resume_without_rounds_names_the_fix(tmp_path: Path) -> None:
    from medllm.federated.cli import app

    res = runner.invoke(app, ["simulate", str(_config(tmp_path)), "--resume"])
    assert isinstance(res.exception, MedllmError)
    assert str(res.exception) == (
        f"--resume given but {tmp_path / 'run'}/rounds holds no complete round "
        "(fix: run once without --resume (a checkpoint is written every round))"
    )
