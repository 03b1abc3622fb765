"""`medllm train vlm CONFIG`: LLaVA's two-stage recipe on the generated VQA set, top to bottom.

1. data: the generated set (made into output_dir/data unless `data.vqa_dir` names one);
2. model: `VisionLanguageModel.build` (frozen encoder features cached in output_dir/features);
3. stage 1, captions ("Describe the image." → caption): the aligner (and a scratch CNN) train, the
   LM and any LoRA adapter stay frozen, as in LLaVA's feature-alignment pre-training;
4. stage 2, VQA (train split): the aligner, a scratch CNN and the LoRA adapter (lm_mode: lora);
5. save output_dir/final, score the test split (exact match after lower-casing and stripping
   punctuation; closed and open apart, per question type, against the majority train answer of the
   same question as a baseline) into output_dir/metrics.json.

A plain torch loop, not transformers' Trainer: the Trainer saves every weight of the module (the
frozen LM's too) at each checkpoint and its collators expect token tensors, where this model takes
images and strings; the loop below saves only what trains (`VisionLanguageModel.save`).
Checkpoints: output_dir/checkpoint-<stage>-<step>/, the newest of each stage kept.
"""

from __future__ import annotations

import json
import shutil
import string
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import Progress, owner_only, write_json
from medllm.train.vlm_config import VlmConfig, VlmStage
from medllm.vision import (
    FeatureCache,
    Image,
    VisionLanguageModel,
    VqaItem,
    load_captions,
    load_vqa,
    make_vqa_set,
    read_image,
)

CAPTION_PROMPT = "Describe the image."


@dataclass
class VlmResult:
    output_dir: Path
    final_dir: Path
    steps: dict[str, int]
    final_loss: dict[str, float]
    train_seconds: float
    trainable_params: int
    metrics: dict[str, Any] = field(default_factory=dict)


def run(cfg: VlmConfig, progress: Progress | None = None) -> VlmResult:
    import torch

    out = Path(cfg.output_dir)
    with owner_only(out):
        data = Path(cfg.data.vqa_dir) if cfg.data.vqa_dir else out / "data"
        if not cfg.data.vqa_dir:
            make_vqa_set(data, variants=cfg.data.variants, seed=cfg.data.seed)
        captions = [(c.image, CAPTION_PROMPT, c.caption) for c in load_captions(data, "train")]
        train = [
            (i.image, i.question, i.answer) for i in load_vqa("medllm_generated", data, "train")
        ]
        test = _spread(load_vqa("medllm_generated", data, "test"), cfg.eval_limit)
        vlm = VisionLanguageModel.build(
            cfg.model,
            encoder=cfg.encoder,
            aligner=cfg.aligner,
            aligner_options=cfg.aligner_options,
            lm_mode=cfg.lm_mode,
            lora_r=cfg.lora_r,
            cache=FeatureCache(out / "features"),
            seed=cfg.seed,
        )
        images = _ImageStore()
        torch.manual_seed(cfg.seed)
        start = time.perf_counter()
        loss1 = _stage(vlm, "captions", captions, cfg.captions, cfg, images, progress)
        loss2 = _stage(vlm, "vqa", train, cfg.vqa, cfg, images, progress)
        seconds = time.perf_counter() - start
        final = vlm.save(out / "final")
        metrics = score(vlm, test, train, images, cfg.max_new_tokens, progress)
        metrics["model"], metrics["encoder"], metrics["aligner"] = (
            cfg.model,
            cfg.encoder,
            cfg.aligner,
        )
        write_json(out / "metrics.json", metrics)
        (out / "config.json").write_text(cfg.model_dump_json(indent=2), encoding="utf-8")
    return VlmResult(
        output_dir=out,
        final_dir=final,
        steps={"captions": cfg.captions.steps, "vqa": cfg.vqa.steps},
        final_loss={"captions": loss1, "vqa": loss2},
        train_seconds=seconds,
        trainable_params=sum(p.numel() for p in vlm.trainable_parameters()),
        metrics=metrics,
    )


