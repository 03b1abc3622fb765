"""Scores of VQA answers: exact match (closed and open), and for open questions token recall and
BLEU-1, each per question type and next to a most-frequent-answer baseline.

- exact match: after lower-casing, dropping punctuation and collapsing spaces ("Upper left." ==
  "upper left");
- `open_recall`: the share of the reference's words found in the answer, LLaVA-Med's open-question
  measure (written here: a set intersection over normalised words; no library has this one);
- `open_bleu1`: corpus BLEU-1 (sacrebleu, the `eval` extra's; brevity penalty included).

Counts and rates only: no question or answer text in the result.
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Sequence
from typing import Any

from medllm.vision.vqa_loaders import VqaItem


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: "Upper left." == "upper left"."""
    table = str.maketrans("", "", string.punctuation)
    return " ".join(text.lower().translate(table).split())


def token_recall(pred: str, ref: str) -> float:
    words = normalise(ref).split()
    got = set(normalise(pred).split())
    return sum(w in got for w in words) / len(words) if words else 0.0


def bleu1(preds: Sequence[str], refs: Sequence[str]) -> float:
    from sacrebleu.metrics import BLEU

    if not preds:
        return 0.0
    return round(
        float(BLEU(max_ngram_order=1).corpus_score(list(preds), [list(refs)]).score) / 100, 4
    )


def majority_answers(train: Sequence[tuple[str, str]]) -> dict[str, str]:
    """question → its most frequent train answer (the baseline; "" for a question never seen)."""
    by_question: dict[str, Counter[str]] = {}
    for q, a in train:
        by_question.setdefault(q, Counter())[a] += 1
    return {q: c.most_common(1)[0][0] for q, c in by_question.items()}


def score_vqa(
    items: Sequence[VqaItem], answers: Sequence[str], train: Sequence[tuple[str, str]]
) -> dict[str, Any]:
    """`{"all" | "closed" | "open" | "type:<t>": {n, accuracy, baseline_accuracy}, "open_recall",
    "open_bleu1", "baseline_open_recall", "baseline_open_bleu1"}`."""
    base = majority_answers(train)
    hits: dict[str, list[tuple[int, int]]] = {}
    for item, got in zip(items, answers, strict=True):
        ref = normalise(item.answer)
        right = (int(normalise(got) == ref), int(normalise(base.get(item.question, "")) == ref))
        for key in ("all", "closed" if item.closed else "open", f"type:{item.question_type}"):
            hits.setdefault(key, []).append(right)
    out: dict[str, Any] = {
        key: {
            "n": len(v),
            "accuracy": _mean([a for a, _ in v]),
            "baseline_accuracy": _mean([b for _, b in v]),
        }
        for key, v in sorted(hits.items())
    }
    opens = [(i, a) for i, a in zip(items, answers, strict=True) if not i.closed]
    refs = [i.answer for i, _ in opens]
    for prefix, preds in (
        ("", [a for _, a in opens]),
        ("baseline_", [base.get(i.question, "") for i, _ in opens]),
    ):
        out[f"{prefix}open_recall"] = _mean(
            [token_recall(p, r) for p, r in zip(preds, refs, strict=True)]
        )
        out[f"{prefix}open_bleu1"] = bleu1(preds, refs)
    return out


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
