"""`kind: vision_study` (S5, S6): arms of `medllm train vlm` on a tiny random Llama, one report
with an `arms` list; a rerun reuses scored arms; the shipped configs validate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medllm.cli import app
from medllm.core import ConfigError, load_any
from medllm.evaluate.vision_study import VisionStudyConfig, arm_config, run_vision_study

ROOT = Path(__file__).resolve().parents[3]
TINY = [
    "captions.steps=0",
    "vqa.steps=1",
    "vqa.batch_size=2",
    "data.variants=1",
    "eval_limit=4",
    "max_new_tokens=2",
    "aligner_options={queries: 2, hidden: 32, layers: 1}",
]


def test_two_arms_one_report_and_a_rerun_reuses_them(tiny_dir: Path, tmp_path: Path) -> None:
    cfg = VisionStudyConfig(
        name="s_tiny",
        base=str(ROOT / "configs/train/vlm.yaml"),
        overrides=[f"model=hf:{tiny_dir}", "encoder=cnn_scratch", *TINY],
        arms=[
            {"name": "a", "overrides": ["seed=0"]},
            {"name": "b", "overrides": ["seed=1"]},
        ],
        output_dir=str(tmp_path / "studies"),
        results_file=str(tmp_path / "results.json"),
    )
    md = run_vision_study(cfg)
    report = json.loads((tmp_path / "results.json").read_text())
    assert [r["arm"] for r in report["arms"]] == ["a", "b"]
    row = report["arms"][0]
    for key in (
        "encoder",
        "closed_acc",
        "open_recall",
        "open_bleu1",
        "trainable_params",
        "image_tokens",
        "train_tokens_per_s",
        "latency_s",
    ):
        assert key in row
    assert row["encoder"] == "cnn_scratch" and row["image_tokens"] == 2
    assert row["n_closed"] + row["n_open"] == 4
    assert md.read_text().splitlines()[4].startswith("| arm | encoder | aligner | closed_acc")
    runs = sorted((tmp_path / "studies" / "vlm_runs").iterdir())
    assert len(runs) == 2  # one folder per distinct arm config
    stamps = [(r / "metrics.json").stat().st_mtime_ns for r in runs]
    run_vision_study(cfg, only=["a"])  # both scored: nothing retrains
    assert [(r / "metrics.json").stat().st_mtime_ns for r in runs] == stamps
    with pytest.raises(ConfigError, match="no arm 'c'"):
        run_vision_study(cfg, only=["c"])


def test_identical_arms_of_two_studies_share_one_run(tmp_path: Path) -> None:
    s5 = load_any(ROOT / "configs/studies/s5_vision_encoders.yaml")
    s6 = load_any(ROOT / "configs/studies/s6_alignment.yaml")
    assert isinstance(s5, VisionStudyConfig) and isinstance(s6, VisionStudyConfig)
    vit = arm_config(s5, s5.arms[0], tmp_path)
    query = arm_config(s6, next(a for a in s6.arms if a.name == "query"), tmp_path)
    proj = arm_config(s6, next(a for a in s6.arms if a.name == "projection"), tmp_path)
    assert vit.output_dir == proj.output_dir != query.output_dir  # S5 runs the pooled projection
    assert [a.name for a in s5.arms] == ["vit_s14", "efficientnet_lite0", "cnn_scratch"]
    assert s5.results_file == "benchmarks/results/s5_vision_encoders.json"
    assert s6.results_file == "benchmarks/results/s6_alignment.json"


def test_bad_study_configs_say_what_to_fix(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text(
        "kind: vision_study\nname: s\narms:\n  - {name: a}\n  - {name: a}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="arm names repeat"):
        load_any(bad)
    bad.write_text(
        "kind: vision_study\nname: s\ncolumns: [accuracy]\narms:\n  - {name: a}\n  - {name: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unknown columns"):
        load_any(bad)
    res = CliRunner().invoke(app, ["validate", str(ROOT / "configs/studies/s6_alignment.yaml")])
    assert res.exit_code == 0, res.output
