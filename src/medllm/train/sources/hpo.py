"""HPO diseases → CPT text, SFT pairs (features → disease, disease → features) and DPO pairs.

Records come from the knowledge stage's parser; the split is by disease id (namespace "hpo_disease").
"""

from __future__ import annotations

import random
from functools import lru_cache
from typing import Any

from medllm.core import HPO_DISEASE, is_heldout
from medllm.train.data import Kind, Row, dpo_row, seeded_sample, sft_row
from medllm.train.leakage import HeldOutTerms

NAMESPACE = HPO_DISEASE
MAX_FEATURES = 8  # features listed per disease: enough to identify it, short enough to train on


def features(d: Any) -> list[str]:
    return [a.name for a in d.phenotypes if not a.negated][:MAX_FEATURES]


def listed(d: Any) -> str:
    """The features joined by "; ": names hold commas ("Intellectual disability, mild"), and a
    comma-joined list reads "Cortical cataract, Lamellar cataract" as the disease "Cataract,
    lamellar"."""
    return "; ".join(features(d))


@lru_cache(maxsize=1)
def heldout_names() -> frozenset[str]:
    """Lower-cased names of the held-out diseases. Some diseases have two ids of one name (an OMIM
    and an ORPHA entry) that the split can put on both sides; a training disease named like a
    held-out one would teach that held-out item, so the training split leaves it out."""
    from medllm.knowledge import load_diseases

    return frozenset(
        d.name.lower() for d in load_diseases().values() if is_heldout(d.id, NAMESPACE)
    )


@lru_cache(maxsize=1)
def heldout_terms() -> HeldOutTerms:
    """Held-out disease names that a training row must not say, outside a training disease's own
    name (its family: "Fanconi anemia" in "Fanconi anemia, complementation group N") or a
    phenotype's name. The held-out diseases named like a phenotype ("Vaginal atresia") are left out:
    every row that lists the phenotype says them, and no training disease bears one (`records`)."""
    from medllm.knowledge import load_diseases, load_terms

    phenotypes = [t.name for t in load_terms().values()]
    train = [d.name for d in load_diseases().values() if not is_heldout(d.id, NAMESPACE)]
    return HeldOutTerms(
        names=heldout_names() - {p.lower() for p in phenotypes}, allowed=[*train, *phenotypes]
    )


@lru_cache(maxsize=2)
def records(split: str) -> list[Any]:
    """Diseases of one split with at least three present phenotypes (fewer do not identify one);
    the training split without the diseases named like a held-out one."""
    from medllm.knowledge import load_diseases

    if split == "heldout":
        return [
            d
            for d in load_diseases().values()
            if len(features(d)) >= 3 and is_heldout(d.id, NAMESPACE)
        ]
    held = heldout_names()
    return [
        d
        for d in load_diseases().values()
        if len(features(d)) >= 3 and not is_heldout(d.id, NAMESPACE) and d.name.lower() not in held
    ]


def sft_pairs(d: Any) -> list[Row]:
    rid, feats = f"{NAMESPACE}:{d.id}", listed(d)
    return [
        sft_row(
            rid,
            f"A patient has these phenotypic features: {feats}. Which disease fits best?",
            f"The features fit {d.name}.",
        ),
        sft_row(
            rid,
            f"What are typical phenotypic features of {d.name}?",
            f"Typical features of {d.name} include: {feats}.",
        ),
    ]


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    pool = records(split)
    chosen = seeded_sample(pool, limit, seed)
    if kind == "cpt":
        from medllm.knowledge import disease_document

        return [{"id": f"{NAMESPACE}:{d.id}", "text": disease_document(d).text} for d in chosen]
    if kind == "sft":
        return [row for d in chosen for row in sft_pairs(d)]
    rng = random.Random(seed + 1)
    rows = []
    for d in chosen:
        # Rejected: another disease's features presented as this one's (a plausible hallucination).
        other = pool[rng.randrange(len(pool))]
        while other.id == d.id:
            other = pool[rng.randrange(len(pool))]
        question = f"What are typical phenotypic features of {d.name}?"
        rows.append(
            dpo_row(
                f"{NAMESPACE}:{d.id}",
                question,
                f"Typical features of {d.name} include: {listed(d)}.",
                f"Typical features of {d.name} include: {listed(other)}.",
            )
        )
    return rows
