"""Export check: the SFT model as HF (in memory, adapter merged) vs its GGUF f16 and GGUF q8_0
served by the llamacpp backend, on held-out items of one task (option log-likelihood).

    .venv/bin/python benchmarks/train_export.py [--model runs/bench_sft_vs_trl/ours/final] [--limit 100]
        [--task icd10cm_concepts_unseen]

Writes benchmarks/results/train_export.json and the `train_export` README line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import at_least_one, require_artifact, versions, write_result

ROOT = Path(__file__).parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="runs/bench_sft_vs_trl/ours/final")
    p.add_argument("--limit", type=at_least_one, default=100)
    p.add_argument("--quant", default="q8_0")
    p.add_argument("--task", default="icd10cm_concepts_unseen")
    p.add_argument("--out", default="runs/bench_export")
    a = p.parse_args()
    require_artifact(ROOT, a.model)
    from medllm.evaluate import heldout_accuracy
    from medllm.models import load_model
    from medllm.train import ExportConfig, export

    cfg = ExportConfig(model=str(ROOT / a.model), output_dir=str(ROOT / a.out), quant=a.quant)
    report = export.run(cfg)
    quant = f"gguf_{a.quant}"
    specs = {
        "hf": f"hf:{report['hf_dir']}",
        "gguf_f16": f"llamacpp:{report['gguf_f16']}",
        quant: f"llamacpp:{report['gguf_quant']}",
    }
    acc = {}
    for name, spec in specs.items():
        with load_model(spec) as m:
            acc[name] = heldout_accuracy(m, a.task, a.limit)
    result = {
        "acc_hf": acc["hf"],
        "acc_gguf_f16": acc["gguf_f16"],
        f"acc_{quant}": acc[quant],
        "delta_points_quant_vs_hf": 100 * (acc[quant] - acc["hf"]),
        "within_1_point": abs(acc[quant] - acc["hf"]) <= 0.01,
        "task": a.task,
        "items": a.limit,
        "mode": "loglik_options",
        "timings": report["timings"],
        "generations": report["generations"],
        "prompts": report["prompts"],
        "versions": versions("torch", "transformers", "gguf", "llama-cpp-python"),
    }
    summary = (
        f"held-out {a.task} acc: HF {acc['hf']:.3f}, GGUF f16 {acc['gguf_f16']:.3f}, "
        f"GGUF {a.quant} {acc[quant]:.3f} ({a.limit} items)"
    )
    cmd = (
        f"python benchmarks/train_export.py --model {a.model} --limit {a.limit} --quant {a.quant}"
        f" --task {a.task}"
    )
    print(write_result("train_export", result, summary, cmd))
    print(summary)


if __name__ == "__main__":
    main()
