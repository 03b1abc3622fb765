"""ICD-10-CM codes as compact lists: many codes per example, both directions.

The per-code pairs of `icd10cm` spend ~45 tokens of chat scaffolding on each fact; here one example
lists up to `PER_ROW` consecutive codes of one chapter ("A00 Cholera" lines, then the same codes as
"Cholera: A00" lines), ~12 tokens per fact and direction. On a CPU budget this buys several passes
over every training-split category instead of one. Broad codes first (categories, then
subcategories) as in `icd10cm`; the split is the same (namespace "icd10cm"), and a row's id lists
every code it states ("icd10cm:A00,A01,...").
"""

from __future__ import annotations

from typing import Any

from medllm.core.errors import DataError
from medllm.train.data import Kind, Row, sft_row
from medllm.train.sources.icd10cm import NAMESPACE, broad_first, records

PER_ROW = 12  # lines per example
PER_ROW_CHARS = 560  # description characters per example: with the chat template, < 256 tokens


def chunks(codes: list[Any]) -> list[list[Any]]:
    """Consecutive runs of at most PER_ROW codes (and PER_ROW_CHARS), never across a chapter."""
    out: list[list[Any]] = []
    for c in sorted(codes, key=lambda c: c.code):
        size = sum(len(x.description) for x in out[-1]) + len(c.description) if out else 0
        if (
            out
            and len(out[-1]) < PER_ROW
            and size <= PER_ROW_CHARS
            and out[-1][-1].chapter == c.chapter
        ):
            out[-1].append(c)
        else:
            out.append([c])
    return out


def list_rows(group: list[Any]) -> list[Row]:
    rid = f"{NAMESPACE}:" + ",".join(c.code for c in group)
    first, last = group[0].code, group[-1].code
    return [
        sft_row(rid, f"List the ICD-10-CM codes from {first} to {last} with their meanings.",
                "\n".join(f"{c.code} {c.description}" for c in group)),
        sft_row(rid, f"Name the conditions coded {first} to {last} in ICD-10-CM, each with its code.",
                "\n".join(f"{c.description}: {c.code}" for c in group)),
    ]  # fmt: skip


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
    rows = [
        row
        for group in chunks(broad_first(records(split), limit, seed))
        for row in list_rows(group)
    ]
    if kind == "cpt":
        return [{"id": r["id"], "text": r["completion"][0]["content"]} for r in rows]
    return rows
