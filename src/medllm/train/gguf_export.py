"""HF Llama folder → GGUF (f16) with `gguf.GGUFWriter`, then llama.cpp's own quantiser.

Why hand-written: llama.cpp's `convert_hf_to_gguf.py` is not shipped in any installable package
here (only inside the llama-cpp-python sdist, pinned to its own gguf-py), so we write the llama
architecture directly with the `gguf` library's writer and tensor-name map. Other architectures:
run llama.cpp's converter on the exported HF folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medllm.core import MedllmError

# llama.cpp's llama_ftype values for the quantised copy (llama.h).
QUANT_TYPES = {
    "q8_0": 7,
    "q4_0": 2,
    "q4_1": 3,
    "q5_0": 8,
    "q5_1": 9,
    "q4_k_m": 15,
    "q5_k_m": 17,
    "q6_k": 18,
}
_LLAMA_ARCHS = {"LlamaForCausalLM"}


def permute_qk(w: Any, n_head: int) -> Any:
    """HF rotary layout → llama.cpp's (interleaved pairs); the inverse of what transformers does on GGUF load.

    w: (n_head * head_dim, hidden).
    """
    return (
        w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
        .swapaxes(1, 2)
        .reshape(w.shape)
    )


def write_gguf_f16(hf_dir: Path, out: Path, *, name: str = "medllm-export") -> Path:
    """Write `hf_dir` (a Llama-architecture transformers folder) as an f16 GGUF at `out`."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config = json.loads((hf_dir / "config.json").read_text(encoding="utf-8"))
    if not set(config.get("architectures") or []) & _LLAMA_ARCHS:
        raise MedllmError(
            f"{hf_dir}: GGUF export supports the llama architecture, got {config.get('architectures')}",
            fix="run llama.cpp's convert_hf_to_gguf.py on the exported hf/ folder",
        )
    n_layers, n_head = config["num_hidden_layers"], config["num_attention_heads"]
    n_kv = config.get("num_key_value_heads") or n_head
    writer = gguf.GGUFWriter(str(out), "llama")
    _write_hparams(writer, config, name)
    _write_tokenizer(writer, hf_dir)
    tmap = gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, n_layers)
    tensors: dict[str, Any] = {}
    for shard in sorted(hf_dir.glob("*.safetensors")):
        tensors.update(load_file(str(shard)))
    for hf_name, w in tensors.items():
        if hf_name == "lm_head.weight" and config.get("tie_word_embeddings"):
            continue  # llama.cpp reuses token_embd
        gname = tmap.get_name(hf_name, try_suffixes=(".weight", ".bias"))
        if gname is None:
            raise MedllmError(
                f"{hf_dir}: tensor {hf_name} has no GGUF name", fix="not a plain Llama model"
            )
        w = w.astype(np.float32)
        if hf_name.endswith("self_attn.q_proj.weight"):
            w = permute_qk(w, n_head)
        elif hf_name.endswith("self_attn.k_proj.weight"):
            w = permute_qk(w, n_kv)
        # Norms (1-D) stay f32 as llama.cpp expects; matrices go to f16.
        writer.add_tensor(gname, w if w.ndim == 1 else w.astype(np.float16))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out


def _write_hparams(writer: Any, c: dict[str, Any], name: str) -> None:
    import gguf

    head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    writer.add_name(name)
    writer.add_context_length(c.get("max_position_embeddings", 2048))
    writer.add_embedding_length(c["hidden_size"])
    writer.add_block_count(c["num_hidden_layers"])
    writer.add_feed_forward_length(c["intermediate_size"])
    writer.add_head_count(c["num_attention_heads"])
    writer.add_head_count_kv(c.get("num_key_value_heads") or c["num_attention_heads"])
    writer.add_rope_freq_base(
        float(c.get("rope_theta") or (c.get("rope_parameters") or {}).get("rope_theta", 10000.0))
    )
    writer.add_layer_norm_rms_eps(float(c.get("rms_norm_eps", 1e-5)))
    writer.add_rope_dimension_count(head_dim)
    writer.add_vocab_size(c["vocab_size"])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)


def _write_tokenizer(writer: Any, hf_dir: Path) -> None:
    """Byte-level BPE ("gpt2") vocabulary, merges, special ids and chat template from tokenizer.json."""
    import gguf

    tj = json.loads((hf_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = tj["model"]
    if model.get("type") != "BPE":
        raise MedllmError(
            f"{hf_dir}: tokenizer type {model.get('type')} not supported for GGUF export",
            fix="run llama.cpp's convert_hf_to_gguf.py on the exported hf/ folder",
        )
    vocab: dict[str, int] = dict(model["vocab"])
    special = {t["content"] for t in tj.get("added_tokens", []) if t.get("special")}
    vocab.update({t["content"]: t["id"] for t in tj.get("added_tokens", [])})
    tokens = [""] * (max(vocab.values()) + 1)
    for tok, i in vocab.items():
        tokens[i] = tok
    types = [gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(_pre_tokenizer(tokens))
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_add_space_prefix(False)
    # SpecialVocab reads merges, bos/eos/pad ids, add_bos and the chat template from the folder.
    gguf.SpecialVocab(hf_dir, load_merges=True, n_vocab=len(tokens)).add_to_gguf(writer)


def _pre_tokenizer(tokens: list[str]) -> str:
    """llama.cpp's pre-tokenizer name: 'smollm' when the vocabulary is the embedded SmolLM2's."""
    try:
        from gguf import GGUFReader

        from medllm.models import default_gguf

        reader = GGUFReader(str(default_gguf()))
        ref = reader.fields["tokenizer.ggml.tokens"].contents()
        if ref == tokens:
            return str(reader.fields["tokenizer.ggml.pre"].contents())
    except Exception:  # no embedded model installed: fall back to llama.cpp's generic rules
        pass
    return "default"


def quantize(src: Path, out: Path, qtype: str) -> Path:
    """llama.cpp's quantiser (llama_model_quantize) on an f16 GGUF."""
    import ctypes

    import llama_cpp

    if qtype not in QUANT_TYPES:
        raise MedllmError(
            f"unknown quant type {qtype!r}", fix=f"use one of {', '.join(QUANT_TYPES)}"
        )
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = QUANT_TYPES[qtype]
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(out).encode(), ctypes.byref(params))
    if rc != 0 or not out.is_file():
        raise MedllmError(
            f"llama.cpp quantisation to {qtype} failed (code {rc})", fix="try quant: q8_0"
        )
    return out
