"""The S9 privacy-leakage study config (`kind: privacy_leakage`, run by `medllm study run`)."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class LeakageArm(BaseModel):
    """One way of training on the notes: raw or de-identified text, with or without DP-SGD."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., pattern=r"^[A-Za-z0-9_.-]+$", description="arm id (a folder name)")
    deidentified: bool = Field(False, description="train on the de-identified notes")
    epsilon: float | None = Field(
        None,
        gt=0,
        description="DP-SGD (Opacus) target epsilon at the study's dp_delta; .inf: DP-SGD's "
        "clipping and sampling without noise; null: plain training",
    )


def _default_arms() -> list[LeakageArm]:
    return [
        LeakageArm(name="raw"),
        LeakageArm(name="deid", deidentified=True),
        LeakageArm(name="dp_eps1", epsilon=1.0),
        LeakageArm(name="dp_eps4", epsilon=4.0),
        LeakageArm(name="dp_eps8", epsilon=8.0),
        LeakageArm(name="dp_eps_inf", epsilon=math.inf),
    ]


class PrivacyLeakageConfig(BaseModel):
    """Fine-tune on synthetic notes holding PHI-shaped canaries, once per arm with the same steps;
    measure canary exposure, loss-based membership AUC and held-out next-token accuracy."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["privacy_leakage"] = Field("privacy_leakage", description="config kind")
    name: str = Field("s9_privacy", description="study id (the output folder's name)")
    question: str = Field("", description="what the study answers, printed in the report")
    model: str = Field("hf:default", description="start model: hf:default, hf:DIR or DIR")
    arms: list[LeakageArm] = Field(
        default_factory=_default_arms, min_length=1, description="the training arms, in order"
    )
    n_train: int = Field(64, ge=4, description="training notes (the members)")
    n_heldout: int = Field(64, ge=2, description="held-out notes (non-members, utility)")
    note_chars: int = Field(
        320, ge=40, description="each note's first characters (cut at a space) are used"
    )
    canaries: int = Field(4, ge=1, description="canaries inserted into the training notes")
    canary_repeats: int = Field(2, ge=1, description="training notes that hold each canary")
    canary_digits: int = Field(7, ge=4, le=12, description="digits of a canary's record number")
    n_candidates: int = Field(
        200, ge=10, description="random secrets a canary is ranked against (exposure)"
    )
    seed: int = Field(0, description="seed of the notes, canaries, training and DP noise")
    steps: int = Field(24, ge=1, description="optimiser steps of every arm")
    batch_size: int = Field(
        8, ge=1, description="rows per step (DP-SGD: the expected Poisson batch)"
    )
    learning_rate: float = Field(2e-3, gt=0, description="peak learning rate (AdamW, linear)")
    max_length: int = Field(96, ge=16, description="tokens per training row (prompt + note)")
    lora_r: int = Field(16, ge=1, description="LoRA rank (every arm trains LoRA: DP-SGD needs it)")
    dp_delta: float = Field(1e-3, gt=0, lt=1, description="delta of every DP arm's guarantee")
    dp_max_grad_norm: float = Field(1.0, gt=0, description="DP-SGD per-row clipping norm")
    deid_transform: str = Field(
        "redact", description="de-identification transform (`medllm ls transforms`)"
    )
    threads: int | None = Field(
        None,
        ge=1,
        description="torch CPU threads (null = torch's default); 1 on a machine other jobs load",
    )
    output_dir: str = Field("runs/studies", description="where arms, rows and the report go")
    results_file: str | None = Field(
        None, description="also write the arms table to this JSON file (and the plot beside it)"
    )

    @field_validator("arms")
    @classmethod
    def _distinct(cls, arms: list[LeakageArm]) -> list[LeakageArm]:
        names = [a.name for a in arms]
        if dup := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"arm names must differ: {', '.join(dup)} repeated")
        return arms

    @field_validator("canary_repeats")
    @classmethod
    def _fits(cls, repeats: int, info: ValidationInfo) -> int:
        n, c = info.data.get("n_train"), info.data.get("canaries")
        if n is not None and c is not None and c * repeats > n:
            raise ValueError(
                f"{c} canaries x {repeats} repeats need {c * repeats} training notes, "
                f"n_train is {n}: raise n_train or lower canaries / canary_repeats"
            )
        return repeats
