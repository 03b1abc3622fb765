"""`icd10cm_concepts`: ICD-10-CM code ↔ description questions in the manner of MedConceptsQA,
generated deterministically from the 2026 tabular list (simple-icd-10-cm, parsed by the knowledge
stage). Answers are held-out codes (`is_heldout(code, "icd10cm")`), which training never sees, of
the task's `split`: `heldout` (all of them), or its `dev` or `test` half (medllm.core.splits); the
three distractors are codes of the same chapter, never of the other half. With
`options.unseen: true` (`icd10cm_concepts_unseen`) the distractors are held-out codes too: with training-split
distractors, a model fine-tuned on the training split picks codes because it has seen them, and
the task measures familiarity (docs/training.md, S2). Half the items ask code → description,
half description → code (the item's `subject`). The few-shot pool uses training-split codes."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from medllm.core import ICD10CM, Question, in_split, shown_in
from medllm.evaluate.loaders.common import Items, generated_only, rng_key, split_of_task
from medllm.evaluate.spec import TaskSpec

NAMESPACE = ICD10CM


def _candidates() -> list[Any]:
    from medllm.knowledge import load_codes

    # Billable codes without a 7th character (those repeat the parent with ", initial encounter").
    return [c for c in load_codes() if c.leaf and len(c.code.replace(".", "")) <= 6]


class _Others(Sequence[Any]):
    """`peers` without those described like `code` (itself included), as a view: `rng.sample` of
    it picks what it would from the list, without copying a chapter of thousands per item."""

    def __init__(self, code: Any, peers: list[Any], by_description: dict[str, list[int]]) -> None:
        self.peers, self.skip = peers, by_description[code.description]  # sorted indices

    def __len__(self) -> int:
        return len(self.peers) - len(self.skip)

    def __getitem__(self, j: Any) -> Any:
        if isinstance(j, slice):
            return [self[i] for i in range(len(self))[j]]
        for k in self.skip:  # the j-th kept peer: step over each skipped index at or before it
            j += k <= j
        return self.peers[j]


def _positions(peers: list[Any]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(peers):
        out[p.description].append(i)
    return out


def _item(
    code: Any, peers: list[Any], rng: random.Random, n: int, by_description: dict[str, list[int]]
) -> Question:
    distractors = rng.sample(_Others(code, peers, by_description), 3)
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
    return Question(
        id=f"icd10cm:{code.code}:{subject}",
        question=question,
        choices=choices,
        answer=answer,
        subject=subject,
        support_ids=support,
        meta={"chapter": code.chapter.split(":")[0]},
    )


def generate(n_items: int, seed: int, split: str, unseen: bool = False) -> list[Question]:
    """Items whose answers are codes of `split` (train, heldout, dev, test). `unseen`: distractors
    from that split only (else from every code of the chapter shown in `split`)."""
    codes = _candidates()
    same = [c for c in codes if in_split(c.code, NAMESPACE, split)]
    by_chapter: dict[str, list[Any]] = defaultdict(list)
    for c in same if unseen else [c for c in codes if shown_in(c.code, NAMESPACE, split)]:
        by_chapter[c.chapter].append(c)
    pick = [c for c in same if len(by_chapter[c.chapter]) >= 8]
    rng = random.Random(f"{seed}:{NAMESPACE}:{rng_key(split)}")
    chosen = sorted(rng.sample(pick, min(n_items, len(pick))), key=lambda c: c.code)
    at = {chapter: _positions(peers) for chapter, peers in by_chapter.items()}
    return [_item(c, by_chapter[c.chapter], rng, i, at[c.chapter]) for i, c in enumerate(chosen)]


def load(spec: TaskSpec) -> Items:
    generated_only(spec)
    seed = int(spec.options.get("seed", 0))
    unseen = bool(spec.options.get("unseen", False))
    items = generate(int(spec.options.get("n_items", 400)), seed, split_of_task(spec), unseen)
    pool = generate(int(spec.options.get("n_pool", 50)), seed, "train", unseen)
    return items, pool
