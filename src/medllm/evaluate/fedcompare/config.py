"""The S8 federated-vs-centralized study config (`kind: federated_comparison`, `medllm study
run`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# arm -> (strategy or None, sites scheme): the study's fixed design; `arms` picks some of them
ARMS: dict[str, tuple[str | None, str]] = {
    "centralized": (None, "pooled"),
    "fedavg_iid": ("fedavg", "iid"),
    "fedprox_iid": ("fedprox", "iid"),
    "fedavg_noniid": ("fedavg", "noniid"),
    "fedprox_noniid": ("fedprox", "noniid"),
    "local_noniid": (None, "noniid"),
}


class FederatedComparisonConfig(BaseModel):
    """Centralized LoRA SFT vs FedAvg vs FedProx vs each site alone, IID and non-IID sites, the same
    rows and total steps per arm, scored on one held-out task."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["federated_comparison"] = Field("federated_comparison", description="config kind")
    name: str = Field("s8_federated", description="study id (the output folder's name)")
    question: str = Field("", description="what the study answers, printed in the report")
    model: str = Field("hf:default", description="start model: hf:default, hf:DIR or DIR")
    arms: list[str] = Field(
        default_factory=lambda: list(ARMS),
        min_length=1,
        description=f"arms to run, in order, from: {', '.join(ARMS)}",
    )
    sources: list[str] = Field(
        ["icd10cm"], min_length=1, description="training sources (`medllm ls train_sources`)"
    )
    rows: int = Field(
        192, ge=4, description="training records per source (seeded sample; icd10cm: ~2 rows each)"
    )
    sites: int = Field(4, ge=2, description="sites (hospitals) the rows are split into")
    label: Literal["source", "icd10cm_chapter"] = Field(
        "icd10cm_chapter", description="row label of the non-IID split"
    )
    alpha: float = Field(
        0.3, gt=0, description="non-IID sites: Dirichlet concentration of each label's split"
    )
    rounds: int = Field(3, ge=1, description="federated rounds")
    local_steps: int = Field(2, ge=1, description="optimiser steps per site per round")
    proximal_mu: float = Field(0.01, ge=0, description="FedProx's proximal weight mu")
    batch_size: int = Field(4, ge=1, description="rows per optimiser step (every arm)")
    learning_rate: float = Field(1e-3, gt=0, description="learning rate (AdamW, every arm)")
    max_length: int = Field(96, ge=16, description="tokens per training row")
    lora_r: int = Field(4, ge=1, description="LoRA rank")
    lora_targets: list[str] = Field(
        ["q_proj", "v_proj"], min_length=1, description="modules that get an adapter"
    )
    task: str = Field("icd10cm_concepts", description="held-out evaluation task")
    mode: str = Field("loglik_options", description="scoring mode of the task")
    n_items: int = Field(40, ge=1, description="task items scored per model (seeded sample)")
    heldout_rows: int = Field(
        8, ge=1, description="held-out rows the federation's server scores its loss on per round"
    )
    seed: int = Field(0, description="seed of the rows, the split, training and the items")
    threads: int | None = Field(
        None, ge=1, description="torch CPU threads (null = torch's default)"
    )
    output_dir: str = Field("runs/studies", description="where arms and the report go")
    results_file: str | None = Field(
        None, description="also write the summary to this JSON file (and the plot beside it)"
    )

    @field_validator("arms")
    @classmethod
    def _known(cls, arms: list[str]) -> list[str]:
        if unknown := [a for a in arms if a not in ARMS]:
            raise ValueError(f"unknown arm {', '.join(unknown)}: arms are {', '.join(ARMS)}")
        if dup := sorted({a for a in arms if arms.count(a) > 1}):
            raise ValueError(f"arm names must differ: {', '.join(dup)} repeated")
        return arms

    def total_steps(self) -> int:
        """Optimiser steps of every arm (a federation: sites x rounds x local steps)."""
        return self.sites * self.rounds * self.local_steps
