"""Training rows from an evaluation generator's multiple-choice items (`hpo_choice`, `icd10cm_choice`).

They live in the evaluation stage because they are built by its question generators and carry its
prompts; they reach training as data sources registered into `medllm.train`'s `train_sources`
(evaluate/registry.py), the same as any user-added source.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from medllm.core import LETTERS, Question
from medllm.evaluate.scoring import render
from medllm.evaluate.tasks import get_spec
from medllm.train import HeldOutTerms, Kind, Row, dpo_row, sft_row

SEED_OFFSET = 1000  # the tasks use seed 0: a few-shot pool is not replayed as training rows


def generated(
    generate: Callable[..., list[Question]], split: str, seed: int, terms: HeldOutTerms
) -> list[Question]:
    """Every item an evaluation loader's `generate(n_items, seed, split, unseen)` can make on one
    split, distractors from that split too (`unseen`), with a seed the task does not use; on the
    training split, less the items whose question or options say one of the held-out `terms` (an
    option named like a held-out disease, a code described like a held-out code)."""
    items = generate(
        10**9, seed + SEED_OFFSET, "heldout" if split == "heldout" else "train", unseen=True
    )
    if split == "heldout":
        return items
    return [q for q in items if not any(terms.spans(t) for t in (q.question, *q.choices))]


def choice_rows(
    kind: Kind,
    items: Sequence[Question],
    namespace: str,
    answer_id: Callable[[Question], str],
    task: str,
    *,
    limit: int | None,
    seed: int,
) -> list[Row]:
    """A seeded sample of at most `limit` items as rows: the question with its options lettered,
    answered with the option's text (sft; with the evaluation `task`'s own prompt for the item as
    "text_prompt"), as plain text with "Answer: ..." (cpt), or as the answer vs a random distractor
    (dpo). A row's id is "<namespace>:<answer_id(item)>"."""
    spec = get_spec(task)
    rng = random.Random(seed + 1)
    chosen = list(items)
    rng.shuffle(chosen)
    rows: list[Row] = []
    for q in chosen[:limit]:
        rid = f"{namespace}:{answer_id(q)}"
        listed = "\n".join(f"{LETTERS[i]}. {c}" for i, c in enumerate(q.choices))
        prompt = f"{q.question}\n{listed}"
        correct = int(q.answer)  # generator items are multiple choice: an index
        answer = q.choices[correct]
        if kind == "dpo":
            wrong = rng.choice([c for i, c in enumerate(q.choices) if i != correct])
            rows.append(dpo_row(rid, prompt, answer, wrong))
        elif kind == "cpt":
            rows.append({"id": rid, "text": f"{prompt}\nAnswer: {answer}"})
        else:
            rows.append(sft_row(rid, prompt, answer, text_prompt=render(spec, q)))
    return rows
