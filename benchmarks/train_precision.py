"""fp32 vs bf16 full fine-tuning of the embedded model: the same `medllm train sft` run twice.

    .venv/bin/python benchmarks/train_precision.py [--steps 20]

Same rows (`icd10cm_lists`, 300 codes), seed, batch 4 x 256 packed tokens, lr 1e-3 cosine; only
`optim.precision` differs. Without CUDA, bf16 is CPU autocast (weights and optimiser stay fp32).
Each run is its own process. Writes benchmarks/results/train_precision.json and the README line.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import train_command, train_result, versions, write_result

ROOT = Path(__file__).parents[1]


def run(out: Path, steps: int, precision: str) -> dict[str, Any]:
    sets = [
        f"output_dir={out}",
        f"optim.max_steps={steps}",
        f"optim.save_steps={steps}",
        f"optim.precision={precision}",
        "mode=full",
        "data.sources=[icd10cm_lists]",
        "data.limit=300",
        "optim.learning_rate=1.0e-3",
        "optim.max_length=256",
        "optim.tensorboard=false",
        "system_prompt=Answer briefly.",
    ]
    subprocess.run(train_command("sft", "configs/train/sft.yaml", sets), cwd=ROOT, check=True)
    return train_result(out)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--out", default="runs/bench_precision")
    a = p.parse_args()
    out = ROOT / a.out
    shutil.rmtree(out, ignore_errors=True)
    r = {prec: run(out / prec, a.steps, prec) for prec in ("fp32", "bf16")}
    ratio = r["bf16"]["tokens_per_s"] / r["fp32"]["tokens_per_s"]
    res = {
        "steps": a.steps,
        "fp32": r["fp32"],
        "bf16": r["bf16"],
        "bf16_speedup": ratio,
        "model": "SmolLM2-135M-Instruct (hf:default), full fine-tuning",
        "versions": versions("torch", "transformers", "trl"),
    }
    summary = (
        f"full FT {a.steps} steps: fp32 {r['fp32']['tokens_per_s']:.1f} tok/s, final loss "
        f"{r['fp32']['final_loss']:.4f}; bf16 {r['bf16']['tokens_per_s']:.1f} tok/s (x{ratio:.2f}), "
        f"final loss {r['bf16']['final_loss']:.4f}"
    )
    print(
        write_result(
            "train_precision",
            res,
            summary,
            f"python benchmarks/train_precision.py --steps {a.steps}",
        )
    )
    print(summary)


if __name__ == "__main__":
    main()
