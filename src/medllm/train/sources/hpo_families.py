"""HPO diseases of the big disease families: phenotypic features → disease name, one row each.

What carries over to a held-out disease is its training-split family: OMIM and Orphanet name
series of related diseases ("Spinocerebellar ataxia 1", "... 2", ...; "Cone-rod dystrophy 8"), and
a model that has read which features go with many members of a family names the family for an
unseen member. A pilot (docs/training.md, S2: 1,500 diseases, 10 min on 2 CPU cores) scored 0.74 on
held-out `hpo_diagnosis_unseen` items whose family it had trained on, and 0.17 on the rest. Most
of that is familiarity, not knowledge: one pass teaches which names the model has read more than
which phenotypes go with them (`benchmarks/train_familiarity.py`, S2). This source gives only
diseases whose family has at least `MIN_FAMILY` training-split members, the biggest families
first. A row's features are the 3–6 most frequent present phenotypes, the number drawn per disease
(fewer for the 4 diseases whose annotations name a phenotype twice). The wording differs from the
evaluation prompt's. Split by disease id (namespace "hpo_disease", as `hpo`); a row's id is
"hpo_disease:<disease id>".
"""

from __future__ import annotations

import random
import re
from collections import Counter
from typing import Any

from medllm.core import DataError
from medllm.knowledge import frequent_phenotypes
from medllm.train.data import Kind, Row, sft_row
from medllm.train.sources.hpo import NAMESPACE, records

MIN_FAMILY = 2  # training-split members a family needs; a lone disease teaches only itself
# Trailing words that number or qualify a member of a series rather than name the family.
_SUFFIX = re.compile(r"[0-9]+[a-z]?|[ivx]+|[a-z]|type|autosomal|dominant|recessive|x-linked")


def family(name: str) -> str:
    """A disease's family: its name before any comma, semicolon or parenthesis, lower-cased,
    without trailing numbers, letters, "type" or inheritance words ("Cone-Rod dystrophy 8" →
    "cone-rod dystrophy"; "Spinocerebellar ataxia, autosomal recessive 12" → "spinocerebellar ataxia")."""
    words = re.split(r"[,;(]", name.lower(), maxsplit=1)[0].split()
    while words and _SUFFIX.fullmatch(words[-1]):
        words.pop()
    return " ".join(words)


def biggest_families_first(pool: list[Any]) -> list[Any]:
    """Diseases of families with ≥ MIN_FAMILY members of `pool`, biggest family first, by id within."""
    fam = {d.id: family(d.name) for d in pool}
    size = Counter(fam.values())
    keep = [d for d in pool if size[fam[d.id]] >= MIN_FAMILY]
    return sorted(keep, key=lambda d: (-size[fam[d.id]], fam[d.id], d.id))


def diagnosis_row(d: Any, rng: random.Random) -> Row:
    # The phenotypes the evaluation items would pick for this disease (never the same disease).
    feats = "; ".join(a.name for a in frequent_phenotypes(d, rng))
    return sft_row(
        f"{NAMESPACE}:{d.id}",
        f"A patient has these phenotypic features: {feats}. Which disease fits best?",
        d.name,
    )


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    """`limit` counts diseases, taken biggest family first. Rows come in shuffled order.
    cpt: each row as plain text; dpo: not available."""
    if kind == "dpo":
        raise DataError(
            "source hpo_families has no preference pairs",
            field="data.sources",
            fix="use the hpo source for DPO",
        )
    chosen = biggest_families_first(records(split))[:limit]
    rng = random.Random(seed + 1)
    rows = [diagnosis_row(d, rng) for d in chosen]
    rng.shuffle(rows)
    if kind == "cpt":
        return [
            {"id": r["id"], "text": f"{r['prompt'][0]['content']}\n{r['completion'][0]['content']}"}
            for r in rows
        ]
    return rows
