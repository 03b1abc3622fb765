"""The `medllm` command as a user runs it (a real subprocess, the real embedded model)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def medllm(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "medllm", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def test_ask_streams_an_answer_names_the_model_and_disclaims() -> None:
    r = medllm(
        "ask",
        "--plain",
        "What is iron deficiency anemia?",
        "--max-tokens",
        "40",
        "-m",
        "llamacpp:small",
    )
    assert r.returncode == 0, r.stderr
    assert "iron" in r.stdout.lower()
    assert "model: llamacpp:SmolLM2-135M-Instruct.Q4_1.gguf" in r.stdout
    assert "Not medical advice" in r.stdout


def test_bad_model_spec_is_one_error_line_with_a_fix() -> None:
    r = medllm("ask", "hi", "--model", "llamacpp:/no/such.gguf")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "not found" in lines[0] and "fix:" in lines[0]
    assert "Traceback" not in r.stderr


def test_models_ls_and_ls_backends() -> None:
    r = medllm("models", "ls")
    assert r.returncode == 0, r.stderr
    rows = [line.split("│")[1].strip() for line in r.stdout.splitlines() if line.startswith("│ ")]
    assert rows == ["small", "medium", "large"]
    assert "`default` = small" in r.stdout
    r = medllm("ls", "backends")
    assert {"hf", "llamacpp", "openai"} <= set(r.stdout.split())


def test_validate_reports_the_bad_field(tmp_path: Path) -> None:
    cfg = tmp_path / "m.yaml"
    cfg.write_text("kind: model\nspec: llamacpp:small\nn_ctxx: 10\n")
    r = medllm("validate", str(cfg))
    assert r.returncode == 2
    assert 'field "n_ctxx"' in r.stderr and "remove it" in r.stderr
    cfg.write_text("kind: model\nspec: llamacpp:small\nn_ctx: 1024\n")
    r = medllm("validate", str(cfg), "--set", "n_ctx=2048")
    assert r.returncode == 0 and "n_ctx: 2048" in r.stdout
