"""The S10 interpretability study (`kind: interpretability`, `medllm study run`): on a seeded
sample of a multiple-choice task, the model's chosen option (the highest log-likelihood of the
option's text, as `loglik_options` scores it) is attributed to the question's and options' tokens
by every method, and each attribution's deletion and insertion curves are scored (faithfulness.py).

Every item's row is appended and fsynced to `<output_dir>/<name>/items.jsonl` as it is done, so a
rerun of the same command resumes; the report is rebuilt from every row.
"""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Any

from medllm.core import LETTERS, MedllmError, Progress, Question, append_jsonl, write_json
from medllm.evaluate.explain.config import InterpretabilityConfig
from medllm.evaluate.explain.faithfulness import curves
from medllm.evaluate.explain.methods import attribute
from medllm.evaluate.explain.target import build_target, hf_of, score_ids
from medllm.evaluate.scoring import render
from medllm.evaluate.tasks import get_spec, load_task
from medllm.models import HFModel, LoglikRequest

ITEMS = "items.jsonl"
SETTINGS = "settings.json"


def sample(cfg: InterpretabilityConfig) -> list[Question]:
    """`n_items` items of the task, a seeded sample in the task's order (all when fewer)."""
    items = [q for q in load_task(cfg.task) if len(q.choices) >= 2]
    if not items:
        raise MedllmError(
            f"task {cfg.task}: no multiple-choice items",
            fix="give a multiple-choice task (`medllm ls tasks`)",
        )
    if cfg.n_items >= len(items):
        return items
    keep = sorted(random.Random(cfg.seed).sample(range(len(items)), cfg.n_items))
    return [items[i] for i in keep]


def item_spans(prompt: str, item: Question) -> list[tuple[int, int]]:
    """The character span of the item's own text in its prompt: from the question to the end of
    the last option (the task's preamble and "Answer:" stay, being the same for every item)."""
    start = prompt.find(item.question)
    last = item.choices[-1]
    end = prompt.rfind(last) + len(last) if last in prompt else -1
    if start < 0 or end <= start:
        return [(0, len(prompt))]
    return [(start, end)]


def chosen(model: HFModel, prompt: str, item: Question) -> int:
    reqs = [LoglikRequest(prompt, f" {c}") for c in item.choices]
    lls = [r.logprob for r in model.loglikelihood(reqs)]
    return max(range(len(lls)), key=lls.__getitem__)


def explain_item(
    model: HFModel, cfg: InterpretabilityConfig, prompt: str, item: Question, index: int
) -> dict[str, Any]:
    """One item's row: the chosen option, each method's scores' curves and AOPC."""
    pred = chosen(model, prompt, item)
    target = build_target(model, prompt, f" {item.choices[pred]}", item_spans(prompt, item))
    scores: dict[str, Any] = {}
    delta: list[float] = []
    seconds: dict[str, float] = {}
    for m in cfg.methods:
        t0 = time.perf_counter()
        kw: dict[str, Any] = {"steps": cfg.ig_steps, "delta": delta} if m == "ig" else {}
        scores[m] = attribute(model, target, m, seed=cfg.seed * 100_003 + index, **kw)
        seconds[m] = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = curves(target, scores, lambda rows: score_ids(model, rows, target.start), cfg.points)
    return {
        "id": item.id,
        "pred": LETTERS[pred],
        "correct": pred == item.answer,
        "n_features": target.n_features,
        "ig_delta": delta[0] if delta else None,
        "seconds": {**seconds, "curves": time.perf_counter() - t0},
        "methods": res,
        "pieces": list(target.pieces),
        "scores": {m: [round(float(v), 6) for v in s] for m, s in scores.items()},
    }


def _settings(cfg: InterpretabilityConfig) -> dict[str, Any]:
    keep = ("model", "task", "seed", "methods", "ig_steps", "points")
    return {k: getattr(cfg, k) for k in keep}


def _claim(cfg: InterpretabilityConfig, out: Path) -> list[dict[str, Any]]:
    """Rows done by an earlier run with the same settings (others are refused, not mixed)."""
    record = out / SETTINGS
    now = _settings(cfg)
    if record.is_file():
        before = json.loads(record.read_text(encoding="utf-8"))
        if differ := [k for k in now if before.get(k) != now[k]]:
            raise MedllmError(
                f"{out}: scored with other settings ({', '.join(differ)} differ)",
                fix=f"give the study another name or output_dir, or delete {out} to start over",
            )
    elif out.is_dir() and any(out.iterdir()):
        raise MedllmError(
            f"{out}: the folder is not empty and holds no {SETTINGS}",
            fix="give the study another name or output_dir, or empty the folder",
        )
    out.mkdir(parents=True, exist_ok=True)
    write_json(record, now)
    path = out / ITEMS
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    return [json.loads(line) for line in lines if line.strip()]


def run_interpretability(cfg: InterpretabilityConfig, progress: Progress | None = None) -> Path:
    """Score every item not yet on disk, then write the report; returns report.md's path."""
    from medllm.evaluate.explain.report import write_report
    from medllm.models import load_model

    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    out = Path(cfg.output_dir) / cfg.name
    rows = _claim(cfg, out)
    done = {r["id"] for r in rows}
    items = sample(cfg)
    spec = get_spec(cfg.task)
    t0 = time.perf_counter()
    with load_model(cfg.model) as loaded, (out / ITEMS).open("a", encoding="utf-8") as f:
        model = hf_of(loaded)
        for i, item in enumerate(items):
            if item.id not in done:
                row = explain_item(model, cfg, render(spec, item), item, i)
                append_jsonl(f, row)
                rows.append(row)
            if progress:
                progress(f"S10: {cfg.task}", i + 1, len(items))
        model_id = model.id
    wanted = {q.id for q in items}
    rows = [r for r in rows if r["id"] in wanted]
    return write_report(cfg, out, rows, model_id, wall_s=time.perf_counter() - t0)
