"""Continued pre-training recipe: next-token loss over plain text (knowledge documents), packed.

Reads top to bottom: data, model, trainer, train (or resume), save.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.train import common
from medllm.train.config import CptConfig
from medllm.train.data import build_rows, to_dataset


def run(cfg: CptConfig, *, resume: bool = False, callbacks: Sequence[Any] = ()) -> common.RunResult:
    """Train `cfg.model` on the CPT text of `cfg.data`; the result lands in output_dir/final."""
    common.preflight(cfg)
    # 1. data: knowledge documents of train-split records + user {text} JSONL
    dataset = to_dataset(build_rows(cfg.data, "cpt"))
    # 2. model
    common.check_mode(cfg)
    checkpoint = common.resume_checkpoint(cfg, resume)
    model, tokenizer = common.load_model_and_tokenizer(cfg)
    # 3. trainer: TRL's SFTTrainer on a "text" column is plain causal-LM training with packing
    Path(cfg.output_dir).mkdir(parents=True, exist_ok=True)
    from trl import SFTTrainer  # heavy (~10 s): after the data and model checks

    trainer = SFTTrainer(
        model=model,
        args=common.to_trl_args(cfg),
        train_dataset=dataset,
        processing_class=tokenizer,
        peft_config=common.peft_config(cfg),
        callbacks=[common.metrics_callback(Path(cfg.output_dir) / "metrics.csv"), *callbacks],
    )
    # 4. train
    start = time.perf_counter()
    trainer.train(resume_from_checkpoint=checkpoint)
    seconds = time.perf_counter() - start
    # 5. save
    return common.finish(trainer, cfg, tokenizer, seconds)
