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
        _sft(
            tiny_dir,
            tmp_path / "run",
            sft_file,
            "full",
            gradient_checkpointing=True,
            precision="bf16",
        )
    )
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
    """Each example is the whole text + EOS, the first logged loss is the base model's causal-LM
    loss on it (logged before the first update), and one update lowers it on the same text."""
    import csv

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback

    from medllm.train import cpt
    from medllm.train.config import CptConfig

    text = "Anemia is a low red cell count."
    path = tmp_path / "docs.jsonl"
    path.write_text(f'{{"text": "{text}"}}\n' * 16, encoding="utf-8")
    cfg = CptConfig(
        model=str(tiny_dir),
        output_dir=str(tmp_path / "cpt"),
        data={"files": [str(path)]},
        optim={**OPTIM, "max_steps": 2, "packing": False},
    )
    seen: list[Any] = []

    class Grab(TrainerCallback):
        def on_train_begin(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            seen.append(kw["train_dataloader"].dataset)

    result = cpt.run(cfg, callbacks=[Grab()])
    tok = AutoTokenizer.from_pretrained(tiny_dir)
    ids = tok(text + tok.eos_token)["input_ids"]
    assert [ex["input_ids"] for ex in seen[0]] == [ids] * 16
    with torch.no_grad():
        base = AutoModelForCausalLM.from_pretrained(tiny_dir)
        expected = float(base(input_ids=torch.tensor([ids]), labels=torch.tensor([ids])).loss)
    with (tmp_path / "cpt" / "metrics.csv").open(encoding="utf-8") as f:
        losses = [float(r["value"]) for r in csv.DictReader(f) if r["key"] == "loss"]
    assert len(losses) == 2 and losses[0] == pytest.approx(expected, rel=1e-4)
    assert losses[1] < losses[0] and result.final_loss == pytest.approx(losses[1])
    assert result.steps == 2 and result.train_tokens == 2 * 2 * len(ids)


def _completion_logps(model: Any, rows: Any, side: str, max_length: int) -> list[float]:
    """Sum of log p(completion token | everything before it), prompt+completion cut to max_length
    as TRL's collator cuts it; computed one row at a time with torch alone."""
    import torch

    out = []
    for row in rows:
        ids = (row["prompt_ids"] + row[f"{side}_ids"])[:max_length]
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids])).logits[0].double()
        logp = torch.log_softmax(logits, dim=-1)  # (len(ids), vocab)
        out.append(sum(float(logp[j - 1, ids[j]]) for j in range(len(row["prompt_ids"]), len(ids))))
    return out


def _margins(beta: float, policy: Any, rows: Any, ref: dict[str, list[float]]) -> Any:
    """DPO reward margins, beta·((π_c − ref_c) − (π_r − ref_r)), one per pair, (len(rows),)."""
    import numpy as np

    chosen = np.array(_completion_logps(policy, rows, "chosen", 128)) - ref["chosen"]
    return beta * (
        chosen - (np.array(_completion_logps(policy, rows, "rejected", 128)) - ref["rejected"])
    )


def _recorded_dpo_trainer(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The DPOTrainer the recipe builds, kept for the test to read back."""
    import trl

    seen: list[Any] = []

    class Recorded(trl.DPOTrainer):  # type: ignore[misc]
        def __init__(self, *a: Any, **kw: Any) -> None:
            super().__init__(*a, **kw)
            seen.append(self)

    monkeypatch.setattr(trl, "DPOTrainer", Recorded)
    return seen


def test_dpo_reports_heldout_margin_without_a_reference_copy(
    tiny_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No reference model is held (its log-probs are precomputed) yet the reference is the untouched
    base; the reported held-out margin and win rate are those of the saved policy against it; the
    margin on the training pairs starts at 0 (policy = reference) and rises."""
    from transformers import AutoModelForCausalLM

    from medllm.train import dpo
    from medllm.train.config import DpoConfig

    seen = _recorded_dpo_trainer(monkeypatch)
    cfg = DpoConfig(
        model=str(tiny_dir),
        mode="full",
        output_dir=str(tmp_path / "dpo"),
        data={"sources": ["icd10cm"], "limit": 16, "heldout_limit": 8},
        optim={**OPTIM, "max_steps": 3, "learning_rate": 1e-3, "max_length": 128},
    )
    base_before = _weights(tiny_dir)
    result = dpo.run(cfg)
    (trainer,) = seen
    assert trainer.ref_model is None and trainer.precompute_ref_logps
    base = AutoModelForCausalLM.from_pretrained(tiny_dir).eval()
    policy = AutoModelForCausalLM.from_pretrained(result.final_dir).eval()
    held, train = trainer.eval_dataset, trainer.train_dataset
    ref = {side: held[f"ref_{side}_logps"] for side in ("chosen", "rejected")}
    assert len(held) == 8 and len(train) == 16
    for side in ("chosen", "rejected"):  # the precomputed reference is the base, untouched
        assert _completion_logps(base, held, side, 128) == pytest.approx(ref[side], abs=1e-3)
    margins = _margins(cfg.beta, policy, held, ref)
    assert result.metrics["eval_rewards/margins"] == pytest.approx(margins.mean(), abs=1e-4)
    assert result.metrics["eval_rewards/accuracies"] == pytest.approx((margins > 0).mean())
    log = trainer.state.log_history
    first = next(h["rewards/margins"] for h in log if "rewards/margins" in h)
    assert first == pytest.approx(0.0, abs=1e-5)  # step 1 is scored with policy = reference
    train_ref = {side: train[f"ref_{side}_logps"] for side in ("chosen", "rejected")}
    assert _margins(cfg.beta, policy, train, train_ref).mean() > 0.0  # on the same pairs, after
    base_after, after = _weights(tiny_dir), _weights(result.final_dir)
    assert any(not _equal(base_before[k], after[k]) for k in base_before)  # the policy moved
    assert all(_equal(v, base_after[k]) for k, v in base_before.items())  # the base did not


def _equal(a: Any, b: Any) -> bool:
    import torch

    return bool(torch.equal(a, b))


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
