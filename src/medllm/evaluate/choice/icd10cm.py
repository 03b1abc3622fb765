"""ICD-10-CM concepts as multiple choice in the evaluation task's own words, over training codes.

The counterpart of `hpo_choice` for `icd10cm_concepts`: "What is the description of the ICD-10-CM
code K12.31?" with four descriptions (or "Which ICD-10-CM code means "..."?" with four codes) of
one chapter, answered with the option. A held-out code is a fact the model never read, but its
category ("K12: Stomatitis and related lesions") is shared with training codes, and the options of
an item are codes of other categories: the skill the held-out items ask for is "match the code's
category to the option's words", which a row of this kind rehearses and a bare "code → text" row
(`icd10cm`, `icd10cm_lists`) does not. The items come from the task's generator
(`medllm.evaluate.loaders.icd10cm.generate`) on the training split with training-split distractors
(`unseen`), half in each direction; the seed differs from the task's. Split by code (namespace
"icd10cm"); a row's id is "icd10cm:<answer code>".
"""

from __future__ import annotations

from medllm.core import Question
from medllm.evaluate.choice.rows import choice_rows, generated
from medllm.evaluate.loaders.icd10cm import NAMESPACE, generate
from medllm.train import Kind, Row, icd10cm_heldout_terms


def build(
    kind: Kind, *, split: str = "train", limit: int | None = None, seed: int = 0
) -> list[Row]:
    """`limit` counts items (codes). cpt: question, options and answer as plain text; dpo: the
    answer vs a distractor."""
    items = generated(generate, split, seed, icd10cm_heldout_terms())
    return choice_rows(kind, items, NAMESPACE, _code, "icd10cm_concepts", limit=limit, seed=seed)


def _code(q: Question) -> str:
    """The answer's code: support ids are "icd10cm:<code>"."""
    return q.support_ids[0].split(":", 1)[1]
