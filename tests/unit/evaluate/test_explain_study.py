"""The S10 study on a tiny random model (report, resume, refusal of changed settings, the shipped
config) and `medllm explain` (table, owner-only heatmap, method errors)."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from medllm.cli import _MedllmGroup
from medllm.core import MedllmError, load_any, load_config
from medllm.evaluate.explain import InterpretabilityConfig, run_interpretability
from medllm.evaluate.explain.cli import explain_command

ROOT = Path(__file__).resolve().parents[3]


def _cfg(tiny_dir: Path, out: Path, **kw: Any) -> InterpretabilityConfig:
    fields = {
        "model": f"hf:{tiny_dir}",
        "n_items": 2,
        "ig_steps": 2,
        "points": 2,
        "heatmaps": 1,
        "threads": 1,
        "output_dir": str(out),
        "results_file": str(out / "results.json"),
    }
    return InterpretabilityConfig(**{**fields, **kw})


def test_study_report_resume_and_changed_settings(tiny_dir: Path, tmp_path: Path) -> None:
    cfg = _cfg(tiny_dir, tmp_path)
    md = run_interpretability(cfg)
    folder = tmp_path / "s10_interpretability"
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["n_items"] == 2 and set(report["methods"]) == {"ig", "rollout", "random"}
    assert report["winner"] in {"ig", "rollout"}
    assert report["winner"] == max(("ig", "rollout"), key=lambda m: report["methods"][m]["aopc"])
    assert json.loads((tmp_path / "results.json").read_text(encoding="utf-8")) == report
    rows = [json.loads(x) for x in (folder / "items.jsonl").read_text().splitlines()]
    for r in rows:
        for m in r["methods"].values():
            # the ends of every curve are the same two values: f(x) and f(baseline)
            assert m["deletion"][0] == m["insertion"][-1]
            assert m["deletion"][-1] == m["insertion"][0]
            assert m["aopc"] == (m["aopc_deletion"] + m["aopc_insertion"]) / 2
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<link" not in page and 'src="http' not in page
    assert page.count('<div class="heat">') == 3  # one item's heatmap per method
    assert "| ig |" in md.read_text(encoding="utf-8")
    # a rerun scores nothing again; other settings in the same folder are refused
    run_interpretability(cfg)
    assert len((folder / "items.jsonl").read_text().splitlines()) == 2
    with pytest.raises(MedllmError, match="ig_steps differ"):
        run_interpretability(_cfg(tiny_dir, tmp_path, ig_steps=4))


def test_shipped_config_validates() -> None:
    path = ROOT / "configs" / "studies" / "s10_interpretability.yaml"
    cfg = load_any(path)
    assert isinstance(cfg, InterpretabilityConfig)
    assert (cfg.n_items, cfg.methods, cfg.ig_steps, cfg.points) == (
        200,
        ["ig", "rollout", "random"],
        4,
        2,
    )
    assert load_config(path, InterpretabilityConfig).results_file == (
        "benchmarks/results/s10_interpretability.json"
    )


def _app() -> typer.Typer:
    app = typer.Typer(cls=_MedllmGroup)
    app.callback()(lambda: None)  # a group, as on the root CLI
    app.command("explain")(explain_command)
    return app


def test_explain_cli_table_and_private_heatmap(tiny_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "h" / "explain.html"
    args = ["explain", "Which code means anemia?", "-m", f"hf:{tiny_dir}"]
    args += ["--answer", " D64.9"]  # a random model's own answer may be empty
    res = CliRunner().invoke(_app(), [*args, "--steps", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "ig: top 15 tokens" in res.output and "IG completeness error" in res.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    page = out.read_text(encoding="utf-8")
    assert page.count("<span style=") == 5  # "Which", " code", " means", " anemia", "?"
    res = CliRunner().invoke(_app(), [*args, "--method", "rollout", "--out", str(out)])
    assert res.exit_code == 0 and "rollout: top 15 tokens" in res.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--method", "gradcam"], "unknown attribution method 'gradcam'"),
        (["--method", "loo"], "--method loo scores retrieved sources"),
    ],
)
def test_explain_cli_refuses(extra: list[str], message: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["explain", "Which code?", *extra])
    assert res.exit_code == 2 and message in res.output
    assert "ig, random, rollout, loo" in res.output or "--rag" in res.output


def test_study_run_dispatches_on_kind(tiny_dir: Path, tmp_path: Path) -> None:
    from medllm.cli import app

    path = tmp_path / "s10.yaml"
    path.write_text(
        "# medllm study run s10.yaml\nkind: interpretability\nname: s10\n"
        f"model: hf:{tiny_dir}\nn_items: 1\nig_steps: 2\npoints: 2\nthreads: 1\n"
        f"output_dir: {tmp_path}\n",
        encoding="utf-8",
    )
    res = CliRunner().invoke(app, ["study", "run", str(path), "--only", "ig"])
    assert res.exit_code == 2 and "has no arms for --only" in res.output
    res = CliRunner().invoke(app, ["study", "run", str(path)])
    assert res.exit_code == 0, res.output
    report = json.loads((tmp_path / "s10" / "report.json").read_text(encoding="utf-8"))
    assert report["n_items"] == 1 and report["ig_steps"] == 2
