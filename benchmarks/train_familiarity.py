"""Familiarity check: does an SFT model answer held-out items from what it learnt about them, or
pick the options of the groups it has read? Scores the base model and the fine-tuned one on the
same held-out items in one run and splits the items by whether the answer's group was trained and
how many distractors' groups were. A group is an HPO disease's name family ("cone-rod dystrophy")
for `hpo_diagnosis*`, an ICD-10-CM code's category ("E11") for `icd10cm_concepts*`.

    .venv/bin/python benchmarks/train_familiarity.py \
        --model runs/studies/s2_finetuned_vs_base/sft_hpo_families/final [--limit 400]
    .venv/bin/python benchmarks/train_familiarity.py --task icd10cm_concepts_unseen \
        --model runs/studies/s2_finetuned_vs_base/sft_icd10cm_lists/final

If the model only learnt which names are familiar, an item whose answer group was trained and
k distractors' groups were too scores about 1/(k+1) (a pick among the familiar options), and an
item whose answer group was not trained scores about 0 once k >= 1. `acc_pmi` scores each option
by log P(option | question) - log P(option | "Answer:"): Holtzman et al. 2021's domain-conditional
PMI with "Answer:" as the domain premise (not lm-eval's acc_mutual_info, whose second term
conditions on an empty context). It removes how likely an option is on its own, so it moves only
with knowledge of which question goes with which option. `word_overlap` is a rule with no model:
pick the option that shares the most words (their first 5 letters) with the question (ties split
evenly); many HPO disease names carry their findings ("Microcephaly-seizures-..."), so it shows
how much of a task can be read off the options.
Writes benchmarks/results/train_familiarity_<run name>_<task>.json.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import at_least_one, require_artifact, versions, write_result

ROOT = Path(__file__).parents[1]


def task_namespace(task: str) -> str:
    if task.startswith("hpo_diagnosis"):
        return "hpo_disease"
    if task.startswith("icd10cm_concepts"):
        return "icd10cm"
    raise SystemExit(f"--task {task}: the split needs an hpo_diagnosis* or icd10cm_concepts* task")


def trained_groups(final: Path, namespace: str) -> set[str]:
    """Groups of the records the run at `final` trained on (rebuilt from its saved config)."""
    from medllm.models import RUN_META
    from medllm.train.config import DataSection
    from medllm.train.data import build_rows
    from medllm.train.sources import hpo
    from medllm.train.sources.hpo_families import family

    meta = json.loads((final / RUN_META).read_text(encoding="utf-8"))
    rows = build_rows(DataSection(**meta["config"]["data"]), meta["kind"])
    # a row's id is "<namespace>:<id>[,<id>...]" (icd10cm_lists rows state several codes)
    ids = {
        i
        for r in rows
        if r["id"].startswith(f"{namespace}:")
        for i in r["id"].split(":", 1)[1].split(",")
    }
    if not ids:
        raise SystemExit(
            f"{final}: this run trained on no {namespace} rows; the familiarity "
            "split needs a run of the task's own source"
        )
    if namespace == "icd10cm":
        return {i[:3] for i in ids}
    names = {d.id: d.name for d in hpo.records("train")}
    return {family(names[i]) for i in ids if i in names}


def option_groups(q: Any, namespace: str) -> tuple[str, list[str]]:
    """(the answer's group, the distractors' groups) of one item."""
    from medllm.train.sources.hpo_families import family

    if namespace == "icd10cm":  # support_ids: the answer's code, then the distractors'
        cats = [s.split(":", 1)[1][:3] for s in q.support_ids]
        return cats[0], cats[1:]
    answer = int(q.answer)
    return family(q.choices[answer]), [family(c) for i, c in enumerate(q.choices) if i != answer]


def words(text: str) -> set[str]:
    """Words of 4+ letters, cut to their first 5 (a crude stem: "seizure" ~ "seizures")."""
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 3}


def word_overlap(task: str, limit: int) -> dict[str, float]:
    """Accuracy of "pick the option sharing the most words with the question", ties split evenly
    (a by-hand rule: it is the baseline, no library scores it), and the share of items where the
    overlap singles out fewer than all options."""
    from medllm.evaluate.runner import select
    from medllm.evaluate.tasks import load_task

    credit, informative = 0.0, 0
    items = select(load_task(task), limit, seed=0)  # the sample run_eval scores (its seed 0)
    for q in items:
        asked = words(q.question)
        shared = [len(asked & words(c)) for c in q.choices]
        top = max(shared)
        best = [i for i, n in enumerate(shared) if n == top]
        credit += (q.answer in best) / len(best)
        informative += len(best) < len(q.choices)
    return {"acc": round(credit / len(items), 4), "informative": round(informative / len(items), 4)}


def breakdown(
    model: Any, task: str, limit: int, trained: set[str], namespace: str, out: Path
) -> dict[str, Any]:
    from medllm.evaluate import heldout_accuracy
    from medllm.evaluate.runner import read_samples
    from medllm.evaluate.tasks import load_task
    from medllm.models.base import LoglikRequest

    acc = heldout_accuracy(model, task, limit, out_dir=out)
    items = {q.id: q for q in load_task(task)}
    rows = list(read_samples(out / f"samples_{task}.jsonl").values())
    # P(option | "Answer:"): the domain premise of domain-conditional PMI (not lm-eval's empty one)
    alone = model.loglikelihood(
        [LoglikRequest("Answer:", f" {c}") for r in rows for c in items[r["id"]].choices]
    )
    groups: dict[str, list[bool]] = defaultdict(list)
    pmi_ok: list[bool] = []
    at = 0
    for r in rows:
        q = items[r["id"]]
        n = len(q.choices)
        pmi = [ll - a.logprob for ll, a in zip(r["loglik"], alone[at : at + n], strict=True)]
        at += n
        pmi_ok.append(max(range(n), key=pmi.__getitem__) == q.answer)
        mine, others = option_groups(q, namespace)
        k = sum(g in trained for g in others)
        answer = "answer_trained" if mine in trained else "answer_not_trained"
        groups[f"{answer}/distractors_trained={k}"].append(bool(r["correct"]))
        groups[answer].append(bool(r["correct"]))
    return {
        "acc": acc,
        "acc_pmi": sum(pmi_ok) / len(pmi_ok),
        "groups": {
            g: {"items": len(v), "acc": round(sum(v) / len(v), 3)}
            for g, v in sorted(groups.items())
        },
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="runs/studies/s2_finetuned_vs_base/sft_hpo_families/final")
    p.add_argument("--task", default="hpo_diagnosis_unseen")
    p.add_argument("--limit", type=at_least_one, default=400)
    p.add_argument("--out", default="runs/bench_familiarity")
    a = p.parse_args()
    require_artifact(ROOT, a.model)
    from medllm.evaluate import trained_model
    from medllm.models import load_model

    final = ROOT / a.model
    namespace = task_namespace(a.task)
    trained = trained_groups(final, namespace)
    out = ROOT / a.out
    shutil.rmtree(out, ignore_errors=True)  # samples of an earlier --model would be reused
    base = breakdown(load_model("hf:default"), a.task, a.limit, trained, namespace, out / "base")
    sft = breakdown(trained_model(final), a.task, a.limit, trained, namespace, out / "sft")
    overlap = word_overlap(a.task, a.limit)
    result = {
        "task": a.task,
        "items": a.limit,
        "model": a.model,
        "trained_groups": len(trained),
        "base": base,
        "sft": sft,
        "word_overlap": overlap,
        "versions": versions("torch", "transformers"),
    }
    g = sft["groups"]
    summary = (
        f"held-out {a.task}: acc {base['acc']:.3f} -> {sft['acc']:.3f}, acc_pmi "
        f"{base['acc_pmi']:.3f} -> {sft['acc_pmi']:.3f}; after SFT, answer group trained "
        f"{g['answer_trained']['acc']:.3f}, not trained {g['answer_not_trained']['acc']:.3f}; "
        f"word-overlap rule (no model) {overlap['acc']:.3f}"
    )
    cmd = f"python benchmarks/train_familiarity.py --model {a.model} --limit {a.limit} --task {a.task}"
    print(write_result(f"train_familiarity_{final.parent.name}_{a.task}", result, summary, cmd))
    print(summary)
    print(json.dumps({"base": base["groups"], "sft": g}, indent=1))


if __name__ == "__main__":
    main()
