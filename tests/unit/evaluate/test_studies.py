"""A two-arm study end to end on the tiny model: trains as a subprocess, scores, writes the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


@pytest.mark.slow  # ~40 s alone, more under load: a subprocess run plus two evaluations
def test_study_trains_scores_and_reports(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    from medllm.evaluate import StudyConfig, run_study

    recipe = tmp_path / "sft.yaml"
    recipe.write_text(
        f"# medllm train sft {recipe}\nkind: sft\nmodel: {tiny_dir}\nmode: lora\n"
        f"data: {{files: [{sft_file}]}}\noptim: {{max_steps: 2, batch_size: 2, max_length: 64, tensorboard: false}}\n",
        encoding="utf-8",
    )
    cfg = StudyConfig(
        name="s_tiny",
        tasks=["icd10cm_concepts"],
        limit=4,
        output_dir=str(tmp_path / "studies"),
        runs=[
            {"name": "base", "config": "base", "overrides": [f"model=hf:{tiny_dir}"]},
            {"name": "sft", "config": str(recipe)},
        ],
    )
    seen: list[tuple[str, int, int]] = []
    md = run_study(cfg, progress=lambda *a: seen.append(a))
    report = json.loads((md.parent / "report.json").read_text())
    base, sft = report["arms"]
    assert base["kind"] == "base" and sft["kind"] == "sft" and sft["steps"] == 2
    # the report's score is the trained arm's own accuracy on the same items, recomputed here
    from medllm.evaluate import heldout_accuracy, trained_model

    final = Path(cfg.output_dir) / "s_tiny" / "sft" / "final"
    assert sft["scores"]["icd10cm_concepts"] == heldout_accuracy(
        trained_model(final), "icd10cm_concepts", 4
    )
    assert sft["trainable_params"] > 0
    text = md.read_text()
    assert ("base: icd10cm_concepts", 4, 4) in seen and ("sft: icd10cm_concepts", 4, 4) in seen
    assert "| base |" in text and "| sft |" in text and "icd10cm_concepts acc" in text


def test_a_failed_arm_is_one_clear_error(tmp_path: Path) -> None:
    from medllm.core.errors import MedllmError
    from medllm.evaluate import StudyConfig, run_study

    recipe = tmp_path / "sft.yaml"
    recipe.write_text("kind: sft\ndata: {files: [missing.jsonl]}\n", encoding="utf-8")
    cfg = StudyConfig(
        name="s_bad",
        tasks=["icd10cm_concepts"],
        limit=4,
        output_dir=str(tmp_path / "studies"),
        runs=[{"name": "sft", "config": str(recipe)}],
    )
    with pytest.raises(MedllmError, match="study arm sft: training failed") as e:
        run_study(cfg)
    assert e.value.fix and "resumes from its newest checkpoint" in e.value.fix


def test_only_runs_the_named_arms_and_keeps_the_others_in_the_report(
    tiny_dir: Path, tmp_path: Path
) -> None:
    from medllm.core.errors import MedllmError
    from medllm.evaluate import StudyConfig, run_study

    base = {"config": "base", "overrides": [f"model=hf:{tiny_dir}"]}
    cfg = StudyConfig(
        name="s_only",
        tasks=["icd10cm_concepts"],
        limit=2,
        output_dir=str(tmp_path / "studies"),
        runs=[
            {"name": "a", **base},
            {"name": "b", **base},
            {"name": "c", "config": "x.yaml", "start_from": "a"},
        ],
    )
    with pytest.raises(MedllmError, match="no arm named z") as e:
        run_study(cfg, only=["b", "z"])
    assert e.value.fix and "a, b, c" in e.value.fix
    with pytest.raises(MedllmError, match="arm c starts from arm a, which is not trained"):
        run_study(cfg, only=["c"])

    def report() -> dict[str, Any]:
        return dict(json.loads((tmp_path / "studies" / "s_only" / "report.json").read_text()))

    run_study(cfg, only=["b"])
    assert [a["name"] for a in report()["arms"]] == ["b"]
    run_study(cfg, only=["a"])  # b's row is kept, in the config's order
    assert [a["name"] for a in report()["arms"]] == ["a", "b"]
    run_study(cfg.model_copy(update={"limit": 3}), only=["b"])  # other items: a fresh report
    assert [a["name"] for a in report()["arms"]] == ["b"]
