"""DPO recipe: grounded (chosen) vs corrupted (rejected) answers, reference log-probs precomputed.

With `precompute_ref_log_probs` TRL scores the reference once before training, so no second model
sits in memory (LoRA needs none anyway: the reference is the base with the adapter switched off).
Held-out pairs are scored at the end: reward margin and win rate (rewards/accuracies).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.train import common
from medllm.train.config import DpoConfig
from medllm.train.data import build_rows, to_dataset


def run(cfg: DpoConfig, *, resume: bool = False, callbacks: Sequence[Any] = ()) -> common.RunResult:
    """Train `cfg.model` on DPO pairs; metrics include eval_rewards/margins and eval_rewards/accuracies."""
    common.preflight(cfg)

    # 1. data: train pairs, and held-out pairs (never trained on) for the reward margin / win rate
    train = to_dataset(build_rows(cfg.data, "dpo"))
    heldout_rows = build_rows(cfg.data, "dpo", split="heldout") if cfg.data.sources else []
    heldout = to_dataset(heldout_rows) if heldout_rows else None
    # 2. model
    common.check_mode(cfg)
    checkpoint = common.resume_checkpoint(cfg, resume)
    model, tokenizer = common.load_model_and_tokenizer(cfg)
    # 3. trainer (ref_model=None: precomputed, or the adapter-disabled base under LoRA)
    Path(cfg.output_dir).mkdir(parents=True, exist_ok=True)
    from trl import DPOTrainer  # heavy (~10 s): after the data and model checks

    trainer = DPOTrainer(
        model=model,
        ref_model=None,
        args=common.to_trl_args(cfg),
        train_dataset=train,
        eval_dataset=heldout,
        processing_class=tokenizer,
        peft_config=common.peft_config(cfg),
        callbacks=[common.metrics_callback(Path(cfg.output_dir) / "metrics.csv"), *callbacks],
    )
    # 4. train, then score the held-out pairs
    start = time.perf_counter()
    trainer.train(resume_from_checkpoint=checkpoint)
    seconds = time.perf_counter() - start
    if heldout is not None:
        trainer.evaluate()
    # 5. save
    return common.finish(trainer, cfg, tokenizer, seconds)
