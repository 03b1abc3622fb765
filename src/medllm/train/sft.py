"""Supervised fine-tuning recipe: prompt → completion pairs, loss on the answer, full / LoRA / QLoRA.

Reads top to bottom: data, model, trainer, train (or resume), save.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.core import MedllmError
from medllm.train import common
from medllm.train.config import SftConfig
from medllm.train.data import build_rows, to_dataset


def with_system(rows: list[dict[str, Any]], system: str | None) -> list[dict[str, Any]]:
    if not system:
        return rows
    return [{**r, "prompt": [{"role": "system", "content": system}, *r["prompt"]]} for r in rows]


def as_text(rows: list[dict[str, Any]], system: str | None) -> list[dict[str, Any]]:
    """Conversational rows → TRL's standard prompt / completion strings (no chat template): the
    row's "text_prompt" (its evaluation task's raw prompt, so the model learns the format it is
    scored in) or "{system}\n\n{turns}\nAnswer:"; the completion is " {answer}", the
    continuation a log-likelihood evaluation scores after "Answer:"."""
    out = []
    for r in rows:
        prompt = r.get("text_prompt")
        if prompt is None:
            turns = "\n\n".join(m["content"] for m in r["prompt"])
            prompt = f"{system}\n\n{turns}\nAnswer:" if system else f"{turns}\nAnswer:"
        answer = "\n\n".join(m["content"] for m in r["completion"])
        out.append({"id": r["id"], "prompt": prompt, "completion": f" {answer}"})
    return out


def run(cfg: SftConfig, *, resume: bool = False, callbacks: Sequence[Any] = ()) -> common.RunResult:
    """Train `cfg.model` on the SFT rows of `cfg.data`; the result lands in output_dir/final."""
    common.preflight(cfg)
    # 1. data: built-in sources (train split only) + user JSONL
    rows = build_rows(cfg.data, "sft")
    if cfg.prompt_format == "text":
        rows = as_text(rows, cfg.system_prompt)
    else:
        rows = with_system(rows, cfg.system_prompt)
    dataset = to_dataset(rows)
    dp_plan = None  # DP-SGD: the noise for the target epsilon, checked before any model loads
    if cfg.privacy.dp is not None:
        if resume:
            raise MedllmError("--resume with privacy.dp is not built", fix="run it again whole")
        from medllm.train import dp

        dp_plan = dp.plan(cfg.privacy.dp, cfg.optim, len(rows))
    # 2. model (+ LoRA config; TRL wraps it)
    common.check_mode(cfg)
    checkpoint = common.resume_checkpoint(cfg, resume)
    model, tokenizer = common.load_model_and_tokenizer(cfg)
    # 3. trainer
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
    if dp_plan is not None:
        seconds = dp.train(trainer, dp_plan, cfg.optim)
    else:
        start = time.perf_counter()
        trainer.train(resume_from_checkpoint=checkpoint)
        seconds = time.perf_counter() - start
    # 5. save
    return common.finish(trainer, cfg, tokenizer, seconds)
