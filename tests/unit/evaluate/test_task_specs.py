"""The task specs shipped inside the package: each validates, is registered, and a user's YAML
given by path loads the same way."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from medllm.core import ConfigError, get_registry, load_any
from medllm.evaluate import EvalConfig, get_spec

SHIPPED = sorted(Path(str(resources.files("medllm.evaluate") / "task_specs")).glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_task_spec_validates_and_is_registered(path: Path) -> None:
    spec = load_any(path)
    assert spec.name == path.stem  # type: ignore[attr-defined]
    assert get_registry("tasks").get(path.stem) == path


def test_twenty_two_tasks_ship() -> None:
    assert len(SHIPPED) == 22


def test_a_user_task_yaml_loads_from_its_path(tmp_path: Path) -> None:
    mine = tmp_path / "my_mmlu.yaml"
    shipped = (SHIPPED[0].parent / "mmlu_medical.yaml").read_text(encoding="utf-8")
    mine.write_text(shipped.replace("name: mmlu_medical", "name: my_mmlu"), encoding="utf-8")
    assert get_spec(str(mine)).name == "my_mmlu"
    mine.write_text(shipped, encoding="utf-8")  # name and file name disagree
    with pytest.raises(ConfigError, match='field "name"'):
        get_spec(str(mine))


def test_eval_config_file_validates_and_rejects_unknown_fields(tmp_path: Path) -> None:
    cfg = load_any(Path(__file__).parents[3] / "configs/eval/mmlu_medical.yaml")
    assert isinstance(cfg, EvalConfig) and cfg.tasks == ["mmlu_medical"] and cfg.limit == 200
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: eval\ntasks: [mmlu_medical]\nlimt: 5\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="limt"):
        load_any(bad)


def test_eval_cli_reads_a_config_and_options_override_it(tmp_path: Path, tiny_dir: Path) -> None:
    import json

    from typer.testing import CliRunner

    from medllm.cli import app

    out = tmp_path / "run"
    args = [
        "eval",
        "--config",
        "configs/eval/mmlu_medical.yaml",
        "--model",
        f"hf:{tiny_dir}",
        "--limit",
        "3",
        "--out",
        str(out),
        "--no-cache",
    ]
    res = CliRunner().invoke(app, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["config"]["limit"] == 3 and summary["config"]["mode"] == "loglik"
    assert summary["results"]["mmlu_medical"]["n"] == 3
