"""How fast a model tier runs on this machine: prefill and decode tokens/s through llama.cpp,
measured (never assumed) and kept in the medllm cache, where `medllm models ls` reads them.

Prefill is the prompt's evaluation from an empty cache (first token included); decode is greedy
generation after it. Each repeat starts clean; the figures are medians. The 1-minute load average
before and after goes into the record: on a shared CPU the figures are pessimistic.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

from medllm.core import atomic_open, cache_dir

# Clinical-sounding filler, repeated and cut to the requested number of tokens (each tier has its
# own tokenizer; the count, not the text, is what is held equal).
_TEXT = (
    "Patient presents with fatigue, pallor and shortness of breath on exertion. Laboratory tests "
    "show a low haemoglobin, a low mean corpuscular volume and a low serum ferritin. "
)


def speeds_file() -> Path:
    return cache_dir() / "model-speeds.json"


def measure_speed(
    tier: str,
    *,
    prompt_tokens: int = 256,
    gen_tokens: int = 64,
    repeats: int = 3,
    n_threads: int | None = None,
) -> dict[str, Any]:
    """Load `llamacpp:<tier>`, run `repeats` prefill + decode rounds, return the record."""
    from medllm.models.llamacpp import load
    from medllm.models.spec import ModelConfig, ModelSpec

    n_ctx = max(512, prompt_tokens + gen_tokens + 8)
    load_before = _load_avg()
    start = time.perf_counter()
    model = load(ModelSpec("llamacpp", tier), ModelConfig(n_ctx=n_ctx, n_threads=n_threads))
    load_s = time.perf_counter() - start
    try:
        ids = model.tokenize(_TEXT * (prompt_tokens // 20 + 1))[:prompt_tokens]
        model.time_tokens(ids[:16], 4)  # pages the weights in before the clock runs
        rounds = [model.time_tokens(ids, gen_tokens) for _ in range(repeats)]
    finally:
        model.close()
    return {
        "tier": tier,
        "model": model.id,
        "decode_tok_s": round(statistics.median(n / d for _, d, n in rounds), 1),
        "prefill_tok_s": round(statistics.median(len(ids) / p for p, _, _ in rounds), 1),
        "load_s": round(load_s, 2),
        "prompt_tokens": len(ids),
        "gen_tokens": gen_tokens,
        "repeats": repeats,
        "threads": n_threads or os.cpu_count(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "load_avg_before": load_before,
        "load_avg_after": _load_avg(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def record_speed(result: dict[str, Any]) -> Path:
    """Keep `result` as this machine's latest figure for its tier."""
    path = speeds_file()
    speeds = recorded_speeds()
    speeds[result["tier"]] = result
    with atomic_open(path) as f:
        json.dump(speeds, f, indent=2)
        f.write("\n")
    return path


def recorded_speeds() -> dict[str, dict[str, Any]]:
    try:
        return dict(json.loads(speeds_file().read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _load_avg() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()
