"""GGUF → a normal transformers folder that `from_pretrained` / `save_pretrained` handle.

transformers dequantizes GGUF on load but refuses `save_pretrained` on such a model, so the weights
are copied into a fresh model built from the same config.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from medllm.core import ModelError

if TYPE_CHECKING:
    from medllm.models.tiers import Tier

DTYPES = ("float32", "bfloat16", "float16")


def check_gguf(path: Path) -> Path:
    """`path` is a file that starts with the GGUF magic bytes, or a ModelError naming it (before any
    heavy import: transformers and llama.cpp raise a bare ValueError on other files)."""
    if not path.is_file():
        raise ModelError(f"{path}: GGUF file not found", fix="give the path of a .gguf file")
    with path.open("rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelError(
                f"{path.name} is not a GGUF file (no GGUF header)",
                fix="give a .gguf file, or an hf model folder holding config.json",
            )
    return path


def convert_gguf(gguf: Path, out: Path, *, dtype: str = "float32") -> Path:
    """Write `gguf` as an HF folder at `out` (atomically: a crash leaves no half folder)."""
    if dtype not in DTYPES:
        raise ModelError(f"unknown dtype {dtype!r}", fix=f"use one of {', '.join(DTYPES)}")
    check_gguf(gguf)
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    loaded = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    config = loaded.config
    # The GGUF loader leaves a quantization_config behind; the saved folder holds plain weights.
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    clean = AutoModelForCausalLM.from_config(config, dtype=getattr(torch, dtype))
    missing, unexpected = clean.load_state_dict(loaded.state_dict(), strict=False)
    # A tied lm_head is legitimately absent from the state dict; anything else is a broken file.
    real_missing = [
        k for k in missing if k != "lm_head.weight" or not clean.config.tie_word_embeddings
    ]
    if real_missing or unexpected:
        raise ModelError(
            f"{gguf.name}: weights do not match the config ({real_missing[:3]}, {unexpected[:3]})"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        clean.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        (tmp / "medllm-source.txt").write_text(f"converted from {gguf.name} as {dtype}\n")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def convert_tier(tier: Tier, out: Path, *, dtype: str = "float32") -> Path:
    """Convert a model tier's GGUF (assembled first if needed) into a transformers folder."""
    from rich.console import Console

    from medllm.models.tiers import tier_gguf

    console = Console(stderr=True)
    gguf = tier_gguf(tier)
    start = time.perf_counter()
    with console.status(
        f"converting the {tier.name} tier's GGUF to a transformers folder at {out} ..."
    ):
        convert_gguf(gguf, out, dtype=dtype)
    console.print(f"[dim]converted in {time.perf_counter() - start:.0f} s[/dim]")
    return out
