"""ICD-10-CM codes as compact lists: many codes of one category per example, both directions.

The per-code pairs of `icd10cm` spend ~45 tokens of chat scaffolding on each fact; here one example
lists up to `PER_ROW` codes of one category ("E11.9 Type 2 diabetes mellitus without complications"
lines, or the same codes as "...: E11.9" lines), ~20 tokens per fact and direction.

What carries over to a held-out code is its training-split siblings: a model that has read many
"E11.x Type 2 diabetes mellitus ..." lines picks the right description for an unseen E11.65. So
the codes come category by category, the categories with the most billable codes first (they hold
most of any uniformly drawn set of codes), each with its category and subcategory names and up to
`LEAVES_PER_CATEGORY` of its billable codes. Each group of lines appears in `ORDERS` shuffled
orders per direction: with one fixed order a small model learns each list as a sequence (line n
predicts line n+1) instead of learning code ↔ meaning (docs/training.md, S2). The instruction does
not name the category: given it, the model copies the category from the prompt instead of
learning which codes go with which words (S2 measured 0.08 on held-out description → code). The
split is the one `icd10cm` uses (namespace "icd10cm"); a row's id lists every code it states
("icd10cm:E11,E11.9,...").
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from typing import Any

from medllm.core.errors import DataError
from medllm.train.data import Kind, Row, sft_row
from medllm.train.sources.icd10cm import NAMESPACE, records

PER_ROW = 12  # lines per example
PER_ROW_CHARS = 480  # description characters per example: with the chat template, < 256 tokens
LEAVES_PER_CATEGORY = 30
ORDERS = 3  # shuffled line orders of each group, per direction


def biggest_categories_first(pool: list[Any], limit: int | None, seed: int) -> list[Any]:
    """Codes category by category (most billable codes first); in each, the category and
    subcategories, then up to LEAVES_PER_CATEGORY seeded billable codes. At most `limit` codes."""
    rng = random.Random(seed)
    by_cat: dict[str, list[Any]] = defaultdict(list)
    for c in sorted(pool, key=lambda c: c.code):
        by_cat[c.code[:3]].append(c)
    size = Counter(c.code[:3] for c in pool if c.leaf)
    out: list[Any] = []
    for cat in sorted(by_cat, key=lambda k: (-size[k], k)):
        broad = [c for c in by_cat[cat] if len(c.code.replace(".", "")) <= 4]
        leaves = [c for c in by_cat[cat] if len(c.code.replace(".", "")) > 4]
        out += broad + rng.sample(leaves, min(LEAVES_PER_CATEGORY, len(leaves)))
    return out if limit is None else out[:limit]


def chunks(codes: list[Any]) -> list[list[Any]]:
    """Runs of at most PER_ROW codes (and PER_ROW_CHARS) in the given order, never across a category."""
    out: list[list[Any]] = []
    for c in codes:
        size = sum(len(x.description) for x in out[-1]) + len(c.description) if out else 0
        if (
            out
            and len(out[-1]) < PER_ROW
            and size <= PER_ROW_CHARS
            and out[-1][-1].code[:3] == c.code[:3]
        ):
            out[-1].append(c)
        else:
            out.append([c])
    return out


def list_rows(group: list[Any], rng: random.Random) -> list[Row]:
    rid = f"{NAMESPACE}:" + ",".join(c.code for c in group)
    rows: list[Row] = []
    for _ in range(ORDERS):
        forward = rng.sample(group, len(group))
        backward = rng.sample(group, len(group))
        rows += [
            sft_row(rid, "List these ICD-10-CM codes with their meanings.",
                    "\n".join(f"{c.code} {c.description}" for c in forward)),
            sft_row(rid, "Name these conditions, each with its ICD-10-CM code.",
                    "\n".join(f"{c.description}: {c.code}" for c in backward)),
        ]  # fmt: skip
    return rows


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
    groups = chunks(biggest_categories_first(records(split), limit, seed))
    rows = [row for group in groups for row in list_rows(group, rng)]
    if kind == "cpt":
        return [{"id": r["id"], "text": r["completion"][0]["content"]} for r in rows]
    return rows
