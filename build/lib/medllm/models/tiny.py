"""A tiny random-initialised Llama with the real SmolLM2 tokenizer, for fast tests of every code path."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from medllm.core import cache_dir


@lru_cache(maxsize=1)
def smollm2_tokenizer_dir() -> Path:
    """The embedded model's tokenizer saved as a normal folder (extracted from the GGUF once, ~1 s)."""
    from transformers import AutoTokenizer

    from medllm.models.assets import default_gguf

    out = cache_dir() / "tokenizers" / "smollm2"
    if not (out / "tokenizer.json").is_file():
        gguf = default_gguf()
        tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        tok.save_pretrained(out)
    return out


def tiny_llama(seed: int = 0, *, hidden: int = 64, layers: int = 2) -> tuple[Any, Any]:
    """(model, tokenizer): ~3M parameters, builds in well under a second."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tok = AutoTokenizer.from_pretrained(smollm2_tokenizer_dir())
    torch.manual_seed(seed)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        tie_word_embeddings=True,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
    )
    return LlamaForCausalLM(cfg).eval(), tok


def tiny_hf_model(seed: int = 0) -> Any:
    """The tiny Llama wrapped in the `hf` backend's Model class."""
    from medllm.models.hf import HFModel

    model, tok = tiny_llama(seed)
    return HFModel(model, tok, name=f"hf:tiny-llama-{seed}")
