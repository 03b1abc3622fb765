"""The `vlm` recipe's config (`kind: vlm`): one pydantic model, every field documented once."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VlmData(_Strict):
    """Training images and questions: a folder `medllm vision make-vqa` wrote, or one made here."""

    vqa_dir: str | None = Field(
        None,
        description="a generated VQA folder (vqa.jsonl, captions.jsonl, images/); unset: the set "
        "is generated into output_dir/data with `variants` and `seed`",
    )
    variants: int = Field(8, ge=1, description="images per source image when generating the set")
    seed: int = Field(0, description="seed of the generated set")
    question_types: list[str] | None = Field(
        None,
        description="train and score only these question types (modality, region, mirrored, "
        "rotation, presence, side, quadrant, size); unset: all",
    )
    dev_sources: list[str] = Field(
        ["ct_head_a"],
        description="train-split source images held out of training and scored when "
        "eval_split: dev (to choose settings without the test split)",
    )


class VlmStage(_Strict):
    """One training stage: LLaVA's stage 1 (captions, aligner only) or stage 2 (VQA)."""

    steps: int = Field(20, ge=0, description="optimiser steps (0 skips the stage)")
    learning_rate: float = Field(1e-3, gt=0, description="AdamW learning rate (constant)")
    batch_size: int = Field(4, ge=1, description="image-question pairs per step")


class VlmConfig(_Strict):
    kind: Literal["vlm"] = "vlm"
    model: str = Field(
        "hf:default", description="the language model: a tier (hf:small) or an HF folder (hf:DIR)"
    )
    encoder: str = Field("vit_s14", description="vision encoder by name (`medllm ls encoders`)")
    aligner: str = Field(
        "query", description="alignment module by name (`medllm ls aligners`): projection | query"
    )
    aligner_options: dict[str, Any] = Field(
        default_factory=dict,
        description="the aligner's options (query: queries, hidden, layers, heads; projection: act)",
    )
    lm_mode: Literal["frozen", "lora"] = Field(
        "frozen", description="frozen LM, or a LoRA adapter trained in stage 2"
    )
    lora_r: int = Field(8, ge=1, description="LoRA rank (lm_mode: lora)")
    lm_dtype: Literal["float32", "bfloat16"] = Field(
        "float32",
        description="the LM's weights: bfloat16 halves its memory and, on CPUs with AMX / "
        "AVX512-BF16, its step time (the aligner trains in float32 either way)",
    )
    sampling: Literal["uniform", "balanced"] = Field(
        "uniform",
        description="training rows drawn uniformly, or a question type first (each type as often)",
    )
    output_dir: str = Field("runs/vlm", description="checkpoints, final/, metrics.json go here")
    features_dir: str | None = Field(
        None,
        description="frozen-encoder feature cache (unset: output_dir/features); runs over the "
        "same images can share one",
    )
    data: VlmData = Field(default_factory=VlmData, description="training data")
    captions: VlmStage = Field(
        default_factory=VlmStage, description="stage 1: captions, the aligner (and a scratch CNN)"
    )
    vqa: VlmStage = Field(
        default_factory=VlmStage, description="stage 2: VQA pairs, the aligner and LoRA"
    )
    save_steps: int = Field(
        50, ge=1, description="write a checkpoint every N steps of a stage (and at its end)"
    )
    eval_limit: int | None = Field(
        None,
        ge=1,
        description="score at most this many test questions, taken evenly through the split "
        "(unset: all)",
    )
    eval_split: Literal["test", "dev"] = Field(
        "test", description="score the test split (other source images) or data.dev_sources"
    )
    eval_batch_size: int = Field(16, ge=1, description="questions answered at once when scoring")
    max_new_tokens: int = Field(6, ge=1, description="answer length in tokens when scoring")
    threads: int | None = Field(
        None,
        ge=1,
        description="torch CPU threads (unset: torch's default); 1 on a machine other jobs load "
        "(two OpenMP threads then wait on each other)",
    )
    seed: int = Field(0, description="seed of the aligner's init and the batch order")

    def check_names(self) -> None:
        """Registry names resolve (`medllm validate` says 'did you mean' before a run starts)."""
        from medllm.vision import aligners, encoders

        encoders.get(self.encoder)
        aligners.get(self.aligner)
