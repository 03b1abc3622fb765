"""WHO essential medicines → CPT text, SFT pairs (medicine → therapeutic category) and DPO pairs.

Records come from the knowledge stage's parser. The split is by the medicine's normalised name
(`medicine_key`, namespace "who_medicine"), not by record id: the list has one record per section a
medicine is listed in (atropine under anaesthetics, antidotes and eye preparations), and a split by
record put 21 medicines on both sides.
"""

from __future__ import annotations

import random
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from medllm.core import WHO_MEDICINE, is_heldout
from medllm.train.data import Kind, Row, dpo_row, seeded_sample, sft_row
from medllm.train.leakage import HeldOutTerms

NAMESPACE = WHO_MEDICINE
# The two misspellings in the list, each of a medicine it also lists correctly.
_SPELLING = {"epinefrine": "epinephrine", "choloroquine": "chloroquine"}


def medicine_key(name: str) -> str:
    """A medicine's name without case, parenthesised synonyms or abbreviations and the list's
    misspellings: "Epinefrine (adrenaline)" → "epinephrine", "abacavir (ABC)" → "abacavir". Salts
    and forms stay: no medicine is listed both with and without one ("heparin sodium" only)."""
    words = re.sub(r"\([^)]*\)", " ", name.casefold().replace("\u2010", "-")).split()
    return " ".join(_SPELLING.get(w, w) for w in words)


@lru_cache(maxsize=2)
def _medicines(heldout: bool) -> list[Any]:
    from medllm.knowledge import load_medicines

    return [
        m
        for m in load_medicines()
        if m.category and is_heldout(medicine_key(m.name), NAMESPACE) == heldout
    ]


@lru_cache(maxsize=1)
def heldout_terms() -> HeldOutTerms:
    """Names of the held-out medicines, which a training medicine's name may contain ("amoxicillin"
    in "amoxicillin + clavulanic acid")."""
    return HeldOutTerms(
        names=[m.name for m in _medicines(True)], allowed=[m.name for m in _medicines(False)]
    )


@lru_cache(maxsize=2)
def records(split: str) -> list[Any]:
    """Medicines of one split; training medicines without the sentences of their notes that name a
    held-out medicine ("... may be replaced by sodium hydrogen carbonate")."""
    if split == "heldout":
        return _medicines(True)
    terms = heldout_terms()
    sentences = re.compile(r"(?<=\.)\s+")
    return [
        replace(m, notes=" ".join(terms.keep(sentences.split(m.notes)))) for m in _medicines(False)
    ]


def _category(m: Any) -> str:
    return " > ".join(m.category)


def sft_pairs(m: Any) -> list[Row]:
    rid = f"{NAMESPACE}:{m.id}"
    rows = [
        sft_row(
            rid,
            f"In the WHO Model List of Essential Medicines, which category is {m.name} listed under?",
            f"{m.name} is listed under {_category(m)}.",
        ),
        sft_row(
            rid,
            f"What kind of medicine is {m.name}?",
            f"{m.name} is one of the {m.category[0].lower()}.",
        ),
    ]
    if m.pregnancy_category:
        rows.append(
            sft_row(
                rid,
                f"What is the pregnancy category of {m.name}?",
                f"The pregnancy category of {m.name} is {m.pregnancy_category}.",
            )
        )
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
        rows.append(
            dpo_row(
                f"{NAMESPACE}:{m.id}",
                question,
                f"{m.name} is listed under {_category(m)}.",
                f"{m.name} is listed under {_category(other)}.",
            )
        )
    return rows
