"""The S10 interpretability study config (`kind: interpretability`, run by `medllm study run`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class InterpretabilityConfig(BaseModel):
    """Faithfulness of token attributions: on `n_items` multiple-choice items, each method's
    deletion and insertion curves (AOPC) for the model's chosen option, against random scores."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["interpretability"] = Field("interpretability", description="config kind")
    name: str = Field("s10_interpretability", description="study id (the output folder's name)")
    question: str = Field("", description="what the study answers, printed in the report")
    model: str = Field("hf:default", description="an hf model spec (the methods need its weights)")
    task: str = Field("icd10cm_concepts", description="a multiple-choice task (`medllm ls tasks`)")
    n_items: int = Field(200, ge=1, description="items scored (a seeded sample of the task)")
    seed: int = Field(0, description="seed of the item sample, the random scores and the bootstrap")
    methods: list[str] = Field(
        ["ig", "rollout", "random"],
        min_length=2,
        description="attribution methods (`medllm ls attributions`); must include random",
    )
    ig_steps: int = Field(8, ge=2, description="integrated gradients: quadrature points")
    points: int = Field(
        4, ge=2, description="curve resolution: fractions 0, 1/points, ..., 1 of the tokens"
    )
    heatmaps: int = Field(3, ge=0, description="items whose heatmaps go inline in the report")
    threads: int | None = Field(
        None,
        ge=1,
        description="torch CPU threads (null = torch's default); 1 on a machine other jobs load",
    )
    output_dir: str = Field("runs/studies", description="where items.jsonl and the report go")
    results_file: str | None = Field(
        None, description="also write the results (methods → aopc, winner) to this JSON file"
    )

    @field_validator("methods")
    @classmethod
    def _known_methods(cls, methods: list[str]) -> list[str]:
        from medllm.evaluate.config import _known
        from medllm.evaluate.registry import attributions

        for m in methods:
            if wrong := _known(m, attributions.names(), "attribution method"):
                raise ValueError(wrong)
        if "random" not in methods:
            raise ValueError("add random: every method is measured against random scores")
        return methods

    @field_validator("task")
    @classmethod
    def _task_exists(cls, task: str) -> str:
        from medllm.evaluate.config import _task_problem

        if wrong := _task_problem(task):
            raise ValueError(wrong)
        return task
