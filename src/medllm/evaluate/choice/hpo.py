"""HPO diagnosis as multiple choice: "A patient presents with: A; B; C. Which disease ...?" with four
training-split diseases of one organ system listed, answered with the disease's name.

Why a choice and not a bare "features → name" row (`hpo`, `hpo_families`): a bare row can only be
learnt as a fact about one disease, and a held-out disease is a fact the model never read; one pass
of such rows taught the 135M model which names are familiar, not which findings go with which
disease (docs/training.md, S2). A choice row asks for the skill the held-out items need: read the
findings, read the options, pick the option they point to (many disease names carry their findings,
"Microcephaly-seizures-..."; on `hpo_diagnosis_unseen` a plain word-overlap rule scores 0.41
against 0.22 for the base model). The items come from the evaluation task's own generator
(`medllm.evaluate.loaders.hpo.generate`) on the training split with training-split distractors
(`unseen`), so answer and distractors are training diseases and the wording is the task's; the
seed differs from the task's, so the few-shot pool is not replayed. Split by disease id (namespace
"hpo_disease"), less the items with an option named like a held-out disease; a row's id is
"hpo_disease:<answer id>".
"""

from __future__ import annotations

from medllm.evaluate.choice.rows import choice_rows, generated
from medllm.evaluate.loaders.hpo import NAMESPACE, generate
from medllm.train import Kind, Row, hpo_heldout_names, hpo_heldout_terms


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    """`limit` counts items (diseases). cpt: question, options and answer as plain text; dpo: the
    answer vs a distractor, both as the option's name."""
    items = generated(generate, split, seed, hpo_heldout_terms())
    if (
        split != "heldout"
    ):  # no option named like a held-out disease (see train's hpo_heldout_names)
        held = hpo_heldout_names()
        items = [q for q in items if not any(c.lower() in held for c in q.choices)]
    return choice_rows(
        kind, items, NAMESPACE, lambda q: q.support_ids[0], "hpo_diagnosis", limit=limit, seed=seed
    )
