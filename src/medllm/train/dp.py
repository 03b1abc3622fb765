"""Local DP-SGD with Opacus on the trainable (LoRA) parameters of the SFT recipe.

The recipe's SFTTrainer still tokenises, masks prompts, wraps LoRA and builds the optimiser and
schedule; only the loop differs: Poisson-sampled batches (each row in a step with probability
q = batch / N), per-example gradients (Opacus' GradSampleModule), clipping to max_grad_norm and
Gaussian noise (DPOptimizer), and Opacus' RDP accountant, whose ε goes into every log. The noise
multiplier is Opacus' `get_noise_multiplier` for the target ε at δ (default 1/N); ε = inf (YAML
`.inf`) means no noise, clipping and sampling only: a control with no guarantee. The privacy unit
is one training row: packing (several rows per sequence) is refused by the config.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from medllm.core import MedllmError
from medllm.train.config import DpSection, OptimSection


@dataclass(frozen=True)
class DpPlan:
    """What the run will do and spend: Poisson rate, steps, noise, clipping, δ, target ε."""

    sample_rate: float
    steps: int  # this run's steps
    noise_multiplier: float
    max_grad_norm: float
    delta: float
    target_epsilon: float
    expected_batch: int
    spent_steps: int = 0  # steps of earlier runs under the same budget (federated rounds)


def plan(dp: DpSection, optim: OptimSection, n_rows: int) -> DpPlan:
    """The noise that meets `dp.epsilon` after optim.max_steps steps on `n_rows` rows, or a
    MedllmError saying which knob to turn."""
    from opacus.accountants.utils import get_noise_multiplier

    batch = optim.batch_size * optim.grad_accum
    if batch > n_rows:
        raise MedllmError(
            f"privacy.dp: a batch of {batch} rows is larger than the {n_rows} training rows",
            fix="lower optim.batch_size (x optim.grad_accum) or add training rows",
        )
    q, delta = batch / n_rows, dp.delta if dp.delta is not None else 1 / n_rows
    budget = dp.budget_steps or optim.max_steps
    if dp.spent_steps + optim.max_steps > budget:
        raise MedllmError(
            f"privacy.dp: {dp.spent_steps} steps spent + {optim.max_steps} more exceed the "
            f"{budget} steps the epsilon budget covers",
            fix="raise privacy.dp.budget_steps (a federation sets it to rounds x local steps)",
        )
    try:
        sigma = (
            0.0  # ε = ∞: DP-SGD's clipping and Poisson sampling without its noise
            if math.isinf(dp.epsilon)
            else get_noise_multiplier(
                target_epsilon=dp.epsilon, target_delta=delta, sample_rate=q, steps=budget
            )
        )
    except ValueError:  # Opacus: "The privacy budget is too low." (noise past its search limit)
        raise MedllmError(
            f"privacy.dp.epsilon {dp.epsilon} at delta {delta:.3g} cannot be met with "
            f"{budget} steps at sample rate {q:.3g} ({batch} of {n_rows} rows)",
            fix="raise privacy.dp.epsilon (or delta), lower optim.max_steps or optim.batch_size, "
            "or train on more rows",
        ) from None
    return DpPlan(
        q, optim.max_steps, sigma, dp.max_grad_norm, delta, dp.epsilon, batch, dp.spent_steps
    )


def per_example_loss(model: Any, batch: dict[str, Any]) -> Any:
    """(batch,) mean cross-entropy over each row's answer tokens (labels -100 are masked); a row
    with no answer token has loss 0."""
    import torch

    logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    labels = batch["labels"][:, 1:]  # token t is predicted from position t - 1
    mask = (labels != -100).float()  # (batch, tokens - 1)
    ce = torch.nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2).float(), labels.clamp(min=0), reduction="none"
    )
    return (ce * mask).sum(1) / mask.sum(1).clamp(min=1)


def train(
    trainer: Any, p: DpPlan, optim: OptimSection, batches: Iterable[list[int]] | None = None
) -> float:
    """Run `p.steps` DP-SGD steps on the trainer's model; returns seconds. `batches` (row indices
    per step) replaces Poisson sampling in tests that compare against a plain step."""
    import torch
    from opacus import GradSampleModule
    from opacus.accountants import RDPAccountant
    from opacus.optimizers import DPOptimizer
    from opacus.utils.uniform_sampler import UniformWithReplacementSampler

    data, collate = trainer.train_dataset, trainer.data_collator
    torch.manual_seed(optim.seed)
    trainer.create_optimizer_and_scheduler(num_training_steps=p.steps)
    module = GradSampleModule(trainer.model, loss_reduction="mean")
    opt = DPOptimizer(
        trainer.optimizer,
        noise_multiplier=p.noise_multiplier,
        max_grad_norm=p.max_grad_norm,
        expected_batch_size=p.expected_batch,
        loss_reduction="mean",
    )
    accountant = RDPAccountant()
    if p.spent_steps:  # earlier rounds of a federation spent part of the same budget
        accountant.history = [(p.noise_multiplier, p.sample_rate, p.spent_steps)]
    opt.attach_step_hook(accountant.get_optimizer_hook_fn(sample_rate=p.sample_rate))
    gen = torch.Generator().manual_seed(optim.seed)
    steps = batches or UniformWithReplacementSampler(
        num_samples=len(data), sample_rate=p.sample_rate, generator=gen, steps=p.steps
    )
    state = trainer.state
    state.max_steps, state.logging_steps = p.steps, optim.logging_steps
    trainer.control = trainer.callback_handler.on_train_begin(trainer.args, state, trainer.control)
    start = time.perf_counter()
    module.train()
    for step, rows in enumerate(steps, 1):
        loss, tokens = _step(module, opt, collate, data, list(rows))
        trainer.lr_scheduler.step()
        state.global_step, state.num_input_tokens_seen = step, state.num_input_tokens_seen + tokens
        trainer.control = trainer.callback_handler.on_step_end(trainer.args, state, trainer.control)
        if step % optim.logging_steps == 0 or step == p.steps:
            trainer.log(_logs(loss, trainer, accountant, p))
    seconds = time.perf_counter() - start
    module._close()  # Opacus' hooks off: the model saves and merges as a plain PeftModel
    trainer.control = trainer.callback_handler.on_train_end(trainer.args, state, trainer.control)
    return seconds


def _step(module: Any, opt: Any, collate: Any, data: Any, rows: list[int]) -> tuple[float, int]:
    """One DP-SGD step → (mean loss of its rows, their non-padding tokens). An empty Poisson batch still takes a noise-only step: one row with every
    label masked stands in (its loss and per-example gradient are exactly zero)."""
    opt.zero_grad(set_to_none=True)
    if rows:
        batch = collate([data[i] for i in rows])
    else:
        batch = collate([data[0]])
        batch["labels"][:] = -100
    losses = per_example_loss(module, batch)
    losses.mean().backward()
    opt.step()
    if not rows:
        return math.nan, 0
    return float(losses.detach().mean()), int(batch["attention_mask"].sum())


def _logs(loss: float, trainer: Any, accountant: Any, p: DpPlan) -> dict[str, float]:
    out = {
        "learning_rate": float(trainer.lr_scheduler.get_last_lr()[0]),
        "epsilon": float(accountant.get_epsilon(delta=p.delta)),
        "dp_delta": p.delta,
        "dp_noise_multiplier": p.noise_multiplier,
        "dp_sample_rate": p.sample_rate,
    }
    return {"loss": loss, **out} if not math.isnan(loss) else out
