"""WHO essential medicines → CPT text, SFT pairs (medicine → therapeutic category) and DPO pairs.

Records come from the knowledge stage's parser; the split is by medicine id (namespace "who_medicine").
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from medllm.core import is_heldout
from medllm.train.data import Kind, Row, dpo_row, seeded_sample, sft_row

NAMESPACE = "who_medicine"


@lru_cache(maxsize=2)
def records(split: str) -> list[Any]:
    from medllm.knowledge import load_medicines

    want = split == "heldout"
    return [m for m in load_medicines() if m.category and is_heldout(m.id, NAMESPACE) == want]


def _category(m: Any) -> str:
    return " > ".join(m.category)


def sft_pairs(m: Any) -> list[Row]:
    rid = f"{NAMESPACE}:{m.id}"
    rows = [
        sft_row(rid, f"In the WHO Model List of Essential Medicines, which category is {m.name} listed under?",
                f"{m.name} is listed under {_category(m)}."),
        sft_row(rid, f"What kind of medicine is {m.name}?",
                f"{m.name} is one of the {m.category[0].lower()}."),
    ]  # fmt: skip
    if m.pregnancy_category:
        rows.append(sft_row(rid, f"What is the pregnancy category of {m.name}?",
                            f"The pregnancy category of {m.name} is {m.pregnancy_category}."))  # fmt: skip
    return rows


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    pool = records(split)
    chosen = seeded_sample(pool, limit, seed)
    if kind == "cpt":
        from medllm.knowledge import medicine_document as to_document

        return [{"id": f"{NAMESPACE}:{m.id}", "text": to_document(m).text} for m in chosen]
    if kind == "sft":
        return [row for m in chosen for row in sft_pairs(m)]
    rng = random.Random(seed + 1)
    rows = []
    for m in chosen:
        # Rejected: a category from another WHO section, stated with the same confidence.
        wrong = [o for o in pool if o.category[0] != m.category[0]]
        other = wrong[rng.randrange(len(wrong))]
        question = f"In the WHO Model List of Essential Medicines, which category is {m.name} listed under?"
        rows.append(dpo_row(f"{NAMESPACE}:{m.id}", question, f"{m.name} is listed under {_category(m)}.",
                            f"{m.name} is listed under {_category(other)}."))  # fmt: skip
    return rows
