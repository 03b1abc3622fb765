"""Merge a LoRA adapter, write GGUF f16 + q8_0, and check llama.cpp scores what transformers scores."""

from __future__ import annotations

from pathlib import Path

import pytest

from medllm.core.errors import MedllmError


def _adapter(tiny_dir: Path, out: Path) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(tiny_dir)
    # init_lora_weights=False: a non-zero update, so merging visibly changes the weights.
    cfg = LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "k_proj", "v_proj"], init_lora_weights=False
    )
    model = get_peft_model(base, cfg)
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_dir).save_pretrained(out)
    return out


def test_export_merges_and_gguf_matches_hf(tiny_dir: Path, tmp_path: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM

    from medllm.models import load_model
    from medllm.models.base import LoglikRequest
    from medllm.models.hf import HFModel
    from medllm.train import export
    from medllm.train.config import ExportConfig

    adapter = _adapter(tiny_dir, tmp_path / "adapter")
    report = export.run(ExportConfig(model=str(adapter), output_dir=str(tmp_path / "out")))
    merged = AutoModelForCausalLM.from_pretrained(tmp_path / "out" / "hf")
    base = AutoModelForCausalLM.from_pretrained(tiny_dir)
    q = "model.layers.0.self_attn.q_proj.weight"
    assert not torch.allclose(
        merged.state_dict()[q], base.state_dict()[q]
    )  # the adapter is merged in
    assert set(report["generations"]) == {"hf", "gguf_f16", "gguf_q8_0"}

    from transformers import AutoTokenizer

    hf = HFModel(merged.eval(), AutoTokenizer.from_pretrained(tmp_path / "out" / "hf"))
    reqs = [LoglikRequest("Anemia is a condition in which the", " blood lacks healthy red cells")]
    want = hf.loglikelihood(reqs)[0].logprob
    for name in ("model-f16.gguf", "model-q8_0.gguf"):
        gguf = load_model(f"llamacpp:{tmp_path / 'out' / name}", n_ctx=256)
        got = gguf.loglikelihood(reqs)[0].logprob
        gguf.close()
        # q/k permutation, norms, tied embeddings and tokenizer all have to be right for this.
        assert got == pytest.approx(want, rel=0.02), name


def test_export_rejects_a_folder_without_model(tmp_path: Path) -> None:
    from medllm.train import export
    from medllm.train.config import ExportConfig

    with pytest.raises(MedllmError, match="neither a model"):
        export.run(ExportConfig(model=str(tmp_path), output_dir=str(tmp_path / "out")))
