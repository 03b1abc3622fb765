"""Plain helpers the three recipes share: model loading, LoRA, the TRL mapping, metrics, resume.

No trainer base class: each recipe calls these top to bottom (torchtune style).
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import ConfigError, MedllmError
from medllm.models import RUN_META, trainable_folder
from medllm.train.config import CptConfig, DpoConfig, RecipeConfig, SftConfig

FINAL = "final"  # output_dir/final: the trained model (full) or adapter (lora / qlora)
# what a DP-SGD run (train/dp.py) logs and its final record keeps: the accountant's spent epsilon
DP_KEYS = ("epsilon", "dp_delta", "dp_noise_multiplier", "dp_sample_rate")


@dataclass
class RunResult:
    """What a recipe returns: where the model went and the numbers it logged."""

    output_dir: Path
    final_dir: Path
    steps: int
    final_loss: float
    train_seconds: float
    trainable_params: int
    total_params: int
    train_tokens: int = 0
    peak_rss_gb: float = 0.0
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return self.train_tokens / self.train_seconds if self.train_seconds else 0.0

    def summary(self) -> dict[str, Any]:
        """JSON-ready numbers (what studies and benchmarks read back)."""
        out = {k: v for k, v in asdict(self).items() if k != "metrics"}
        out = {k: str(v) if isinstance(v, Path) else v for k, v in out.items()}
        keep = ("eval_rewards/margins", "eval_rewards/accuracies", "train_loss", *DP_KEYS)
        return {
            **out,
            "tokens_per_s": self.tokens_per_s,
            **{k: self.metrics[k] for k in keep if k in self.metrics},
        }


def check_mode(cfg: RecipeConfig) -> None:
    """QLoRA needs a CUDA GPU and bitsandbytes, fp16 a GPU; say so before loading anything."""
    import importlib.util

    import torch

    if cfg.optim.precision == "fp16" and not torch.cuda.is_available():
        raise MedllmError(
            "optim.precision fp16 needs a CUDA GPU; none is visible",
            fix="use --set optim.precision=bf16 (CPU autocast) or fp32",
        )
    if cfg.mode != "qlora":
        return

    if not torch.cuda.is_available():
        raise MedllmError(
            "mode qlora needs a CUDA GPU (4-bit bitsandbytes kernels); none is visible",
            fix="use --set mode=lora on CPU, or run on a GPU machine",
        )
    if importlib.util.find_spec("bitsandbytes") is None:
        raise MedllmError("mode qlora needs bitsandbytes", fix="pip install bitsandbytes")


def preflight(cfg: RecipeConfig) -> None:
    """The checks that need no data: mode vs hardware, and the model spec (a bad one fails before
    the training data is built)."""
    from medllm.train.registry import train_sources

    for name in cfg.data.sources:  # a misspelt source, before the model tier is converted
        train_sources.get(name)
    check_mode(cfg)
    trainable_folder(cfg.model)


def load_model_and_tokenizer(cfg: RecipeConfig) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    check_mode(cfg)
    path = trainable_folder(cfg.model)
    kw: dict[str, Any] = {"dtype": torch.float32}
    if cfg.mode == "qlora":
        from transformers import BitsAndBytesConfig

        kw["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_compute_dtype=torch.bfloat16
        )
        kw["dtype"] = torch.bfloat16
    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(path, **kw)
    if cfg.mode == "qlora":
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, cfg.optim.gradient_checkpointing)
    return model, tokenizer


def peft_config(cfg: RecipeConfig) -> Any:
    """A peft LoraConfig for lora/qlora, None for full fine-tuning."""
    if cfg.mode == "full":
        return None
    from peft import LoraConfig

    targets: Any = cfg.lora.target_modules
    if targets == ["all-linear"]:
        targets = "all-linear"
    return LoraConfig(
        r=cfg.lora.r,
        lora_alpha=cfg.lora.alpha,
        lora_dropout=cfg.lora.dropout,
        target_modules=targets,
        task_type="CAUSAL_LM",
        bias="none",
    )


def to_trl_args(cfg: RecipeConfig) -> Any:
    """The one place our config maps onto TRL's (SFTConfig for cpt/sft, DPOConfig for dpo)."""
    from trl import DPOConfig, SFTConfig

    o = cfg.optim
    common: dict[str, Any] = dict(
        output_dir=cfg.output_dir,
        max_steps=o.max_steps,
        learning_rate=o.learning_rate,
        lr_scheduler_type=o.lr_scheduler,
        warmup_steps=o.warmup_steps,
        weight_decay=o.weight_decay,
        per_device_train_batch_size=o.batch_size,
        gradient_accumulation_steps=o.grad_accum,
        gradient_checkpointing=o.gradient_checkpointing,
        save_strategy="steps",
        save_steps=o.save_steps,
        save_total_limit=o.save_total_limit,
        logging_steps=o.logging_steps,
        seed=o.seed,
        data_seed=o.seed,
        bf16=o.precision == "bf16",
        fp16=o.precision == "fp16",
        report_to=["tensorboard"] if o.tensorboard else [],  # events in output_dir/runs/
        max_length=o.max_length,
        dataloader_num_workers=0,
        disable_tqdm=False,
        include_num_input_tokens_seen="non_padding",
        dataloader_pin_memory=_has_cuda(),
        # bf16 without CUDA is CPU autocast (speed vs fp32: benchmarks/train_precision.py)
        use_cpu=o.precision == "bf16" and not _has_cuda(),
    )
    if isinstance(cfg, DpoConfig):
        return DPOConfig(
            **common,
            beta=cfg.beta,
            loss_type=[cfg.loss_type],
            precompute_ref_log_probs=cfg.precompute_ref_log_probs,
            per_device_eval_batch_size=o.batch_size,
        )
    if isinstance(cfg, SftConfig):
        return SFTConfig(**common, packing=o.packing, completion_only_loss=cfg.completion_only_loss)
    if isinstance(cfg, CptConfig):
        return SFTConfig(**common, packing=o.packing, dataset_text_field="text")
    raise ConfigError(f"no TRL mapping for {type(cfg).__name__}")


