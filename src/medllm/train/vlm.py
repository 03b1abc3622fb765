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
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medllm.core import ConfigError, Progress, owner_only, write_json
from medllm.train.vlm_config import VlmConfig, VlmStage
from medllm.vision import (
    FeatureCache,
    Image,
    VqaItem,
    load_captions,
    load_vqa,
    make_vqa_set,
    normalise,
    read_image,
    score_vqa,
)

if TYPE_CHECKING:
    from medllm.vision import VisionLanguageModel

__all__ = ["VlmResult", "normalise", "run", "score"]

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

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.output_dir)
    with owner_only(out):
        data = Path(cfg.data.vqa_dir) if cfg.data.vqa_dir else out / "data"
        if not cfg.data.vqa_dir:
            make_vqa_set(data, variants=cfg.data.variants, seed=cfg.data.seed)
        captions, train, test = _splits(cfg, data)
        from medllm.vision import VisionLanguageModel  # torch + transformers: not at import

        vlm = VisionLanguageModel.build(
            cfg.model,
            encoder=cfg.encoder,
            aligner=cfg.aligner,
            aligner_options=cfg.aligner_options,
            lm_mode=cfg.lm_mode,
            lora_r=cfg.lora_r,
            lm_dtype=cfg.lm_dtype,
            cache=FeatureCache(Path(cfg.features_dir) if cfg.features_dir else out / "features"),
            seed=cfg.seed,
        )
        images = _ImageStore()
        torch.manual_seed(cfg.seed)
        speed = _Speed()
        loss1 = _stage(vlm, "captions", captions, cfg.captions, cfg, images, progress, speed)
        loss2 = _stage(vlm, "vqa", train, cfg.vqa, cfg, images, progress, speed)
        final = vlm.save(out / "final")
        metrics = score(vlm, test, train, images, cfg, progress)
        metrics.update(
            model=cfg.model,
            encoder=cfg.encoder,
            aligner=cfg.aligner,
            eval_split=cfg.eval_split,
            trainable_params=sum(p.numel() for p in vlm.trainable_parameters()),
            image_tokens=vlm.image_tokens(),
            train_seconds=round(speed.seconds, 2),
            train_tokens_per_s=round(speed.tokens / speed.seconds, 1) if speed.seconds else 0.0,
        )
        write_json(out / "metrics.json", metrics)
        (out / "config.json").write_text(cfg.model_dump_json(indent=2), encoding="utf-8")
    return VlmResult(
        output_dir=out,
        final_dir=final,
        steps={"captions": cfg.captions.steps, "vqa": cfg.vqa.steps},
        final_loss={"captions": loss1, "vqa": loss2},
        train_seconds=speed.seconds,
        trainable_params=int(metrics["trainable_params"]),
        metrics=metrics,
    )


Row = tuple[Path, str, str, str]  # image, question, answer, question type


def _source(item_id: str) -> str:
    """The source key of a generated item or caption id ("ct_head_a-03-q2" → "ct_head_a")."""
    return item_id.split("-", 1)[0]


def _splits(cfg: VlmConfig, data: Path) -> tuple[list[Row], list[Row], list[VqaItem]]:
    """(captions, train rows, scored items). `eval_split: dev` holds the train split's
    `dev_sources` out of training and scores them, so settings are chosen without the test split."""
    dev = set(cfg.data.dev_sources) if cfg.eval_split == "dev" else set()
    types = set(cfg.data.question_types or ())
    captions = [
        (c.image, CAPTION_PROMPT, c.caption, "caption")
        for c in load_captions(data, "train")
        if _source(c.id) not in dev
    ]
    train_items = [
        i
        for i in load_vqa("medllm_generated", data, "train")
        if not types or i.question_type in types
    ]
    train = [
        (i.image, i.question, i.answer, i.question_type)
        for i in train_items
        if _source(i.id) not in dev
    ]
    if cfg.eval_split == "dev":
        scored = [i for i in train_items if _source(i.id) in dev]
    else:
        scored = load_vqa("medllm_generated", data, "test")
        scored = [i for i in scored if not types or i.question_type in types]
    if not scored:
        raise ConfigError(
            f"no {cfg.eval_split} questions to score (dev_sources {sorted(dev)})",
            fix="name train sources of the generated set in data.dev_sources (e.g. ct_head_a)",
        )
    return captions, train, _spread(scored, cfg.eval_limit)


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


