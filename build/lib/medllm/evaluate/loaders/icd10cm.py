"""`icd10cm_concepts`: ICD-10-CM code ↔ description questions in the manner of MedConceptsQA,
generated deterministically from the 2026 tabular list (simple-icd-10-cm, parsed by the knowledge
stage). Answers are held-out codes (`is_heldout(code, "icd10cm")`), which training never sees;
the three distractors are codes of the same chapter. With `options.unseen: true`
(`icd10cm_concepts_unseen`) the distractors are held-out codes too: with training-split
distractors, a model fine-tuned on the training split picks codes because it has seen them, and
the task measures familiarity (docs/training.md, S2). Half the items ask code → description,
half description → code (the item's `subject`). The few-shot pool uses training-split codes."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from medllm.core import Question, is_heldout
from medllm.evaluate.loaders.common import Items
from medllm.evaluate.spec import TaskSpec

NAMESPACE = "icd10cm"


def _candidates() -> list[Any]:
    from medllm.knowledge import load_codes

    # Billable codes without a 7th character (those repeat the parent with ", initial encounter").
    return [c for c in load_codes() if c.leaf and len(c.code.replace(".", "")) <= 6]


def _item(code: Any, peers: list[Any], rng: random.Random, n: int) -> Question:
    others = [p for p in peers if p.code != code.code and p.description != code.description]
    distractors = rng.sample(others, 3)
    options = [code, *distractors]
    rng.shuffle(options)
    answer = options.index(code)
    support = (f"icd10cm:{code.code}", *(f"icd10cm:{d.code}" for d in distractors))
    if n % 2 == 0:
        question = f"What is the description of the ICD-10-CM code {code.code}?"
        choices = tuple(o.description for o in options)
        subject = "code_to_description"
    else:
        question = f'Which ICD-10-CM code means "{code.description}"?'
        choices = tuple(o.code for o in options)
        subject = "description_to_code"
    return Question(id=f"icd10cm:{code.code}:{subject}", question=question, choices=choices,
                    answer=answer, subject=subject, support_ids=support,
                    meta={"chapter": code.chapter.split(":")[0]})  # fmt: skip


def generate(n_items: int, seed: int, heldout: bool, unseen: bool = False) -> list[Question]:
    """`unseen`: distractors from the answer's split only (else from every code of the chapter)."""
    codes = _candidates()
    same = [c for c in codes if is_heldout(c.code, NAMESPACE) == heldout]
    by_chapter: dict[str, list[Any]] = defaultdict(list)
    for c in same if unseen else codes:
        by_chapter[c.chapter].append(c)
    pick = [c for c in same if len(by_chapter[c.chapter]) >= 8]
    rng = random.Random(f"{seed}:{NAMESPACE}:{heldout}")
    chosen = sorted(rng.sample(pick, min(n_items, len(pick))), key=lambda c: c.code)
    return [_item(c, by_chapter[c.chapter], rng, i) for i, c in enumerate(chosen)]


def load(spec: TaskSpec) -> Items:
    seed = int(spec.options.get("seed", 0))
    unseen = bool(spec.options.get("unseen", False))
    items = generate(int(spec.options.get("n_items", 400)), seed, spec.split == "heldout", unseen)
    pool = generate(int(spec.options.get("n_pool", 50)), seed, False, unseen)
    return items, pool
