"""The S9 privacy-leakage study (`kind: privacy_leakage`, `medllm study run`): the same model is
fine-tuned once per arm (LoRA, the same rows, steps and seed) on synthetic notes with PHI-shaped
canaries, raw or de-identified, with or without DP-SGD (the SFT recipe's Opacus path), and each
trained model is measured (measure.py).

Everything that holds note text (the rows, the arms' models) is written owner-only under
`<output_dir>/<name>/`; each arm's figures are appended and fsynced to `arms.jsonl` as it is
done, so a rerun of the same command trains only the arms not yet measured.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medllm.core import MedllmError, Progress, append_jsonl, owner_only, write_jsonl
from medllm.evaluate.heldout import trained_model
from medllm.evaluate.leakage.config import LeakageArm, PrivacyLeakageConfig
from medllm.evaluate.leakage.data import StudyData, build_data, deidentified, sft_rows
from medllm.evaluate.leakage.measure import measure
from medllm.evaluate.trained_arms import ROWS, claim, previous_settings, select, set_threads
from medllm.models import RUN_META, HFModel, load_model
from medllm.train import FINAL, SftConfig, run_sft

BASE = "base"  # the reference row: the untrained model


def epsilon_field(epsilon: float | None) -> float | str | None:
    """An arm's epsilon as JSON holds it: null without DP, "inf" for DP-SGD without noise."""
    if epsilon is None:
        return None
    return "inf" if math.isinf(epsilon) else epsilon


def _settings(cfg: PrivacyLeakageConfig) -> dict[str, Any]:
    skip = {"kind", "name", "question", "arms", "threads", "output_dir", "results_file"}
    now = {k: v for k, v in cfg.model_dump(mode="json").items() if k not in skip}
    now["arms"] = {a.name: [a.deidentified, epsilon_field(a.epsilon)] for a in cfg.arms}
    return now


def _claim(cfg: PrivacyLeakageConfig, out: Path) -> dict[str, dict[str, Any]]:
    """Rows measured by an earlier run with the same settings (others are refused, not mixed);
    an arm of the same name defined otherwise counts as a different setting."""
    now, differ = _settings(cfg), []
    before = previous_settings(out)
    if before is not None:
        arms = before.get("arms", {})
        differ = [k for k in now if k != "arms" and before.get(k) != now[k]]
        differ += [f"arm {n}" for n, v in now["arms"].items() if n in arms and arms[n] != v]
        now["arms"] = {**arms, **now["arms"]}
    return claim(out, now, differ)


def _spec(model: str) -> str:
    return model if ":" in model else f"hf:{model}"


def _hf(model: Any, spec: str) -> HFModel:
    if not isinstance(model, HFModel):
        raise MedllmError(
            f"study model {spec}: a {model.backend} model cannot be fine-tuned here",
            fix="use an hf model: model: hf:default (the embedded model) or hf:DIR",
        )
    return model


def check_lengths(model: HFModel, texts: Sequence[str], cfg: PrivacyLeakageConfig) -> None:
    """Every row must fit max_length whole: a cut note would be scored on text never trained."""
    from medllm.evaluate.leakage.data import CONTEXT

    room = cfg.max_length - len(model.tokenize(CONTEXT, add_special=True)) - 1  # 1: the EOS
    longest = max(len(model.tokenize(" " + t)) for t in texts)
    if longest > room:
        raise MedllmError(
            f"study {cfg.name}: a note of {longest} tokens does not fit max_length "
            f"{cfg.max_length} with its prompt",
            fix=f"raise max_length to {cfg.max_length + longest - room} or lower note_chars",
        )


