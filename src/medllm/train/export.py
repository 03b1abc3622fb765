"""Export a trained model for deployment: merge LoRA → HF folder → GGUF f16 → GGUF quantised,
checking outputs before and after (greedy generations side by side, held-out accuracy).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from medllm.core.errors import ModelError
from medllm.core.jsonl import write_json
from medllm.train.common import META, model_path
from medllm.train.config import ExportConfig


def load_merged(model_dir: Path, base: str | None = None) -> tuple[Any, Any]:
    """(model, tokenizer) with any LoRA adapter merged into the base weights."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if (model_dir / "config.json").is_file():
        return AutoModelForCausalLM.from_pretrained(
            model_dir, dtype=torch.float32
        ), AutoTokenizer.from_pretrained(model_dir)
    if not (model_dir / "adapter_config.json").is_file():
        raise ModelError(f"{model_dir}: neither a model (config.json) nor an adapter (adapter_config.json)",
                         fix="point at a training run's final/ folder")  # fmt: skip
    from peft import PeftModel

    base_dir = model_path(base) if base else _trained_base(model_dir)
    model = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, model_dir).merge_and_unload()
    return merged, AutoTokenizer.from_pretrained(model_dir)


def _trained_base(adapter_dir: Path) -> Path:
    meta = adapter_dir / META
    if meta.is_file():
        return Path(json.loads(meta.read_text(encoding="utf-8"))["base"])
    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    return model_path(cfg.get("base_model_name_or_path") or "hf:default")


def greedy_outputs(model: Any, prompts: list[str], max_tokens: int = 32) -> list[str]:
    from medllm.core.records import ChatMessage
    from medllm.models.base import GenerationParams

    params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
    return [model.chat([ChatMessage("user", p)], params) for p in prompts]


def run(cfg: ExportConfig) -> dict[str, Any]:
    """Merge, save hf/, write model-f16.gguf and model-<quant>.gguf, compare outputs; returns the report."""
    from medllm.models import load_model
    from medllm.models.hf import HFModel
    from medllm.train.gguf_export import quantize, write_gguf_f16

    out = Path(cfg.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    # 1. merge the adapter (if any) and save a plain HF folder
    model, tokenizer = load_merged(Path(cfg.model), cfg.base)
    hf_dir = out / "hf"
    model.save_pretrained(hf_dir)
    tokenizer.save_pretrained(hf_dir)
    timings["merge_save_s"] = time.perf_counter() - start
    # 2. GGUF f16, then quantised by llama.cpp
    f16 = write_gguf_f16(hf_dir, out / "model-f16.gguf")
    timings["gguf_f16_s"] = time.perf_counter() - start - timings["merge_save_s"]
    quant = quantize(f16, out / f"model-{cfg.quant}.gguf", cfg.quant)
    timings["quantize_s"] = time.perf_counter() - start - sum(timings.values())
    # 3. check outputs: the in-memory merged model vs each GGUF served by the llamacpp backend
    hf_model = HFModel(model.eval(), tokenizer, name=f"hf:{hf_dir}")
    variants: dict[str, Any] = {"hf": hf_model}
    variants["gguf_f16"] = load_model(f"llamacpp:{f16}", n_ctx=2048)
    variants[f"gguf_{cfg.quant}"] = load_model(f"llamacpp:{quant}", n_ctx=2048)
    report: dict[str, Any] = {"model": cfg.model, "hf_dir": str(hf_dir), "gguf_f16": str(f16),
                              "gguf_quant": str(quant), "quant": cfg.quant, "timings": timings}  # fmt: skip
    report["generations"] = {
        name: greedy_outputs(m, cfg.check_prompts) for name, m in variants.items()
    }
    report["prompts"] = cfg.check_prompts
    if cfg.check_task:
        from medllm.train.heldout import heldout_accuracy

        report["check_task"] = cfg.check_task
        report["accuracy"] = {name: heldout_accuracy(m, cfg.check_task, cfg.check_limit)
                              for name, m in variants.items()}  # fmt: skip
    for name, m in variants.items():
        if name != "hf":
            m.close()
    write_json(out / "export_report.json", report)
    return report