@dataclass
class _Speed:
    """Training wall time and the LM tokens (image prefix + text) it ran, over both stages."""

    seconds: float = 0.0
    tokens: int = 0


def _stage(
    vlm: VisionLanguageModel,
    name: str,
    rows: list[Row],
    stage: VlmStage,
    cfg: VlmConfig,
    images: _ImageStore,
    progress: Progress | None,
    speed: _Speed,
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
    order = _Sampler(rows, cfg.sampling, cfg.seed)
    vlm.train()
    loss = float("nan")
    for step in range(1, stage.steps + 1):
        batch = order.batch(stage.batch_size)
        t0 = time.perf_counter()
        value = vlm.loss(
            [images(b[0]) for b in batch], [b[1] for b in batch], [b[2] for b in batch]
        )
        value.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad()
        speed.seconds += time.perf_counter() - t0
        speed.tokens += vlm.last_tokens
        loss = float(value.detach())
        _log(Path(cfg.output_dir), {"stage": name, "step": step, "loss": round(loss, 6)})
        if step % cfg.save_steps == 0 or step == stage.steps:
            _checkpoint(vlm, Path(cfg.output_dir), name, step)
        if progress:
            progress(f"stage {name}", step, stage.steps)
    return loss


class _Sampler:
    """Batches of rows drawn with replacement: `uniform` over rows, or `balanced` — a question type
    first, uniformly, then a row of it (each type as often, whatever its count)."""

    def __init__(self, rows: list[Row], how: str, seed: int) -> None:
        import torch

        self.rows, self.how = rows, how
        self.gen = torch.Generator().manual_seed(seed)
        self.by_type: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            self.by_type.setdefault(r[3], []).append(i)
        self.types = sorted(self.by_type)

    def batch(self, size: int) -> list[Row]:
        import torch

        if self.how == "uniform":
            return [
                self.rows[i] for i in torch.randint(len(self.rows), (size,), generator=self.gen)
            ]
        out = []
        for t in torch.randint(len(self.types), (size,), generator=self.gen).tolist():
            pool = self.by_type[self.types[t]]
            out.append(self.rows[pool[int(torch.randint(len(pool), (1,), generator=self.gen))]])
        return out


def _log(out: Path, row: dict[str, Any]) -> None:
    with (out / "train_log.jsonl").open("a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def _checkpoint(vlm: VisionLanguageModel, out: Path, stage: str, step: int) -> None:
    new = out / f"checkpoint-{stage}-{step}"
    vlm.save(new)
    for old in out.glob(f"checkpoint-{stage}-*"):
        if old != new:
            shutil.rmtree(old)


def score(
    vlm: VisionLanguageModel,
    test: list[VqaItem],
    train: list[Row],
    images: _ImageStore,
    cfg: VlmConfig,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Scores of `test` (exact match closed / open / per type, open recall and BLEU-1, each with
    the most-frequent-train-answer baseline; `medllm.vision.score_vqa`), answered in batches of
    `eval_batch_size`, and `latency_s`: the median seconds to answer one question alone."""
    answers: list[str] = []
    for start in range(0, len(test), cfg.eval_batch_size):
        chunk = test[start : start + cfg.eval_batch_size]
        answers += vlm.answer(
            [images(i.image) for i in chunk],
            [i.question for i in chunk],
            cfg.max_new_tokens,
            batch_size=cfg.eval_batch_size,
        )
        if progress:
            progress("scoring questions", len(answers), len(test))
    metrics = score_vqa(test, answers, [(q, a) for _, q, a, _ in train])
    times = []
    for item in test[:5]:
        t0 = time.perf_counter()
        vlm.answer([images(item.image)], [item.question], cfg.max_new_tokens, batch_size=1)
        times.append(time.perf_counter() - t0)
    metrics["latency_s"] = round(statistics.median(times), 4) if times else 0.0
    return metrics