def train_config(cfg: PrivacyLeakageConfig, arm: LeakageArm, rows: Path, out: Path) -> SftConfig:
    """The SFT recipe's config of one arm: LoRA, no packing (DP-SGD's unit is one row)."""
    dp = None
    if arm.epsilon is not None:
        dp = {"epsilon": arm.epsilon, "delta": cfg.dp_delta, "max_grad_norm": cfg.dp_max_grad_norm}
    return SftConfig.model_validate(
        {
            "model": cfg.model,
            "mode": "lora",
            "output_dir": str(out),
            "prompt_format": "text",
            "lora": {"r": cfg.lora_r, "alpha": 2 * cfg.lora_r},
            "data": {"files": [str(rows)], "seed": cfg.seed},
            "optim": {
                "max_steps": cfg.steps,
                "batch_size": cfg.batch_size,
                "learning_rate": cfg.learning_rate,
                "lr_scheduler": "linear",
                "max_length": cfg.max_length,
                "packing": False,
                "save_steps": cfg.steps + 1,  # no checkpoints: an arm is retrained whole
                "logging_steps": max(1, cfg.steps // 8),
                "tensorboard": False,
                "seed": cfg.seed,
            },
            "privacy": {"dp": dp},
        }
    )


def _train(cfg: PrivacyLeakageConfig, arm: LeakageArm, rows: Path, out: Path) -> dict[str, Any]:
    """Train the arm (unless its final model is on disk) → the run's result summary."""
    meta = out / arm.name / FINAL / RUN_META
    if not meta.is_file():
        run_sft(train_config(cfg, arm, rows, out / arm.name))
    result = dict(json.loads(meta.read_text(encoding="utf-8"))["result"])
    keep = ["steps", "final_loss", "train_seconds", "train_tokens"]
    keep += ["epsilon", "dp_delta", "dp_noise_multiplier", "dp_sample_rate"]
    return {k: result.get(k) for k in keep}


@dataclass(frozen=True)
class Inputs:
    data: StudyData
    deid_members: list[str] = field(repr=False)  # the members and non-members de-identified
    deid_held: list[str] = field(repr=False)
    rows: dict[bool, Path] = field(default_factory=dict)  # deidentified? -> SFT rows file


def prepare(cfg: PrivacyLeakageConfig, out: Path) -> Inputs:
    data = build_data(cfg)
    members = deidentified(data.members, cfg.deid_transform)
    held = deidentified(data.nonmembers, cfg.deid_transform)
    (out / "data").mkdir(exist_ok=True)
    rows = {False: out / "data" / "train_raw.jsonl", True: out / "data" / "train_deid.jsonl"}
    write_jsonl(rows[False], sft_rows(data.members))
    write_jsonl(rows[True], sft_rows(members))
    return Inputs(data, members, held, rows)


def arm_row(
    cfg: PrivacyLeakageConfig, arm: LeakageArm, inputs: Inputs, out: Path
) -> dict[str, Any]:
    """Train (or reuse) and measure one arm."""
    t0 = time.perf_counter()
    trained = _train(cfg, arm, inputs.rows[arm.deidentified], out)
    model = _hf(trained_model(out / arm.name / FINAL), arm.name)
    as_trained = (inputs.deid_members, inputs.deid_held) if arm.deidentified else None
    figures = measure(
        model, inputs.data, n_candidates=cfg.n_candidates, seed=cfg.seed, trained_on=as_trained
    )
    return {
        "name": arm.name,
        "epsilon": epsilon_field(arm.epsilon),
        "deidentified": arm.deidentified,
        **figures,
        "train": trained,
        "seconds": round(time.perf_counter() - t0, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),  # the machine's load as it was measured
    }


def base_row(cfg: PrivacyLeakageConfig, inputs: Inputs) -> dict[str, Any]:
    """The untrained model measured the same way, with the length check of every row."""
    t0 = time.perf_counter()
    spec = _spec(cfg.model)
    model = _hf(load_model(spec), spec)
    check_lengths(model, [*inputs.data.members, *inputs.deid_members], cfg)
    figures = measure(model, inputs.data, n_candidates=cfg.n_candidates, seed=cfg.seed)
    return {
        "name": BASE,
        "epsilon": None,
        "deidentified": False,
        **figures,
        "seconds": round(time.perf_counter() - t0, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def _selected(cfg: PrivacyLeakageConfig, only: Sequence[str] | None) -> list[LeakageArm]:
    names = select(cfg.name, [a.name for a in cfg.arms], only)
    return [a for a in cfg.arms if a.name in names]


def run_leakage(
    cfg: PrivacyLeakageConfig, progress: Progress | None = None, only: Sequence[str] | None = None
) -> Path:
    """Train and measure every arm (or those in `only`) not yet measured, then write the report
    from every measured arm; returns report.md's path."""
    from medllm.evaluate.leakage.report import write_report

    set_threads(cfg.threads)
    arms = _selected(cfg, only)
    out = Path(cfg.output_dir) / cfg.name
    t0 = time.perf_counter()
    with owner_only(out):
        done = _claim(cfg, out)
        inputs = prepare(cfg, out)
        # the untrained model first: it also checks every row fits max_length before training
        jobs: list[LeakageArm | None] = [] if BASE in done else [None]
        jobs += [a for a in arms if a.name not in done]
        with (out / ROWS).open("a", encoding="utf-8") as f:
            for i, arm in enumerate(jobs):
                if progress:
                    progress(f"S9: {arm.name if arm else BASE}", i, len(jobs))
                row = arm_row(cfg, arm, inputs, out) if arm else base_row(cfg, inputs)
                append_jsonl(f, row)
                done[row["name"]] = row
        return write_report(cfg, out, done, wall_s=time.perf_counter() - t0)
