"""The harness on the real embedded SmolLM2 (llamacpp and its hf conversion), a handful of items."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medllm.evaluate.runner import run_eval
from medllm.evaluate.scoring import render
from medllm.evaluate.tasks import get_spec, load_task
from medllm.models.base import LoglikRequest

pytestmark = pytest.mark.integration


def test_llamacpp_letter_and_option_scoring(default_model: Any, tmp_path: Path) -> None:
    s = run_eval(
        default_model,
        "icd10cm_concepts",
        mode="loglik_options",
        limit=4,
        out_dir=tmp_path / "o",
        cache=False,
    )
    r = s["results"]["icd10cm_concepts"]
    assert r["n"] == 4 and 0 <= r["acc"] <= 1 and s["config"]["model"].startswith("llamacpp:")
    s = run_eval(
        default_model, "mmlu_medical", mode="loglik", limit=3, out_dir=tmp_path / "l", cache=False
    )
    assert s["results"]["mmlu_medical"]["n"] == 3 and "ece" in s["results"]["mmlu_medical"]


def test_llamacpp_generation_tasks(default_model: Any) -> None:
    s = run_eval(default_model, "radiology_impression", limit=2, cache=False)
    r = s["results"]["radiology_impression"]
    assert r["n"] == 2 and 0 <= r["rougeL"] <= 1
    s = run_eval(default_model, "mmlu_medical", mode="generate", limit=3, cache=False)
    assert 0 <= s["results"]["mmlu_medical"]["parse_failure_rate"] <= 1


def test_hf_fast_path_matches_full_forward_on_real_weights(default_hf_model: Any) -> None:
    spec = get_spec("mmlu_medical")
    q = load_task("mmlu_medical")[0]
    reqs = [LoglikRequest(render(spec, q), f" {x}") for x in ("A", "B", *q.choices)]
    for a, b in zip(
        default_hf_model.loglikelihood(reqs),
        default_hf_model.loglikelihood_full(reqs),
        strict=True,
    ):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-3)
