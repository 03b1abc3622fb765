"""Runner on the tiny random Llama: every mode, cache, resume after SIGKILL, fast scoring parity."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medllm.core.errors import ConfigError
from medllm.evaluate.runner import run_eval
from medllm.evaluate.scoring import render
from medllm.evaluate.tasks import get_spec, load_task
from medllm.models.base import LoglikRequest


def test_hf_fast_path_equals_full_forward(tiny_model: Any) -> None:
    spec = get_spec("mmlu_medical")
    items = load_task("mmlu_medical")[:3]
    reqs = [LoglikRequest(render(spec, q), f" {x}") for q in items for x in ("A", "B", *q.choices)]
    ours = tiny_model.loglikelihood(reqs)  # the shared-context fast path
    ref = tiny_model.loglikelihood_full(reqs)
    for a, b in zip(ours, ref, strict=True):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-4)
        assert (a.n_tokens, a.is_greedy) == (b.n_tokens, b.is_greedy)


@pytest.mark.parametrize("mode", ["loglik", "loglik_options", "fewshot"])
def test_loglik_modes_summary_shape(tiny_model: Any, tmp_path: Path, mode: str) -> None:
    s = run_eval(
        tiny_model,
        "mmlu_medical",
        mode=mode,
        limit=12,
        out_dir=tmp_path,
        cache=False,
        num_fewshot=1,
    )
    r = s["results"]["mmlu_medical"]
    assert r["n"] == 12 and 0 <= r["acc_ci_low"] <= r["acc"] <= r["acc_ci_high"] <= 1
    assert {"acc_norm", "ece", "pred_dist", "reliability"} <= set(r)
    assert sum(r["pred_dist"].values()) == pytest.approx(1.0)
    subjects = [k for k in s["results"] if k.startswith("mmlu_medical_")]
    assert subjects and sum(s["results"][k]["n"] for k in subjects) == 12
    assert s["groups"]["mmlu_medical"]["acc"] == r["acc"]
    rows = (tmp_path / "samples_mmlu_medical.jsonl").read_text().splitlines()
    assert len(rows) == 12 and (tmp_path / "summary.json").is_file()
    assert json.loads((tmp_path / "run.json").read_text())["versions"]["torch"]


def test_generation_modes(tiny_model: Any, tmp_path: Path) -> None:
    over = ["max_tokens=4"]
    for mode in ("generate", "cot", "self_consistency"):
        s = run_eval(
            tiny_model,
            "mmlu_medical",
            mode=mode,
            limit=2,
            cache=False,
            k=2,
            overrides=over,
            out_dir=tmp_path / mode,
        )
        r = s["results"]["mmlu_medical"]
        assert r["n"] == 2 and 0 <= r["parse_failure_rate"] <= 1 and r["mode"] == mode
    s = run_eval(
        tiny_model, "radiology_impression", limit=2, cache=False, overrides=["max_tokens=4"]
    )
    r = s["results"]["radiology_impression"]
    assert r["mode"] == "generate" and {
        "bleu1",
        "rougeL",
        "token_f1",
        "em",
        "rougeL_ci_low",
    } <= set(r)


def test_cache_serves_a_repeat_run(tiny_model: Any, tmp_path: Path) -> None:
    cache = tmp_path / "cache.sqlite"
    a = run_eval(tiny_model, "mmlu_medical", limit=6, out_dir=tmp_path / "a", cache=cache)
    b = run_eval(tiny_model, "mmlu_medical", limit=6, out_dir=tmp_path / "b", cache=cache)
    assert a["results"] == b["results"]
    info = json.loads((tmp_path / "b" / "run.json").read_text())
    assert info["cache_misses"] == 0 and info["cache_hits"] == 6 * 4  # 4 options per item


def test_out_dir_refuses_a_different_run(tiny_model: Any, tmp_path: Path) -> None:
    run_eval(tiny_model, "mmlu_medical", limit=2, out_dir=tmp_path, cache=False)
    with pytest.raises(ConfigError, match="holds another eval run"):
        run_eval(tiny_model, "mmlu_medical", limit=3, out_dir=tmp_path, cache=False)


CHILD = """
import os, signal, sys
from medllm.evaluate.runner import run_eval
from medllm.models.tiny import tiny_hf_model

def die_midway(task, done, total):
    # The progress callback runs after a batch's rows are on disk: a real SIGKILL lands here, at a
    # point that does not depend on how fast the machine is.
    if done >= 6:
        os.kill(os.getpid(), signal.SIGKILL)

run_eval(tiny_hf_model(0), "mmlu_medical", limit=16, out_dir=sys.argv[1], cache=sys.argv[2],
         batch_size=2, progress=die_midway)
"""


def test_sigkill_midway_then_resume(tiny_model: Any, tmp_path: Path) -> None:
    out, cache = tmp_path / "run", tmp_path / "cache.sqlite"
    samples = out / "samples_mmlu_medical.jsonl"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3] / "src")}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(out), str(cache)], env=env, timeout=300
    )
    assert child.returncode == -signal.SIGKILL
    n_before = len(samples.read_bytes().splitlines())
    assert n_before == 6, "the kill lands after the third batch"
    resumed = run_eval(tiny_model, "mmlu_medical", limit=16, out_dir=out, cache=cache, batch_size=2)
    fresh = run_eval(tiny_model, "mmlu_medical", limit=16, out_dir=tmp_path / "fresh", cache=False)
    # Accuracies, counts and option distributions match exactly; calibration floats to 1e-6
    # relative or 1e-6 absolute (CPU BLAS kernels may differ in the last float32 bit with memory
    # alignment across any two runs; a calibration error near 0.05 then moved by 6.8e-8).
    _same(json.loads((out / "summary.json").read_text())["results"], fresh["results"])
    assert resumed["results"]["mmlu_medical"]["acc"] == fresh["results"]["mmlu_medical"]["acc"]
    ids = [json.loads(x)["id"] for x in samples.read_text().splitlines()]
    assert len(ids) == 16 and len(set(ids)) == 16


def _same(a: Any, b: Any) -> None:
    if isinstance(a, dict):
        assert set(a) == set(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-6, abs=1e-6)
    else:
        assert a == b
