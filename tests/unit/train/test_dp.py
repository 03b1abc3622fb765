"""DP-SGD (Opacus) in the SFT recipe on a ~3M-parameter random Llama: the reported epsilon is
Opacus' RDP accountant's, an unreachable epsilon is a clear error, and with no noise and no
clipping a DP step is the plain step."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from medllm.core import ConfigError, MedllmError, load_config
from medllm.models import RUN_META

OPTIM = {
    "max_steps": 4,
    "batch_size": 2,
    "max_length": 64,
    "learning_rate": 1e-2,
    "packing": False,
    "save_steps": 100,
    "tensorboard": False,
}


def _cfg(tiny_dir: Path, out: Path, sft_file: Path, **dp: Any) -> Any:
    from medllm.train import SftConfig

    return SftConfig.model_validate(
        {
            "model": str(tiny_dir),
            "output_dir": str(out),
            "data": {"files": [str(sft_file)]},
            "optim": OPTIM,
            "privacy": {"dp": {"epsilon": 8.0, **dp}},
        }
    )


def test_epsilon_is_opacus_rdp_accountant(tiny_dir: Path, tmp_path: Path, sft_file: Path) -> None:
    from opacus.accountants import RDPAccountant
    from opacus.accountants.utils import get_noise_multiplier

    from medllm.train import run_sft

    result = run_sft(_cfg(tiny_dir, tmp_path / "run", sft_file, max_grad_norm=0.5))
    n = 24  # sft_file: 3 rows x 8
    sigma = get_noise_multiplier(target_epsilon=8.0, target_delta=1 / n, sample_rate=2 / n, steps=4)
    assert result.metrics["dp_noise_multiplier"] == sigma
    assert result.metrics["dp_sample_rate"] == 2 / n and result.metrics["dp_delta"] == 1 / n
    logged = {}
    with (tmp_path / "run" / "metrics.csv").open() as f:
        for row in csv.DictReader(f):
            if row["key"] == "epsilon":
                logged[int(row["step"])] = float(row["value"])
    assert sorted(logged) == [1, 2, 3, 4]  # every logging step
    for steps, eps in logged.items():
        direct = RDPAccountant()
        direct.history = [(sigma, 2 / n, steps)]
        assert abs(eps - direct.get_epsilon(delta=1 / n)) <= 1e-6
    assert logged[4] <= 8.0
    meta = json.loads((result.final_dir / RUN_META).read_text())
    assert meta["result"]["epsilon"] == logged[4]
    assert result.steps == 4


def test_unreachable_epsilon_is_a_clear_error(
    tiny_dir: Path, tmp_path: Path, sft_file: Path
) -> None:
    from medllm.train import run_sft

    with pytest.raises(MedllmError) as e:
        run_sft(_cfg(tiny_dir, tmp_path / "run", sft_file, epsilon=1e-3, delta=1e-5))
    assert str(e.value).startswith(
        "privacy.dp.epsilon 0.001 at delta 1e-05 cannot be met with 4 steps at sample rate "
        "0.0833 (2 of 24 rows)"
    )
    assert e.value.fix and "raise privacy.dp.epsilon" in e.value.fix
    assert not (tmp_path / "run").exists()  # refused before any model loaded or file written


def test_dp_config_refuses_what_breaks_the_row_bound(tmp_path: Path) -> None:
    from medllm.train import SftConfig

    path = tmp_path / "s.yaml"
    path.write_text("kind: sft\nprivacy:\n  dp:\n    epsilon: 4\n")
    with pytest.raises(ConfigError, match=r'field "privacy": .*optim\.packing: false'):
        load_config(path, SftConfig)
    path.write_text(
        "kind: sft\nmode: full\noptim:\n  packing: false\nprivacy:\n  dp:\n    epsilon: 4\n"
    )
    with pytest.raises(ConfigError, match=r"privacy\.dp needs mode lora"):
        load_config(path, SftConfig)
    path.write_text("kind: sft\nprivacy:\n  dp:\n    epsilon: 0\n")
    with pytest.raises(ConfigError, match=r'field "privacy\.dp\.epsilon"'):
        load_config(path, SftConfig)


def _trainer(tiny_dir: Path, out: Path, sft_file: Path) -> Any:
    """The recipe's SFTTrainer (tokenised rows, LoRA, optimiser settings), with plain SGD so a
    wrong gradient scale shows (Adam would normalise it away)."""
    import torch
    from trl import SFTTrainer

    from medllm.train import build_rows, load_model_and_tokenizer, peft_config
    from medllm.train.common import to_trl_args
    from medllm.train.data import to_dataset

    cfg = _cfg(tiny_dir, out, sft_file)
    torch.manual_seed(0)
    model, tok = load_model_and_tokenizer(cfg)
    args = to_trl_args(cfg)
    args.optim = "sgd"
    rows = to_dataset(build_rows(cfg.data, "sft"))
    return SFTTrainer(
        model=model,
        args=args,
        train_dataset=rows,
        processing_class=tok,
        peft_config=peft_config(cfg),
    ), cfg


def _lora(trainer: Any) -> dict[str, Any]:
    return {k: v.detach().clone() for k, v in trainer.model.named_parameters() if v.requires_grad}


def test_no_noise_no_clipping_reproduces_the_plain_update(
    tiny_dir: Path, tmp_path: Path, sft_file: Path
) -> None:
    import torch

    from medllm.train.dp import DpPlan, per_example_loss, train

    batches = [[0, 5], [3, 7]]
    plain, cfg = _trainer(tiny_dir, tmp_path / "a", sft_file)
    start = _lora(plain)
    plain.create_optimizer_and_scheduler(num_training_steps=2)
    for rows in batches:
        plain.optimizer.zero_grad()
        per_example_loss(
            plain.model, plain.data_collator([plain.train_dataset[i] for i in rows])
        ).mean().backward()
        plain.optimizer.step()
        plain.lr_scheduler.step()

    def dp_run(clip: float) -> dict[str, Any]:
        trainer, _ = _trainer(tiny_dir, tmp_path / f"dp{clip}", sft_file)
        assert all(torch.equal(v, start[k]) for k, v in _lora(trainer).items())  # same start
        p = DpPlan(2 / 24, 2, 0.0, clip, 1 / 24, float("inf"), 2)
        train(trainer, p, cfg.optim, batches=batches)
        return _lora(trainer)

    want, off = _lora(plain), dp_run(1e6)
    assert any(not torch.equal(want[k], start[k]) for k in want)  # the plain step moved them
    assert max(float((off[k] - want[k]).abs().max()) for k in want) <= 1e-6
    clipped = dp_run(1e-3)  # clipping on: a different update (the test can tell them apart)
    assert max(float((clipped[k] - want[k]).abs().max()) for k in want) > 1e-4
