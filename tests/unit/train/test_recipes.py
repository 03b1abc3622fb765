"""Recipes on a ~3M-parameter random Llama: what changes, what does not, and exact resume."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medllm.core.errors import MedllmError

OPTIM = {
    "max_steps": 4,
    "save_steps": 2,
    "batch_size": 2,
    "max_length": 64,
    "learning_rate": 1e-2,
    "tensorboard": False,
}


def _sft(tiny_dir: Path, out: Path, sft_file: Path, mode: str, **optim: Any) -> Any:
    from medllm.train.config import SftConfig

    return SftConfig(
        model=str(tiny_dir),
        mode=mode,
        output_dir=str(out),  # type: ignore[arg-type]
        data={"files": [str(sft_file)]},
        optim={**OPTIM, **optim},
    )


def _weights(folder: Path) -> dict[str, Any]:
    from safetensors.torch import load_file

    return {k: v for f in folder.glob("*.safetensors") for k, v in load_file(str(f)).items()}


def test_lora_changes_adapter_not_base(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from medllm.train import sft

    result = sft.run(_sft(tiny_dir, tmp_path / "run", sft_file, "lora"))
    assert (result.final_dir / "adapter_config.json").is_file()
    assert 0 < result.trainable_params < result.total_params / 10
    base = _weights(tiny_dir)
    tuned = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(tiny_dir), result.final_dir
    )
    state = tuned.state_dict()
    lora_b = [v for k, v in state.items() if "lora_B" in k]
    assert lora_b and any(v.abs().sum() > 0 for v in lora_b)  # lora_B starts at zero
    for name, w in base.items():
        key = next(
            k
            for k in state
            if k.endswith(name.replace(".weight", ".base_layer.weight")) or k.endswith(name)
        )
        assert torch.equal(state[key], w), name


def test_full_finetuning_changes_base_weights(
    tiny_dir: Path, tmp_path: Path, sft_file: Path
) -> None:
    import torch

    from medllm.train import sft

    # gradient checkpointing and bf16 (CPU autocast without CUDA) on here, so those paths run too
    result = sft.run(
        _sft(tiny_dir, tmp_path / "run", sft_file, "full", gradient_checkpointing=True,
             precision="bf16")
    )  # fmt: skip
    assert result.trainable_params == result.total_params
    before, after = _weights(tiny_dir), _weights(result.final_dir)
    changed = [k for k in before if not torch.equal(before[k], after[k])]
    assert len(changed) > len(before) // 2
    assert (tmp_path / "run" / "metrics.csv").read_text().count("loss") >= 4


def test_fp16_without_cuda_is_a_clear_error(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    import torch

    from medllm.train.common import check_mode

    if torch.cuda.is_available():
        pytest.skip("fp16 is allowed on CUDA")
    with pytest.raises(MedllmError, match="fp16 needs a CUDA GPU") as e:
        check_mode(_sft(tiny_dir, tmp_path, sft_file, "full", precision="fp16"))
    assert e.value.fix and "bf16" in e.value.fix


class _Crash(Exception):
    pass


def _crash_after(step: int) -> Any:
    from transformers import TrainerCallback

    class CrashAt(TrainerCallback):  # a SIGKILL stand-in: dies after checkpoint `step` is on disk
        def on_step_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            if state.global_step == step:
                raise _Crash

    return CrashAt()


def test_resume_after_crash_reaches_the_same_loss(
    tiny_dir: Path, tmp_path: Path, sft_file: Path
) -> None:
    from medllm.train import sft

    straight = sft.run(_sft(tiny_dir, tmp_path / "a", sft_file, "lora", max_steps=6, save_steps=3))
    cfg = _sft(tiny_dir, tmp_path / "b", sft_file, "lora", max_steps=6, save_steps=3)
    with pytest.raises(_Crash):
        sft.run(cfg, callbacks=[_crash_after(3)])
    assert (tmp_path / "b" / "checkpoint-3").is_dir() and not (tmp_path / "b" / "final").exists()
    partial = tmp_path / "b" / "checkpoint-5"  # killed while saving (disk full): no trainer_state
    partial.mkdir()
    (partial / "model.safetensors").write_bytes(b"")
    resumed = sft.run(cfg, resume=True)  # from checkpoint-3, the newest complete one
    assert resumed.steps == straight.steps == 6
    assert abs(resumed.final_loss - straight.final_loss) <= 1e-4 * abs(straight.final_loss)


def test_resume_without_checkpoint_is_a_clear_error(
    tiny_dir: Path, tmp_path: Path, sft_file: Path
) -> None:
    from medllm.train import sft

    with pytest.raises(MedllmError, match="no checkpoint"):
        sft.run(_sft(tiny_dir, tmp_path / "empty", sft_file, "lora"), resume=True)


def test_qlora_on_cpu_names_the_fix(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    import torch

    from medllm.train import sft

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(MedllmError, match="qlora needs a CUDA GPU") as e:
        sft.run(_sft(tiny_dir, tmp_path / "q", sft_file, "qlora"))
    assert e.value.fix and "mode=lora" in e.value.fix


def test_cpt_trains_on_text(tiny_dir: Path, tmp_path: Path) -> None:
    from medllm.train import cpt
    from medllm.train.config import CptConfig

    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "Anemia is a low red cell count."}\n' * 16, encoding="utf-8")
    cfg = CptConfig(
        model=str(tiny_dir),
        output_dir=str(tmp_path / "cpt"),
        data={"files": [str(path)]},
        optim={**OPTIM, "max_steps": 2},
    )
    result = cpt.run(cfg)
    assert result.steps == 2 and result.final_loss == result.final_loss  # not NaN
    assert result.train_tokens > 0


def test_dpo_reports_heldout_margin_without_a_reference_copy(
    tiny_dir: Path, tmp_path: Path
) -> None:
    from medllm.train import dpo
    from medllm.train.config import DpoConfig

    cfg = DpoConfig(
        model=str(tiny_dir),
        mode="full",
        output_dir=str(tmp_path / "dpo"),
        data={"sources": ["icd10cm"], "limit": 16, "heldout_limit": 8},
        optim={**OPTIM, "max_steps": 3, "learning_rate": 1e-3},
    )
    result = dpo.run(cfg)
    assert "eval_rewards/margins" in result.metrics and "eval_rewards/accuracies" in result.metrics
    assert (result.final_dir / "config.json").is_file()


def test_text_format_trains_on_the_answer_after_the_raw_prompt(
    tiny_dir: Path, tmp_path: Path, sft_file: Path
) -> None:
    from transformers import AutoTokenizer, TrainerCallback

    from medllm.train import sft
    from medllm.train.data import read_user_file

    rows = sft.as_text(read_user_file(sft_file, "sft"), "Answer briefly.")
    assert rows[0]["prompt"] == "Answer briefly.\n\nWhat does ICD-10-CM code Z00.00 cover?\nAnswer:"
    assert all(r["completion"].startswith(" ") for r in rows)
    seen: list[Any] = []

    class Grab(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            seen.append(kw["train_dataloader"].dataset)

    cfg = _sft(tiny_dir, tmp_path / "run", sft_file, "full", max_steps=2, packing=False)
    cfg = cfg.model_copy(update={"prompt_format": "text", "system_prompt": "Answer briefly."})
    result = sft.run(cfg, callbacks=[Grab()])
    assert result.steps == 2
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    answers = {r["completion"] + tok.eos_token for r in rows}
    for ex in seen[0]:  # the loss covers exactly " {answer}<eos>", never the prompt
        ids = [t for t, y in zip(ex["input_ids"], ex["labels"], strict=True) if y != -100]
        assert tok.decode(ids) in answers
