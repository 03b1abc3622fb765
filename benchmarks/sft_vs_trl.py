"""Our LoRA SFT recipe vs a plain TRL `SFTTrainer` script: same model (embedded SmolLM2-135M, hf),
same rows (training split of ICD-10-CM / HPO / WHO medicines), same hyper-parameters (steps, batch,
max_length, learning rate, schedule, LoRA r/alpha/targets, seed).

What differs is only what the recipe adds by default: packing (best-fit, padding-free) vs TRL's
default padded batches. Throughput = non-padding tokens trained / training wall time.
Each training run is its own process (so peak RAM is per run); one command runs them all:

    .venv/bin/python benchmarks/sft_vs_trl.py [--steps 30] [--limit 100] [--full-steps 2]

Writes benchmarks/results/sft_vs_trl.json (tokens_per_s_ratio, lora_peak_ram_gb, full_peak_ram_gb,
heldout_acc_base, heldout_acc_sft) and the `sft_vs_trl` line of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import at_least_one, train_command, train_result, versions, write_result

ROOT = Path(__file__).parents[1]
CONFIG = ROOT / "configs" / "train" / "sft.yaml"
TASK = "icd10cm_concepts"


def recipe_config(steps: int, out: Path, extra: list[str] = ()) -> Any:  # type: ignore[assignment]
    from medllm.core.config import load_config
    from medllm.train.config import SftConfig

    sets = [f"optim.max_steps={steps}", f"output_dir={out}", "optim.save_steps=1000", *extra]
    return load_config(CONFIG, SftConfig, sets), sets


def run_ours(steps: int, out: Path, extra: list[str] = ()) -> dict[str, Any]:  # type: ignore[assignment]
    """`medllm train sft configs/train/sft.yaml --set ...` as its own process."""
    _, sets = recipe_config(steps, out, extra)
    subprocess.run(train_command("sft", str(CONFIG), sets), check=True, cwd=ROOT)
    return train_result(out)


def plain_trl(steps: int, out: Path) -> dict[str, Any]:
    """The peer: what a user writes with TRL directly (runs inside its own process)."""
    import resource

    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    from medllm.models import trainable_folder as model_path
    from medllm.train.data import build_rows, to_dataset

    cfg, _ = recipe_config(steps, out)
    o = cfg.optim
    path = model_path(cfg.model)
    dataset = to_dataset(build_rows(cfg.data, "sft"))  # the very rows our recipe trains on
    args = SFTConfig(
        output_dir=str(out),
        max_steps=o.max_steps,
        learning_rate=o.learning_rate,
        lr_scheduler_type=o.lr_scheduler,
        per_device_train_batch_size=o.batch_size,
        max_length=o.max_length,
        seed=o.seed,
        logging_steps=1,
        save_strategy="no",
        report_to=[],
        include_num_input_tokens_seen="non_padding",
        dataloader_pin_memory=False,
        bf16=False,  # TRL defaults to bf16, which a CPU run must turn off
    )
    lora = LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=cfg.lora.target_modules,
        task_type="CAUSAL_LM",
    )
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path)
    trainer = SFTTrainer(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer, peft_config=lora
    )
    start = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - start
    tokens = int(trainer.state.num_input_tokens_seen)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    return {
        "steps": trainer.state.global_step,
        "train_seconds": seconds,
        "train_tokens": tokens,
        "tokens_per_s": tokens / seconds,
        "final_loss": losses[-1],
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    }


def run_peer(steps: int, out: Path) -> dict[str, Any]:
    subprocess.run(
        [sys.executable, __file__, "--peer", str(out), "--steps", str(steps)], check=True, cwd=ROOT
    )
    return dict(json.loads((out / "peer.json").read_text()))


def heldout(model: Any, limit: int) -> float:
    from medllm.evaluate import heldout_accuracy

    return heldout_accuracy(model, TASK, limit)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=30, help="optimiser steps for both LoRA runs")
    p.add_argument(
        "--full-steps", type=int, default=2, help="steps of the full-FT run (peak RAM only)"
    )
    p.add_argument("--limit", type=at_least_one, default=100, help=f"held-out {TASK} items scored")
    p.add_argument("--out", default="runs/bench_sft_vs_trl", help="scratch folder for the runs")
    p.add_argument("--peer", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.peer:  # child process: the plain TRL script
        Path(a.peer).mkdir(parents=True, exist_ok=True)
        (Path(a.peer) / "peer.json").write_text(json.dumps(plain_trl(a.steps, Path(a.peer))))
        return
    from medllm.evaluate import trained_model
    from medllm.models import load_model

    out = ROOT / a.out
    # Both tools train afresh in this invocation: a timing ratio across runs made at different
    # times (machine load differs) means nothing.
    shutil.rmtree(out, ignore_errors=True)
    ours = run_ours(a.steps, out / "ours")
    peer = run_peer(a.steps, out / "trl")
    full = run_ours(a.full_steps, out / "full", ["mode=full", "optim.learning_rate=2.0e-5"])
    acc_base = heldout(load_model("hf:default"), a.limit)
    acc_sft = heldout(trained_model(out / "ours" / "final"), a.limit)
    ratio = ours["tokens_per_s"] / peer["tokens_per_s"]
    result = {
        "tokens_per_s_ratio": ratio,
        "tokens_per_s_ours": ours["tokens_per_s"],
        "tokens_per_s_trl": peer["tokens_per_s"],
        "lora_peak_ram_gb": ours["peak_rss_gb"],
        "trl_lora_peak_ram_gb": peer["peak_rss_gb"],
        "full_peak_ram_gb": full["peak_rss_gb"],
        "heldout_acc_base": acc_base,
        "heldout_acc_sft": acc_sft,
        "heldout_task": TASK,
        "heldout_items": a.limit,
        "heldout_mode": "loglik_options",
        "steps": a.steps,
        "ours": ours,
        "trl": peer,
        "full": full,
        "model": "SmolLM2-135M-Instruct (embedded, hf:default fp32)",
        "differences": "ours packs examples (TRL bfd, padding-free); plain TRL uses its defaults (padded)",
        "versions": versions("torch", "transformers", "trl", "peft", "accelerate"),
    }
    summary = (
        f"ours {ours['tokens_per_s']:.1f} tok/s vs TRL {peer['tokens_per_s']:.1f} tok/s (×{ratio:.2f}); "
        f"peak RAM LoRA {ours['peak_rss_gb']:.2f} GB, full {full['peak_rss_gb']:.2f} GB; "
        f"held-out {TASK} acc {acc_base:.3f} → {acc_sft:.3f} after {a.steps} LoRA steps"
    )
    cmd = "python benchmarks/sft_vs_trl.py" + (f" --steps {a.steps}" if a.steps != 30 else "")
    print(write_result("sft_vs_trl", result, summary, cmd))
    print(summary)


if __name__ == "__main__":
    main()
