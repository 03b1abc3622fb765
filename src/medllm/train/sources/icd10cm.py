"""ICD-10-CM codes → CPT text, SFT pairs (code ↔ description, multiple choice) and DPO pairs.

Records come from the knowledge stage's parser; the split is by code (namespace "icd10cm"). A
training code's notes can name a held-out code ("Excludes1: typhoid fever (A01.0)"): the training
split drops those note lines (`heldout_terms`, `records`).
"""

from __future__ import annotations

import random
from dataclasses import replace
from functools import lru_cache
from typing import Any

from medllm.core import ICD10CM, LETTERS, is_heldout
from medllm.train.data import Kind, Row, dpo_row, seeded_sample, sft_row
from medllm.train.leakage import HeldOutTerms

NAMESPACE = ICD10CM
NOTE_FIELDS = (
    "inclusion_terms",
    "includes",
    "excludes1",
    "excludes2",
    "code_first",
    "code_also",
    "use_additional_code",
    "notes",
)


@lru_cache(maxsize=2)
def _codes(heldout: bool) -> list[Any]:
    from medllm.knowledge import load_codes

    # Codes with a 7th character repeat their parent + ", initial encounter" etc.: left out.
    return [
        c
        for c in load_codes()
        if c.description
        and len(c.code.replace(".", "")) <= 6
        and is_heldout(c.code, NAMESPACE) == heldout
    ]


@lru_cache(maxsize=1)
def heldout_terms() -> HeldOutTerms:
    """What a training row must not say: every held-out code, and the descriptions of the held-out
    billable codes (the evaluation items' answers and options), outside a training code's own
    description ("Myopia, right eye" may be said as part of "Degenerative myopia, right eye") and
    the chapter and block titles (the held-out A09 ends "Block A00-A09: Intestinal infectious
    diseases")."""
    held, train = _codes(True), _codes(False)
    titles = {t for c in train for t in (c.chapter, c.block)}
    return HeldOutTerms(
        codes=[c.code for c in held],
        names=[c.description for c in held if c.leaf],
        allowed=[*(c.description for c in train), *titles],
    )


@lru_cache(maxsize=2)
def records(split: str) -> list[Any]:
    """Codes of one split that carry a real description (chapters/blocks are not codes). Training
    codes say no held-out term: a code described like a held-out billable code is left out (as a
    parent and its one child are: "A41.8" / "A41.89 Other specified sepsis"), and a note line that
    names a held-out code or description is dropped from the code's notes."""
    if split == "heldout":
        return _codes(True)
    terms = heldout_terms()
    return [
        replace(c, **{f: terms.keep(getattr(c, f)) for f in NOTE_FIELDS})
        for c in _codes(False)
        if not terms.spans(c.description)
    ]


def sft_pairs(c: Any) -> list[Row]:
    """Both directions (a model taught only "code → text" does not learn "text → code")."""
    rid = f"{NAMESPACE}:{c.code}"
    return [
        sft_row(
            rid,
            f"What does ICD-10-CM code {c.code} mean?",
            f"ICD-10-CM code {c.code} means: {c.description}.",
        ),
        sft_row(
            rid,
            f"Which ICD-10-CM code means: {c.description}?",
            f"The ICD-10-CM code for {c.description} is {c.code}.",
        ),
    ]


def mc_pair(c: Any, peers: list[Any], rng: random.Random) -> Row:
    """MedConceptsQA-style: pick the description among four codes of the same chapter (train split)."""
    others = [p for p in rng.sample(peers, min(6, len(peers))) if p.description != c.description]
    options = [c, *others[:3]]
    rng.shuffle(options)
    listed = "\n".join(f"{LETTERS[i]}. {o.description}" for i, o in enumerate(options))
    answer = options.index(c)
    return sft_row(
        f"{NAMESPACE}:{c.code}",
        f"What is the description of the ICD-10-CM code {c.code}?\n{listed}",
        f"{LETTERS[answer]}. {c.description}",
    )


def dpo_pair(c: Any, wrong: Any) -> Row:
    """Chosen: the code's true meaning. Rejected: another code's meaning stated as if it were this one."""
    question = f"What does ICD-10-CM code {c.code} mean?"
    return dpo_row(
        f"{NAMESPACE}:{c.code}",
        question,
        f"ICD-10-CM code {c.code} means: {c.description}.",
        f"ICD-10-CM code {c.code} means: {wrong.description}.",
    )


def broad_first(pool: list[Any], limit: int | None, seed: int) -> list[Any]:
    """Categories, then subcategories, then leaves (seeded order within each), at most `limit`.

    A category's name ("A02: Other salmonella infections") is what generalises to its held-out
    children, so a limited budget buys the most held-out knowledge this way.
    """
    return sorted(seeded_sample(pool, None, seed), key=lambda c: len(c.code))[:limit]


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    pool = records(split)
    chosen = broad_first(pool, limit, seed)
    if kind == "cpt":
        from medllm.knowledge import icd10cm_document as to_document

        return [{"id": f"{NAMESPACE}:{c.code}", "text": to_document(c).text} for c in chosen]
    rng = random.Random(seed + 1)
    if kind == "sft":
        by_chapter: dict[str, list[Any]] = {}
        for c in pool:
            by_chapter.setdefault(c.chapter, []).append(c)
        # Billable (leaf) codes also get a multiple-choice row in the evaluation task's style.
        return [
            row
            for c in chosen
            for row in [
                *sft_pairs(c),
                *([mc_pair(c, by_chapter[c.chapter], rng)] if c.leaf else []),
            ]
        ]
    # The wrong meaning comes from a code in another chapter, so the pair is unambiguous.
    return [dpo_pair(c, _other_chapter(c, pool, rng)) for c in chosen]


def _other_chapter(c: Any, pool: list[Any], rng: random.Random) -> Any:
    while True:
        other = pool[rng.randrange(len(pool))]
        if other.chapter != c.chapter:
            return other
