"""Trained models as loadable folders: which base an adapter belongs to, and merging it in.

`load_model("hf:RUN/final")` goes through here when the folder holds a PEFT adapter rather than a
full model, so a training run's output loads like any other model; `train export` saves the merge.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medllm.core import ConfigError, ModelError

# Written by `medllm train` next to the trained weights: kind, mode, and the base model's folder.
RUN_META = "medllm-train.json"


def trainable_folder(spec: str) -> Path:
    """`hf:<tier>` (`hf:default` = `hf:small`; converted on first use), `hf:DIR` or `DIR` → a
    transformers model folder."""
    from medllm.models.hf import target_path

    if spec.startswith(("llamacpp:", "openai:", "rag:")):
        raise ConfigError(
            f"model {spec!r} cannot be trained",
            fix="train from a model tier (hf:small, hf:medium, hf:large) or an HF folder (hf:DIR)",
        )
    path = target_path(spec.removeprefix("hf:"))
    if not (path / "config.json").is_file():
        raise ModelError(
            f"{path}: not a transformers model folder (no config.json)",
            fix="give a model tier (hf:small, hf:medium, hf:large) or a folder from save_pretrained / `medllm models convert`",
        )
    return path


def is_adapter(folder: Path) -> bool:
    return (folder / "adapter_config.json").is_file() and not (folder / "config.json").is_file()


def adapter_base(adapter_dir: Path) -> Path:
    """The base model an adapter was trained on: the run's record, else PEFT's own note."""
    meta = adapter_dir / RUN_META
    if meta.is_file():
        return Path(json.loads(meta.read_text(encoding="utf-8"))["base"])
    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    return trainable_folder(cfg.get("base_model_name_or_path") or "hf:default")


def load_merged(model_dir: Path, base: str | None = None, dtype: Any = None) -> tuple[Any, Any]:
    """(model, tokenizer) of a full model folder, or of an adapter merged into its base weights."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = dtype or torch.float32
    if (model_dir / "config.json").is_file():
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=dtype)
        return model, AutoTokenizer.from_pretrained(model_dir)
    if not (model_dir / "adapter_config.json").is_file():
        raise ModelError(
            f"{model_dir}: neither a model (config.json) nor an adapter (adapter_config.json)",
            fix="point at a training run's final/ folder",
        )
    from peft import PeftModel

    base_dir = trainable_folder(base) if base else adapter_base(model_dir)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=dtype)
    merged = PeftModel.from_pretrained(model, model_dir).merge_and_unload()
    return merged, AutoTokenizer.from_pretrained(model_dir)
