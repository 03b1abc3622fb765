"""Training configs: one pydantic model per YAML `kind:` (cpt, sft, dpo, export), and the check of
`accelerate launch` files.

Every field is documented once here; `--set key.sub=value` overrides any of them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from medllm.core import ConfigError


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LoraSection(_Strict):
    """LoRA adapter shape (used by `mode: lora` and `mode: qlora`)."""

    r: int = Field(16, ge=1, description="rank of the low-rank update")
    alpha: int = Field(32, ge=1, description="scaling numerator (update is scaled by alpha / r)")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="dropout on the adapter input")
    target_modules: list[str] = Field(
        ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
        description="module names that get an adapter ('all-linear' as the only item: every linear)",
    )


class DataSection(_Strict):
    """Where training examples come from; held-out records (medllm.core.splits) are always skipped."""

    sources: list[str] = Field(
        default_factory=list,
        description="built-in builders by name (`medllm ls train_sources`): icd10cm, icd10cm_lists, icd10cm_choice, hpo, hpo_families, hpo_choice, who_medicines",
    )
    files: list[str] = Field(
        default_factory=list,
        description="user JSONL files: alpaca, sharegpt, chat-messages, {text} (cpt) or "
        "{prompt,chosen,rejected} (dpo); the format is detected per row",
    )
    limit: int | None = Field(
        None, ge=1, description="at most this many records per built-in source (seeded sample)"
    )
    heldout_limit: int = Field(
        64, ge=0, description="held-out examples kept for evaluation (DPO eval pairs, reports)"
    )
    seed: int = Field(0, description="seed for sampling and shuffling examples")


class OptimSection(_Strict):
    """Optimiser, schedule, batching and checkpointing."""

    max_steps: int = Field(100, ge=1, description="optimiser steps to run")
    learning_rate: float = Field(2e-4, gt=0, description="peak learning rate")
    lr_scheduler: str = Field(
        "cosine", description="transformers scheduler name (linear, cosine, constant...)"
    )
    warmup_steps: int = Field(0, ge=0, description="linear warm-up steps")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay")
    batch_size: int = Field(4, ge=1, description="sequences per device per step")
    grad_accum: int = Field(1, ge=1, description="gradient accumulation steps")
    max_length: int = Field(256, ge=16, description="tokens per sequence (packed or truncated)")
    packing: bool = Field(True, description="pack several short examples into one sequence")
    gradient_checkpointing: bool = Field(False, description="recompute activations to save memory")
    save_steps: int = Field(50, ge=1, description="write a checkpoint every N steps (for --resume)")
    save_total_limit: int = Field(2, ge=1, description="checkpoints kept on disk")
    logging_steps: int = Field(1, ge=1, description="log metrics (CSV, TensorBoard) every N steps")
    seed: int = Field(0, description="seed for weights init, dropout and data order")
    precision: Literal["fp32", "bf16", "fp16"] = Field(
        "fp32",
        description="compute precision; bf16 also runs on CPU (autocast), fp16 needs a CUDA GPU",
    )
    tensorboard: bool = Field(
        True, description="also write TensorBoard events under output_dir/runs"
    )


class DpSection(_Strict):
    """Local DP-SGD (Opacus) on the trainable LoRA parameters; the privacy unit is one row."""

    epsilon: float = Field(
        ...,
        gt=0,
        description="target epsilon of the whole run (RDP accountant); .inf: no noise (clipping "
        "and sampling only, no guarantee: a control)",
    )
    delta: float | None = Field(
        None, gt=0, lt=1, description="delta of the guarantee; unset: 1 / N (N = training rows)"
    )
    max_grad_norm: float = Field(
        1.0, gt=0, description="per-example gradient clipping norm (L2, over the LoRA tensors)"
    )
    budget_steps: int | None = Field(
        None,
        ge=1,
        description="steps the epsilon budget covers; unset: optim.max_steps (a federation sets "
        "rounds x local steps: epsilon is then a site's budget for the whole federation)",
    )
    spent_steps: int = Field(
        0, ge=0, description="steps already taken under this budget (a federation's earlier rounds)"
    )


class PrivacySection(_Strict):
    """Privacy of the training run itself (de-identify the data first: `medllm deid`)."""

    dp: DpSection | None = Field(
        None, description="differentially private SGD: {epsilon, delta, max_grad_norm}; unset: off"
    )


class _Recipe(_Strict):
    model: str = Field(
        "hf:default",
        description="start model: hf:default (embedded SmolLM2, converted on first use), hf:DIR or DIR",
    )
    mode: Literal["full", "lora", "qlora"] = Field(
        "lora",
        description="full fine-tuning, LoRA, or QLoRA (4-bit base; needs CUDA + bitsandbytes)",
    )
    output_dir: str = Field(
        "runs/train", description="checkpoints, metrics.csv, final model/adapter"
    )
    lora: LoraSection = Field(default_factory=LoraSection, description="LoRA shape")
    data: DataSection = Field(default_factory=DataSection, description="training data")
    optim: OptimSection = Field(default_factory=OptimSection, description="optimisation")


class CptConfig(_Recipe):
    """Continued pre-training on plain text (knowledge documents, user {text} JSONL)."""

    kind: Literal["cpt"] = Field("cpt", description="config kind")


class SftConfig(_Recipe):
    """Supervised instruction fine-tuning on prompt → completion pairs."""

    kind: Literal["sft"] = Field("sft", description="config kind")
    completion_only_loss: bool = Field(
        True, description="loss on the answer tokens only, not the prompt"
    )
    system_prompt: str | None = Field(None, description="system message prepended to every example")
    prompt_format: Literal["chat", "text"] = Field(
        "chat",
        description="chat: rows go through the tokenizer's chat template; text: plain prompt -> "
        "' answer' strings, no template (rows that rehearse an evaluation task use that task's raw "
        "prompt, others '{system_prompt}\\n\\n{question}\\nAnswer:'), for models scored on raw prompts",
    )
    privacy: PrivacySection = Field(
        default_factory=PrivacySection, description="DP-SGD (privacy.dp)"
    )

    @field_validator("privacy")
    @classmethod
    def _dp_fits(cls, privacy: PrivacySection, info: ValidationInfo) -> PrivacySection:
        """DP-SGD here bounds what one row can change: no packing, LoRA, fp32, no recompute."""
        optim, mode = info.data.get("optim"), info.data.get("mode")
        if privacy.dp is None or optim is None:
            return privacy
        if mode != "lora":
            raise ValueError(f"privacy.dp needs mode lora (got {mode!r}): set mode: lora")
        for name, bad, fix in (
            ("packing", optim.packing, "false (the privacy unit is one row)"),
            ("gradient_checkpointing", optim.gradient_checkpointing, "false"),
            ("precision", optim.precision != "fp32", "fp32"),
        ):
            if bad:
                raise ValueError(f"privacy.dp needs optim.{name}: {fix}")
        return privacy


class DpoConfig(_Recipe):
    """Direct preference optimisation: grounded (chosen) vs corrupted (rejected) answers."""

    kind: Literal["dpo"] = Field("dpo", description="config kind")
    beta: float = Field(
        0.1, gt=0, description="DPO temperature: how far the policy may move from the reference"
    )
    loss_type: str = Field("sigmoid", description="trl DPO loss (sigmoid, ipo, hinge, ...)")
    precompute_ref_log_probs: bool = Field(
        True,
        description="score the reference once before training so no second model sits in memory",
    )


class ExportConfig(_Strict):
    """Merge an adapter, save an HF folder, write GGUF files the llamacpp backend serves."""

    kind: Literal["export"] = Field("export", description="config kind")
    model: str = Field(
        ..., description="trained model: an HF folder, or an adapter folder (its base is read)"
    )
    base: str | None = Field(
        None, description="base model for an adapter (default: the one it was trained on)"
    )
    output_dir: str = Field(
        "runs/export", description="folder for hf/, model-f16.gguf, model-<quant>.gguf"
    )
    quant: str = Field(
        "q8_0",
        description="llama.cpp quantisation type for the second GGUF (q8_0, q4_0, q4_k_m...)",
    )
    check_prompts: list[str] = Field(
        ["What does ICD-10-CM code E11.9 mean?"],
        description="prompts generated greedily by the HF model and each GGUF, for a side-by-side",
    )


RecipeConfig = CptConfig | SftConfig | DpoConfig


ACCELERATE_FIX = "see `accelerate config --help`; accelerate launch reads this file"


class AccelerateConfig(BaseModel):
    """An `accelerate launch --config_file` file (configs/accelerate/). It has no `kind:` (accelerate
    refuses keys it does not know), so `medllm validate` recognises it by `distributed_type` and
    checks it with accelerate's own config classes rather than a copy of their keys."""

    model_config = ConfigDict(extra="allow")

    @classmethod
    def check_data(cls, data: dict[str, Any], *, origin: str) -> AccelerateConfig:
        """Validate `data` (the file with any --set applied) as `accelerate launch` would."""
        from accelerate.commands.config.config_args import ClusterConfig, SageMakerConfig
        from accelerate.utils import ComputeEnvironment, DistributedType, SageMakerDistributedType

        sagemaker = data.get("compute_environment") == ComputeEnvironment.AMAZON_SAGEMAKER.value
        kind: Any = SageMakerConfig if sagemaker else ClusterConfig
        if "distributed_type" not in data:
            raise ConfigError(f'{origin}: field "distributed_type": missing', fix=ACCELERATE_FIX)
        fields = kind.process_config(dict(data))  # accelerate's defaults and renamed keys
        extra = sorted(set(fields) - set(kind.__dataclass_fields__))
        if extra:
            raise ConfigError(
                f"{origin}: unknown keys for accelerate: {', '.join(extra)}", fix=ACCELERATE_FIX
            )
        dist = SageMakerDistributedType if sagemaker else DistributedType
        for key, enum in (("compute_environment", ComputeEnvironment), ("distributed_type", dist)):
            try:
                enum(fields[key])
            except ValueError as e:
                raise ConfigError(f'{origin}: field "{key}": {e}', fix=ACCELERATE_FIX) from None
        try:
            checked = kind(**fields)
        except (TypeError, ValueError) as e:
            raise ConfigError(f"{origin}: {e}", fix=ACCELERATE_FIX) from None
        return cls.model_validate(checked.to_dict())
