"""Med-HALT-style reasoning-hallucination variants of a multiple-choice task (arXiv 2307.15343).

- None-of-the-above (NOTA): the correct option's text is replaced by "None of the above", which
  becomes the right answer; a model that recognises the answer by content must notice it is gone.
- False-Confidence (FCT): a proposed answer (the right one for half of the items, chosen by a
  seeded draw) is shown and the model judges it: A = "correct", B = "incorrect".
Med-HALT's pointwise score (+1 right, -0.25 wrong) is reported as `medhalt_score`.
"""

from __future__ import annotations

import random
from dataclasses import replace

from medllm.core import Question

NOTA = "None of the above"
FCT_CHOICES = ("The proposed answer is correct", "The proposed answer is incorrect")


def nota(item: Question) -> Question:
    assert isinstance(item.answer, int)
    choices = list(item.choices)
    choices[item.answer] = NOTA
    return replace(
        item, id=f"{item.id}:nota", choices=tuple(choices), meta={**item.meta, "variant": "nota"}
    )


def false_confidence(item: Question, seed: int) -> Question:
    assert isinstance(item.answer, int)
    rng = random.Random(f"{seed}:{item.id}")
    right = rng.random() < 0.5
    wrong = [i for i in range(len(item.choices)) if i != item.answer]
    proposed = item.answer if right else rng.choice(wrong)
    listed = "\n".join(f"{'ABCDEFGHIJ'[i]}. {c}" for i, c in enumerate(item.choices))
    text = (
        f"{item.question}\n{listed}\n"
        f"Proposed answer: {'ABCDEFGHIJ'[proposed]}. {item.choices[proposed]}\n"
        "Is the proposed answer correct?"
    )
    meta = {**item.meta, "variant": "false_confidence", "proposed": proposed}
    return replace(
        item,
        id=f"{item.id}:fct",
        question=text,
        choices=FCT_CHOICES,
        answer=0 if right else 1,
        meta=meta,
    )


def apply(variant: str, items: list[Question], seed: int = 0) -> list[Question]:
    if variant == "nota":
        return [nota(q) for q in items]
    if variant == "false_confidence":
        return [false_confidence(q, seed) for q in items]
    return items