def _spread(items: list[VqaItem], limit: int | None) -> list[VqaItem]:
    """At most `limit` items taken evenly through the list (every source image and question type,
    where the first `limit` would be one source's)."""
    if limit is None or limit >= len(items):
        return items
    return [items[i * len(items) // limit] for i in range(limit)]


class _ImageStore:
    """Each image file read once (the set is small: 224 × 224 PNGs)."""

    def __init__(self) -> None:
        self._images: dict[Path, Image] = {}

    def __call__(self, path: Path) -> Image:
        if path not in self._images:
            self._images[path] = read_image(path)
        return self._images[path]


def _stage(
    vlm: VisionLanguageModel,
    name: str,
    rows: list[tuple[Path, str, str]],
    stage: VlmStage,
    cfg: VlmConfig,
    images: _ImageStore,
    progress: Progress | None,
) -> float:
    """Train one stage; returns its last step's loss (nan when it has no steps)."""
    import torch

    if stage.steps == 0 or not rows:
        return float("nan")
    lora = [p for n, p in vlm.named_parameters() if "lora_" in n]
    for p in lora:  # stage 1 aligns the vision side only; stage 2 trains the adapter too
        p.requires_grad_(name != "captions")
    params = vlm.trainable_parameters()
    opt = torch.optim.AdamW(params, lr=stage.learning_rate)
    order = torch.Generator().manual_seed(cfg.seed)
    vlm.train()
    loss = float("nan")
    for step in range(1, stage.steps + 1):
        pick = torch.randint(len(rows), (stage.batch_size,), generator=order).tolist()
        batch = [rows[i] for i in pick]
        value = vlm.loss(
            [images(b[0]) for b in batch], [b[1] for b in batch], [b[2] for b in batch]
        )
        value.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        loss = float(value.detach())
        _log(Path(cfg.output_dir), {"stage": name, "step": step, "loss": round(loss, 6)})
        if step % cfg.save_steps == 0 or step == stage.steps:
            _checkpoint(vlm, Path(cfg.output_dir), name, step)
        if progress:
            progress(f"stage {name}", step, stage.steps)
    return loss


def _log(out: Path, row: dict[str, Any]) -> None:
    with (out / "train_log.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def _checkpoint(vlm: VisionLanguageModel, out: Path, stage: str, step: int) -> None:
    new = out / f"checkpoint-{stage}-{step}"
    vlm.save(new)
    for old in out.glob(f"checkpoint-{stage}-*"):
        if old != new:
            shutil.rmtree(old)


def normalise(text: str) -> str:
    """Lower case, punctuation dropped, spaces collapsed: "Upper left." == "upper left"."""
    table = str.maketrans("", "", string.punctuation)
    return " ".join(text.lower().translate(table).split())


def score(
    vlm: VisionLanguageModel,
    test: list[VqaItem],
    train: list[tuple[Path, str, str]],
    images: _ImageStore,
    max_new_tokens: int,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Exact-match accuracy on `test`, closed / open / per question type, and the baseline that
    answers each question with its most frequent train answer (counts only: no text)."""
    by_question: dict[str, Counter[str]] = {}
    for _, q, a in train:
        by_question.setdefault(q, Counter())[a] += 1
    hits: dict[str, list[int]] = {}
    for n, item in enumerate(test, start=1):
        got = vlm.answer([images(item.image)], [item.question], max_new_tokens)[0]
        common = by_question.get(item.question)
        base = common.most_common(1)[0][0] if common else ""
        right = [
            normalise(got) == normalise(item.answer),
            normalise(base) == normalise(item.answer),
        ]
        for key in ("all", "closed" if item.closed else "open", f"type:{item.question_type}"):
            hits.setdefault(key, []).extend(int(r) for r in right)
        if progress:
            progress("scoring test questions", n, len(test))
    return {
        key: {"n": len(v) // 2, "accuracy": _mean(v[0::2]), "baseline_accuracy": _mean(v[1::2])}
        for key, v in sorted(hits.items())
    }


def _mean(values: list[int]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
