"""HTML report and the `medllm eval` / `medllm report` / `medllm ls tasks` commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medllm.cli import app
from medllm.core.errors import DataError
from medllm.evaluate.report import write_report
from medllm.evaluate.runner import run_eval


def test_report_is_self_contained(tiny_model: Any, tmp_path: Path) -> None:
    run_eval(tiny_model, "mmlu_medical", limit=8, out_dir=tmp_path / "r1", cache=False)
    run_eval(
        tiny_model,
        "mmlu_medical",
        mode="loglik_options",
        limit=8,
        out_dir=tmp_path / "r2",
        cache=False,
    )
    page = write_report([tmp_path / "r1", tmp_path / "r2"], tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 2
    # one row per subject among the 8 sampled items, and none for the subjects not sampled
    rows = (tmp_path / "r1" / "samples_mmlu_medical.jsonl").read_text().splitlines()
    sampled = {json.loads(r)["subject"] for r in rows}
    every = {
        "anatomy",
        "clinical knowledge",
        "college medicine",
        "medical genetics",
        "professional medicine",
        "college biology",
    }
    assert sampled < every
    for subject in every:
        assert (f"mmlu_medical_{subject.replace(' ', '_')}" in page) == (subject in sampled)
    assert (
        "hf:tiny-llama-0" in page
        and "<script src" not in page
        and "http" not in page.split("<pre>")[0]
    )
    with pytest.raises(DataError, match=r"summary\.json"):
        write_report([tmp_path / "nothing"], tmp_path / "x.html")


def test_cli_eval_report_ls(tmp_path: Path) -> None:
    from medllm.models.tiny import tiny_llama

    model, tok = tiny_llama(0)
    model.save_pretrained(tmp_path / "tiny")
    tok.save_pretrained(tmp_path / "tiny")
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "eval",
            "--model",
            f"hf:{tmp_path / 'tiny'}",
            "--tasks",
            "mmlu_medical",
            "--mode",
            "loglik",
            "--limit",
            "4",
            "--out",
            str(tmp_path / "run"),
            "--no-cache",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "run" / "summary.json").is_file() and "mmlu_medical" in res.output
    res = runner.invoke(app, ["report", str(tmp_path / "run"), "--out", str(tmp_path / "r.html")])
    assert res.exit_code == 0 and (tmp_path / "r.html").is_file()
    res = runner.invoke(app, ["ls", "tasks"])
    assert "icd10cm_concepts" in res.output and "hpo_diagnosis" in res.output
    res = runner.invoke(
        app, ["eval", "--model", "hf:/nope", "--tasks", "mmlu_medicl", "--limit", "1"]
    )
    assert res.exit_code == 2
