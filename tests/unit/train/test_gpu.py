"""One QLoRA step and a few fp16 steps on a CUDA GPU: the two recipe paths a CPU cannot run.

Run with `pytest -m gpu tests/unit/train/test_gpu.py`; skipped (with the reason) where no CUDA GPU
is visible. On a GPU machine a missing bitsandbytes fails the QLoRA test rather than skipping it.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.gpu

STEP = {
    "max_steps": 1,
    "save_steps": 1,
    "batch_size": 2,
    "max_length": 64,
    "learning_rate": 1e-2,
    "tensorboard": False,
}


def _needs_cuda() -> None:
    import torch

    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU visible (QLoRA's 4-bit kernels and fp16 autocast need one)")


def _train(
    tiny_dir: Path, out: Path, sft_file: Path, mode: str, precision: str, steps: int = 1
) -> Any:
    from transformers import TrainerCallback

    from medllm.train import sft
    from medllm.train.config import SftConfig

    seen: list[Any] = []

    class Grab(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            seen.append(kw["model"])

    cfg = SftConfig(
        model=str(tiny_dir),
        mode=mode,
        output_dir=str(out),
        data={"files": [str(sft_file)]},
        optim={**STEP, "precision": precision, "max_steps": steps},
    )
    return sft.run(cfg, callbacks=[Grab()]), seen[0]


def _lora_b(final_dir: Path) -> list[Any]:
    """The adapter's lora_B matrices as saved (PEFT initialises every one to zeros)."""
    from safetensors.torch import load_file

    state = load_file(str(final_dir / "adapter_model.safetensors"))
    return [v for k, v in state.items() if "lora_B" in k]


def test_one_qlora_step(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    _needs_cuda()
    import bitsandbytes as bnb  # required on a GPU machine: fail, do not skip, when it is missing

    result, model = _train(tiny_dir, tmp_path / "q", sft_file, "qlora", "fp32")
    assert any(isinstance(m, bnb.nn.Linear4bit) for m in model.modules())  # the base is 4-bit
    assert result.steps == 1 and math.isfinite(result.final_loss)
    lora_b = _lora_b(result.final_dir)
    assert lora_b and all(bool(v.abs().sum() > 0) for v in lora_b)


def test_fp16_steps(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    _needs_cuda()
    import torch

    # fp16's loss scaler starts at 2**16 and skips a step whose gradients overflow (halving the
    # scale): 4 steps leave room for that, so "changed" means an update really was applied.
    result, model = _train(tiny_dir, tmp_path / "h", sft_file, "lora", "fp16", steps=4)
    assert next(model.parameters()).device.type == "cuda"
    assert result.steps == 4 and math.isfinite(result.final_loss)
    lora_b = _lora_b(result.final_dir)
    assert lora_b and all(bool(v.abs().sum() > 0) for v in lora_b)
    assert all(
        bool(torch.isfinite(v).all()) for v in lora_b
    )  # no fp16 overflow reached the weights
