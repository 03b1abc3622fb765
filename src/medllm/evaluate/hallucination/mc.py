"""S7's Med-HALT-style reasoning tests (none-of-the-above, false confidence; evaluate/medhalt.py):
each option scored by the log-likelihood of its text, without and with retrieved sources.

Per arm: none and rag answer every item (argmax option); uncertainty abstains when the chosen
option's probability (softmax over the options' log-likelihoods) is below the label-free
threshold that answers `target_coverage` of the items; rag_abstention answers with sources only
where `rag.answer`'s gates before generating (scope, relevance) pass. self_consistency samples
free text and has no multiple-choice form here (reported as not applicable).
Med-HALT's pointwise score: +1 right, -0.25 wrong, 0 abstained, averaged over items.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from medllm.core import Question
from medllm.evaluate.hallucination.config import HallucinationConfig
from medllm.evaluate.hallucination.risk import Conf, answered, curve, threshold_for
from medllm.models import LoglikRequest, Model
from medllm.rag import RagModel, RagSettings, prepare

Row = dict[str, Any]


@dataclass(frozen=True)
class Entry:
    id: str
    task: str
    item: Question


def mc_items(cfg: HallucinationConfig) -> list[Entry]:
    from medllm.evaluate.tasks import load_task

    out = []
    for task in cfg.medhalt_tasks:
        items = [q for q in load_task(task) if len(q.choices) >= 2]
        if cfg.medhalt_items < len(items):
            keep = sorted(random.Random(cfg.seed).sample(range(len(items)), cfg.medhalt_items))
            items = [items[i] for i in keep]
        out += [Entry(f"{task}:{q.id}", task, q) for q in items]
    return out


def _lls(model: Model, prompt: str, item: Question) -> list[float]:
    reqs = [LoglikRequest(prompt, f" {c}") for c in item.choices]
    return [r.logprob for r in model.loglikelihood(reqs)]


def mc_rows(
    model: Model, retriever: Any, cfg: HallucinationConfig, batch: list[Entry]
) -> list[Row]:
    from medllm.evaluate.scoring import render
    from medllm.evaluate.tasks import get_spec

    rag = RagModel(model, retriever, k=cfg.sources)
    rows = []
    for entry in batch:
        task, q = entry.task, entry.item
        prompt = render(get_spec(task), q)
        gate = prepare(q.question, model.id, retriever, RagSettings(k=cfg.sources))
        rows.append(
            {
                "id": entry.id,
                "task": task,
                "answer": q.answer,
                "plain": _lls(model, prompt, q),
                "rag": _lls(rag, prompt, q),
                "gate_ok": gate.early is None,
            }
        )
    return rows


def _prob(lls: list[float]) -> float:
    x = np.asarray(lls) - max(lls)
    return float(np.exp(x).max() / np.exp(x).sum())


def _arm_conf(arm: str, rows: list[Row]) -> tuple[list[Conf], list[int]]:
    """(confidence, chosen option) per row for one arm."""
    scores = "rag" if arm in ("rag", "rag_abstention") else "plain"
    picks = [int(np.argmax(r[scores])) for r in rows]
    if arm == "uncertainty":
        return [_prob(r["plain"]) for r in rows], picks
    if arm == "rag_abstention":
        return [1.0 if r["gate_ok"] else None for r in rows], picks
    return [1.0] * len(rows), picks


def mc_metrics(arm: str, rows: list[Row], target: float) -> dict[str, Any]:
    """Coverage, accuracy of the answered, Med-HALT score and the coverage / risk curve."""
    if arm == "self_consistency" or not rows:
        return {"applicable": False}
    conf, picks = _arm_conf(arm, rows)
    t = threshold_for(conf, target) if arm == "uncertainty" else -np.inf
    ans = answered(conf, t)
    right = [p == r["answer"] for p, r in zip(picks, rows, strict=True)]
    n_ans = sum(ans)
    n_right = sum(a and c for a, c in zip(ans, right, strict=True))
    return {
        "applicable": True,
        "n": len(rows),
        "coverage": n_ans / len(rows),
        "accuracy_answered": n_right / n_ans if n_ans else 0.0,
        "medhalt_score": (n_right - 0.25 * (n_ans - n_right)) / len(rows),
        "curve": curve(conf, [not c for c in right]),
    }
