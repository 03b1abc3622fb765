"""ICD-10-CM codes as compact lists: up to `PER_ROW` codes per example, each of another category.

The per-code pairs of `icd10cm` spend ~45 tokens of chat scaffolding on each fact; here one example
lists up to `PER_ROW` codes ("E11.9 Type 2 diabetes mellitus without complications" lines, or the
same codes as "...: E11.9" lines), ~20 tokens per fact and direction.

What carries over to a held-out code is its category: a model that has read "E11 Type 2 diabetes
mellitus" and a few "E11.x Type 2 diabetes mellitus ..." lines picks the right description for an
unseen E11.65, and the right code for its description. So the source takes categories with the most
billable codes first (they hold most of any uniformly drawn set of codes), each with its category
line and up to `LEAVES_PER_CATEGORY` seeded billable codes, and deals them into examples round-robin,
so that no two lines of one example share a category. Lessons that shaped this (docs/training.md, S2):
- lines of one category per example let the model copy the category from the line above instead
  of learning it from the words: 0.19 on held-out description → code for the trained categories;
- one fixed order is learnt as a sequence (line n predicts line n+1), so every code comes in
  `ORDERS` dealings per direction, each with other neighbours;
- the instruction names no code or category (given one, the model copies it from the prompt).
The split is the one `icd10cm` uses (namespace "icd10cm"); a row's id lists every code it states
("icd10cm:E11,I25.10,...").
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Any

from medllm.core import DataError
from medllm.train.data import Kind, Row, sft_row
from medllm.train.sources.icd10cm import NAMESPACE, records

PER_ROW = 12  # lines per example
PER_ROW_CHARS = 480  # description characters per example: with the chat template, < 256 tokens
LEAVES_PER_CATEGORY = 5
ORDERS = 3  # dealings of the codes into examples, per direction
FORWARD = "List these ICD-10-CM codes with their meanings."
BACKWARD = "Name these conditions, each with its ICD-10-CM code."


def biggest_categories_first(pool: list[Any], limit: int | None, seed: int) -> list[list[Any]]:
    """Codes category by category (most billable codes first): the category line if it is in
    `pool`, then up to LEAVES_PER_CATEGORY seeded billable codes. At most `limit` codes in all."""
    rng = random.Random(seed)
    by_cat: dict[str, list[Any]] = defaultdict(list)
    for c in sorted(pool, key=lambda c: c.code):
        by_cat[c.code[:3]].append(c)
    size = Counter(c.code[:3] for c in pool if c.leaf)
    out: list[list[Any]] = []
    left = len(pool) if limit is None else limit
    for cat in sorted(by_cat, key=lambda k: (-size[k], k)):
        head = [c for c in by_cat[cat] if c.code == cat]
        leaves = [c for c in by_cat[cat] if c.leaf and c.code != cat]
        group = (head + rng.sample(leaves, min(LEAVES_PER_CATEGORY, len(leaves))))[:left]
        if group:
            out.append(group)
            left -= len(group)
        if left <= 0:
            break
    return out


def deal(categories: list[list[Any]], rng: random.Random) -> list[list[Any]]:
    """One dealing: the categories' codes round-robin (categories and codes shuffled) cut into runs
    of at most PER_ROW codes and PER_ROW_CHARS; a run never holds two codes of one category."""
    queues = [rng.sample(g, len(g)) for g in categories]
    rng.shuffle(queues)
    out: list[list[Any]] = [[]]
    while any(queues):
        for q in queues:
            if not q:
                continue
            c = q.pop()
            row = out[-1]
            size = sum(len(x.description) for x in row) + len(c.description)
            if row and (
                len(row) >= PER_ROW
                or size > PER_ROW_CHARS
                or any(x.code[:3] == c.code[:3] for x in row)
            ):
                out.append([])
            out[-1].append(c)
    return [r for r in out if r]


def list_rows(group: list[Any], forward: bool) -> Row:
    rid = f"{NAMESPACE}:" + ",".join(c.code for c in group)
    if forward:
        return sft_row(rid, FORWARD, "\n".join(f"{c.code} {c.description}" for c in group))
    return sft_row(rid, BACKWARD, "\n".join(f"{c.description}: {c.code}" for c in group))


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    """`limit` counts codes (not rows). cpt: the lists as plain text; dpo: not available."""
    if kind == "dpo":
        raise DataError(
            "source icd10cm_lists has no preference pairs",
            field="data.sources",
            fix="use the icd10cm source for DPO",
        )
    rng = random.Random(seed + 1)
    categories = biggest_categories_first(records(split), limit, seed)
    rows = [
        list_rows(group, forward)
        for _ in range(ORDERS)
        for forward in (True, False)
        for group in deal(categories, rng)
    ]
    rng.shuffle(rows)
    if kind == "cpt":
        return [{"id": r["id"], "text": r["completion"][0]["content"]} for r in rows]
    return rows
