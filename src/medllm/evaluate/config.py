"""Evaluation configs: one run of `medllm eval` (`kind: eval`) and a study (`kind: study`).

Every field is documented once here; `--set key.sub=value` overrides any of them, and the CLI's
options are the same fields.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvalConfig(_Strict):
    """One evaluation run: tasks × one model × one scoring mode → a result folder."""

    kind: Literal["eval"] = Field("eval", description="config kind")
    model: str = Field(
        "llamacpp:default",
        description="model spec: llamacpp:default, hf:DIR, openai:URL#name, rag:SPEC",
    )
    tasks: list[str] = Field(
        default_factory=list, description="task names (`medllm ls tasks`) or task YAML paths"
    )
    mode: str | None = Field(
        None, description="scoring mode (`medllm ls modes`); none = each task's own"
    )
    limit: int | None = Field(
        None, ge=1, description="score only this many items per task (a seeded sample)"
    )
    seed: int = Field(0, description="seed for --limit sampling, few-shot draws and sampling modes")
    out_dir: str | None = Field(
        None, description="result folder; rerunning the same run there resumes"
    )
    cache: bool | str = Field(
        True, description="model-call cache: true = the medllm cache, false = none, or a path"
    )
    batch_size: int = Field(16, ge=1, description="items per batch of model calls")
    num_fewshot: int | None = Field(
        None, ge=0, description="shots for mode fewshot (default: the task's)"
    )
    k: int = Field(5, ge=1, description="samples per item for mode self_consistency")
    overrides: list[str] = Field(
        default_factory=list, description="task spec overrides, e.g. path=/data/test.jsonl"
    )


class StudyRun(_Strict):
    """One arm of a study: a recipe config plus overrides."""

    name: str = Field(..., description="label in the report")
    config: str = Field(..., description="path of a cpt/sft/dpo YAML (or 'base' for no training)")
    overrides: list[str] = Field(
        default_factory=list, description="--set style key=value overrides"
    )
    start_from: str | None = Field(
        None, description="name of an earlier run whose trained model this run starts from"
    )


class StudyConfig(_Strict):
    """A study: runs several training arms, scores each on held-out tasks, writes a report."""

    kind: Literal["study"] = Field("study", description="config kind")
    name: str = Field(..., description="study id, e.g. s2_finetuned_vs_base")
    question: str = Field("", description="what the study answers, printed in the report")
    runs: list[StudyRun] = Field(..., min_length=1, description="arms, trained and scored in order")
    tasks: list[str] = Field(
        ["icd10cm_concepts"], description="evaluation tasks (held-out items) to score"
    )
    limit: int = Field(100, ge=1, description="items per task")
    output_dir: str = Field("runs/studies", description="where runs and report.md / report.json go")
    overrides: list[str] = Field(
        default_factory=list,
        description="key=value overrides applied to every trained arm (e.g. optim.max_steps=5)",
    )

    @model_validator(mode="after")
    def _arm_names_unique(self) -> StudyConfig:
        names = [run.name for run in self.runs]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"arm name {twice[0]!r} given twice (arm names are unique)")
        return self
