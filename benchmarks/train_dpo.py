"""DPO on the embedded model: held-out reward margin / win rate, and mmlu_medical before vs after.

    .venv/bin/python benchmarks/train_dpo.py [--steps 60] [--mmlu-limit 1089]

1. `medllm train dpo configs/train/dpo.yaml` (LoRA, reference log-probs precomputed) in its own
   process; TRL scores the held-out pairs at the end: eval_rewards/margins and
   eval_rewards/accuracies (the win rate: chosen rewarded above rejected).
2. The base model and the DPO model (adapter merged) are both scored on all 1,089 mmlu_medical
   items through the hf backend (zero-shot, option log-likelihood: letter scoring is degenerate
   for this model), so only the DPO update differs.
Writes benchmarks/results/train_dpo.json and the `train_dpo` README line.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import train_command, train_result, versions, write_result

ROOT = Path(__file__).parents[1]


def mmlu(model_dir: Path, limit: int) -> float:
    """mmlu_medical, zero-shot option log-likelihood, on the hf backend (adapter merged)."""
    from medllm.evaluate import run_eval, trained_model

    summary = run_eval(
        trained_model(model_dir),
        "mmlu_medical",
        limit=limit,
        num_fewshot=0,
        mode="loglik_options",
        cache=False,
    )
    return float(summary["results"]["mmlu_medical"]["acc"])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--mmlu-limit", type=int, default=1089)
    p.add_argument("--out", default="runs/bench_dpo")
    a = p.parse_args()
    out = ROOT / a.out
    sets = [f"output_dir={out / 'run'}", f"optim.max_steps={a.steps}"]
    subprocess.run(train_command("dpo", "configs/train/dpo.yaml", sets), cwd=ROOT, check=True)
    res = train_result(out / "run")
    from medllm.models import trainable_folder as model_path

    before = mmlu(model_path("hf:default"), a.mmlu_limit)
    after = mmlu(out / "run" / "final", a.mmlu_limit)
    result = {
        "heldout_reward_margin": res.get("eval_rewards/margins"),
        "heldout_win_rate": res.get("eval_rewards/accuracies"),
        "steps": res["steps"],
        "train_seconds": res["train_seconds"],
        "peak_rss_gb": res["peak_rss_gb"],
        "mmlu_medical_acc_before": before,
        "mmlu_medical_acc_after": after,
        "mmlu_medical_delta_points": 100 * (after - before),
        "mmlu_limit": a.mmlu_limit,
        "mmlu_mode": "loglik_options, zero-shot",
        "model": "SmolLM2-135M-Instruct (hf:default), LoRA DPO, reference log-probs precomputed",
        "versions": versions("torch", "transformers", "trl", "peft", "llama-cpp-python"),
    }
    summary = (
        f"held-out pairs: reward margin {result['heldout_reward_margin']:.3f}, win rate "
        f"{result['heldout_win_rate']:.3f}; mmlu_medical acc {before:.3f} → {after:.3f} "
        f"({a.mmlu_limit} items)"
    )
    cmd = f"python benchmarks/train_dpo.py --steps {a.steps} --mmlu-limit {a.mmlu_limit}"
    print(write_result("train_dpo", result, summary, cmd))
    print(summary)


if __name__ == "__main__":
    main()
