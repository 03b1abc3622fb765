"""The harness on the real embedded SmolLM2 (llamacpp and its hf conversion), a handful of items."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medllm.core import ChatMessage
from medllm.evaluate.parse import parse_choice
from medllm.evaluate.runner import run_eval
from medllm.evaluate.scoring import GEN_SUFFIX, render
from medllm.evaluate.tasks import get_spec, load_task
from medllm.models.base import GenerationParams, LoglikRequest

pytestmark = pytest.mark.integration


def _rows(folder: Path, task: str) -> list[dict[str, Any]]:
    lines = (folder / f"samples_{task}.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _option_lls(model: Any, task: str, ids: list[str], letters: bool) -> dict[str, list[float]]:
    """Each item's per-option log-likelihoods, asked of the model directly (no scorer, no cache)."""
    spec, items = get_spec(task), {q.id: q for q in load_task(task)}
    out = {}
    for i in ids:
        q = items[i]
        options = "ABCDEFGHIJ"[: len(q.choices)] if letters else q.choices
        reqs = [LoglikRequest(render(spec, q), f" {x}") for x in options]
        out[i] = [r.logprob for r in model.loglikelihood(reqs)]
    return out


def _answers(task: str) -> dict[str, Any]:
    return {q.id: q.answer for q in load_task(task)}


def test_llamacpp_letter_and_option_scoring(default_model: Any, tmp_path: Path) -> None:
    """acc and ECE are those of the model's own log-likelihoods: argmax vs the answer, and
    10-bin |accuracy - confidence| weighted by bin size, with confidence = softmax(lls)[argmax]."""
    s = run_eval(
        default_model,
        "icd10cm_concepts",
        mode="loglik_options",
        limit=4,
        out_dir=tmp_path / "o",
        cache=False,
    )
    r, rows = s["results"]["icd10cm_concepts"], _rows(tmp_path / "o", "icd10cm_concepts")
    lls = _option_lls(default_model, "icd10cm_concepts", [x["id"] for x in rows], letters=False)
    answers = _answers("icd10cm_concepts")
    correct = [int(np.argmax(lls[x["id"]])) == answers[x["id"]] for x in rows]
    assert r["n"] == len(rows) == 4 and r["acc"] == pytest.approx(sum(correct) / 4)
    assert s["config"]["model"].startswith("llamacpp:")
    s = run_eval(
        default_model, "mmlu_medical", mode="loglik", limit=3, out_dir=tmp_path / "l", cache=False
    )
    rows, answers = _rows(tmp_path / "l", "mmlu_medical"), _answers("mmlu_medical")
    lls = _option_lls(default_model, "mmlu_medical", [x["id"] for x in rows], letters=True)
    probs = {i: np.exp(v - np.max(v)) / np.exp(v - np.max(v)).sum() for i, v in lls.items()}
    conf = np.array([probs[x["id"]].max() for x in rows])
    hit = np.array([float(np.argmax(lls[x["id"]]) == answers[x["id"]]) for x in rows])
    bins = np.clip(np.ceil(conf * 10).astype(int) - 1, 0, 9)  # conf in (k/10, (k+1)/10] → bin k
    ece = sum(
        abs(hit[bins == b].mean() - conf[bins == b].mean()) * (bins == b).mean()
        for b in set(bins.tolist())
    )
    assert s["results"]["mmlu_medical"]["ece"] == pytest.approx(ece, abs=1e-4)


def _regenerated(model: Any, task: str, rows: list[dict[str, Any]], suffix: str) -> list[str]:
    """Each row's greedy answer asked of the model again, directly, with the task's budget."""
    spec, items = get_spec(task), {q.id: q for q in load_task(task)}
    params = GenerationParams(max_tokens=spec.max_tokens, temperature=0.0)
    chats = [[ChatMessage("user", render(spec, items[x["id"]]) + suffix)] for x in rows]
    return [model.generate(model.apply_chat_template(c), params) for c in chats]


def test_llamacpp_generation_tasks(default_model: Any, tmp_path: Path) -> None:
    """ROUGE-L is rouge-score's on the model's own greedy impressions; the parse-failure rate is
    the share of greedy answers naming no option."""
    from rouge_score import rouge_scorer

    s = run_eval(
        default_model, "radiology_impression", limit=2, out_dir=tmp_path / "g", cache=False
    )
    rows, refs = _rows(tmp_path / "g", "radiology_impression"), _answers("radiology_impression")
    raws = _regenerated(default_model, "radiology_impression", rows, "")
    assert [x["raw"] for x in rows] == raws
    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    f1 = [
        scorer.score(str(refs[x["id"]]), raw.strip())["rougeL"].fmeasure
        for x, raw in zip(rows, raws, strict=True)
    ]
    r = s["results"]["radiology_impression"]
    assert r["n"] == 2 and r["rougeL"] == pytest.approx(float(np.mean(f1)), abs=1e-9)
    s = run_eval(
        default_model, "mmlu_medical", mode="generate", limit=3, out_dir=tmp_path / "m", cache=False
    )
    rows = _rows(tmp_path / "m", "mmlu_medical")
    raws = _regenerated(default_model, "mmlu_medical", rows, GEN_SUFFIX)
    items = {q.id: q for q in load_task("mmlu_medical")}
    preds = [parse_choice(raw, items[x["id"]].choices) for x, raw in zip(rows, raws, strict=True)]
    assert [x["raw"] for x in rows] == raws and [x["pred"] for x in rows] == preds
    rate = sum(p is None for p in preds) / 3
    assert s["results"]["mmlu_medical"]["parse_failure_rate"] == pytest.approx(rate)


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
