"""Export a trained model for deployment: merge LoRA → HF folder → GGUF f16 → GGUF quantised,
checking outputs before and after (greedy generations side by side). Held-out accuracy of each
exported file is an evaluation: `medllm eval --model llamacpp:OUT/model-q8_0.gguf --tasks ...`
(benchmarks/train_export.py scores all three).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from medllm.core import write_json
from medllm.train.config import ExportConfig


def greedy_outputs(model: Any, prompts: list[str], max_tokens: int = 32) -> list[str]:
    from medllm.core import ChatMessage
    from medllm.models import GenerationParams

    params = GenerationParams(max_tokens=max_tokens, temperature=0.0)
    return [model.chat([ChatMessage("user", p)], params) for p in prompts]


def run(cfg: ExportConfig) -> dict[str, Any]:
    """Merge, save hf/, write model-f16.gguf and model-<quant>.gguf, compare outputs; returns the report."""
    from medllm.models import HFModel, load_merged, load_model
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
    report: dict[str, Any] = {
        "model": cfg.model,
        "hf_dir": str(hf_dir),
        "gguf_f16": str(f16),
        "gguf_quant": str(quant),
        "quant": cfg.quant,
        "timings": timings,
    }
    report["generations"] = {
        name: greedy_outputs(m, cfg.check_prompts) for name, m in variants.items()
    }
    report["prompts"] = cfg.check_prompts
    for name, m in variants.items():
        if name != "hf":
            m.close()
    write_json(out / "export_report.json", report)
    return report