def count_params(model: Any) -> tuple[int, int]:
    """(trainable, total) parameter counts."""
    params = list(model.parameters())
    return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)


def last_checkpoint(out: Path) -> Path | None:
    """The newest complete checkpoint-* folder of `out`, or None.

    Complete = its trainer_state.json was written (the Trainer writes it last): a run killed while
    saving (disk full, SIGKILL) leaves a partial folder, which is skipped, not resumed from.
    transformers' get_last_checkpoint takes the newest folder whatever is in it, hence this filter
    over transformers' step-ordered sort_checkpoints."""
    from transformers.trainer_utils import sort_checkpoints

    if not out.is_dir():
        return None
    done = [
        Path(p) for p in sort_checkpoints(str(out)) if (Path(p) / "trainer_state.json").is_file()
    ]
    return done[-1] if done else None


def resume_checkpoint(cfg: RecipeConfig, resume: bool) -> str | None:
    """The newest complete checkpoint in output_dir when resuming; an error if there is none."""
    if not resume:
        return None
    out = Path(cfg.output_dir)
    last = last_checkpoint(out)
    if last is None:
        raise MedllmError(
            f"--resume given but {out} holds no checkpoint-* folder",
            fix="run once without --resume (checkpoints every optim.save_steps steps)",
        )
    return str(last)


def metrics_callback(path: Path) -> Any:
    """A TrainerCallback appending every log (loss, lr, grad_norm, rewards...) to a CSV file."""
    from transformers import TrainerCallback

    class MetricsCsv(TrainerCallback):  # type: ignore[misc]
        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if not logs or not state.is_world_process_zero:
                return
            row = {"step": state.global_step, "time": round(time.time(), 3), **logs}
            new = not path.exists()
            with path.open("a", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                if new:
                    writer.writerow(["step", "time", "key", "value"])
                for k, v in row.items():
                    if k not in ("step", "time") and isinstance(v, int | float):
                        writer.writerow([row["step"], row["time"], k, v])

    return MetricsCsv()


def final_loss(log_history: list[dict[str, Any]]) -> float:
    """The last logged training loss."""
    losses = [h["loss"] for h in log_history if "loss" in h]
    return float(losses[-1]) if losses else float("nan")


def peak_rss_gb() -> float:
    """This process's peak resident memory so far (Linux ru_maxrss is in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def finish(trainer: Any, cfg: RecipeConfig, tokenizer: Any, seconds: float) -> RunResult:
    """Save the model (full) or adapter (lora) to output_dir/final, with a provenance + result file."""
    final = Path(cfg.output_dir) / FINAL
    trainer.save_model(str(final))
    trainable, total = count_params(trainer.model)
    logs = trainer.state.log_history
    result = RunResult(
        output_dir=Path(cfg.output_dir),
        final_dir=final,
        steps=trainer.state.global_step,
        final_loss=final_loss(logs),
        train_seconds=seconds,
        trainable_params=trainable,
        total_params=total,
        train_tokens=trained_tokens(trainer),
        peak_rss_gb=peak_rss_gb(),
        metrics={k: float(v) for h in logs for k, v in h.items() if isinstance(v, int | float)},
    )
    if trainer.is_world_process_zero():  # under DDP/FSDP only rank 0 writes
        tokenizer.save_pretrained(final)
        meta = {
            "kind": cfg.kind,
            "mode": cfg.mode,
            "base": str(trainable_folder(cfg.model)),
            "result": result.summary(),
            "config": cfg.model_dump(mode="json"),
        }
        (final / RUN_META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return result


def trained_tokens(trainer: Any) -> int:
    """Non-padding tokens the trainer consumed (transformers counts them when asked)."""
    return int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0)


def _has_cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())
