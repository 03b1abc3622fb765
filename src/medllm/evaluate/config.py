"""Evaluation configs: one run of `medllm eval` (`kind: eval`) and a study (`kind: study`, run by
`medllm study run`).

Every field is documented once here; `--set key.sub=value` overrides any of them, and the CLI's
options are the same fields.
"""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)


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


class StudyArm(_Strict):
    """One arm of a study: a model scored as it is (`config: base`: model × retrieval × scoring
    mode), or a cpt/sft/dpo recipe trained first and its model scored."""

    name: str = Field(..., description="label in the report; `--only` takes these names")
    config: str = Field(
        "base",
        description="'base' = score a model as it is; or the path of a cpt/sft/dpo YAML to train "
        "first (its trained model is scored)",
    )
    model: str | None = Field(
        None,
        description="model spec a base arm scores (default: the study's `model`; a base arm's "
        "`overrides: [model=SPEC]` is read too)",
    )
    rag: bool = Field(
        False, description="retrieval on: top-3 knowledge-base sources before every prompt"
    )
    mode: str | None = Field(
        None, description="scoring mode (`medllm ls modes`); default: the study's `mode`"
    )
    overrides: list[str] = Field(
        default_factory=list, description="--set style key=value overrides of the recipe"
    )
    start_from: str | None = Field(
        None, description="name of an earlier arm whose trained model this arm starts from"
    )

    @property
    def trains(self) -> bool:
        return self.config != "base"

    @field_validator("mode")
    @classmethod
    def _mode_exists(cls, mode: str | None) -> str | None:
        return _checked_mode(mode) if mode else mode

    @model_validator(mode="after")
    def _base_or_recipe(self) -> StudyArm:
        if self.trains and self.model is not None:
            raise ValueError(
                f"arm {self.name!r}: `model` is for base arms; a recipe arm sets its starting "
                "model with overrides: [model=SPEC]"
            )
        if self.trains and self.rag:
            raise ValueError(
                f"arm {self.name!r}: rag on a trained arm is not built; add a base arm with "
                f"model: hf:<output_dir>/<study>/{self.name}/final and rag: true"
            )
        if not self.trains and self.start_from:
            raise ValueError(f"arm {self.name!r}: start_from is for recipe arms (config: a YAML)")
        return self


StudyRun = StudyArm  # the name of one arm before studies had base arms of their own


def _known(name: str, names: list[str], what: str) -> str:
    """'' when `name` is one of `names`, else why not and what to write instead."""
    if name in names:
        return ""
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    listed = f"({what}s: {', '.join(names)})" if names else f"(there is no {what})"
    return f"no {what} named {name!r}; {hint}{listed}"


class StudyConfig(_Strict):
    """A study: arms (models × retrieval × scoring mode, or training recipes) scored on the same
    tasks, each against a baseline arm; writes report.json, report.md and report.html."""

    kind: Literal["study"] = Field("study", description="config kind")
    name: str = Field(..., description="study id, e.g. s2_finetuned_vs_base")
    question: str = Field("", description="what the study answers, printed in the report")
    arms: list[StudyArm] = Field(
        ...,
        min_length=1,
        validation_alias=AliasChoices("arms", "runs"),
        description="arms, trained (recipe arms) and scored in order (`runs:` is read too)",
    )
    baseline: str | None = Field(
        None, description="the arm every other arm is tested against (default: the first)"
    )
    tasks: list[str] = Field(
        ["icd10cm_concepts"],
        description="tasks (`medllm ls tasks`, or task YAML paths) every arm is scored on",
    )
    limit: int | None = Field(
        100,
        ge=1,
        validate_default=True,  # the default 100 is checked against counterfactual tasks too
        description="items per task (a seeded sample; null = all)",
    )
    model: str = Field("hf:default", description="model spec of base arms that name none")
    mode: str = Field(
        "loglik_options", description="scoring mode of arms that name none (`medllm ls modes`)"
    )
    seed: int = Field(0, description="seed of the --limit sample and of the bootstrap")
    batch_size: int = Field(16, ge=1, description="items per batch of model calls")
    cache: bool | str = Field(
        True, description="model-call cache: true = the medllm cache, false = none, or a path"
    )
    task_overrides: list[str] = Field(
        default_factory=list,
        description="task spec overrides for every task, e.g. options.n_items=40",
    )
    output_dir: str = Field("runs/studies", description="where arms and the report go")
    overrides: list[str] = Field(
        default_factory=list,
        description="key=value overrides applied to every trained arm (e.g. optim.max_steps=5)",
    )

    @property
    def baseline_arm(self) -> str:
        return self.baseline or self.arms[0].name

    # Each check is a field's own validator, so the error names that field (`field "baseline"`);
    # a field validator sees the fields defined above it (`info.data`).
    @field_validator("arms")
    @classmethod
    def _arm_names_resolve(cls, arms: list[StudyArm]) -> list[StudyArm]:
        names = [arm.name for arm in arms]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"arm name {twice[0]!r} given twice (arm names are unique)")
        for i, arm in enumerate(arms):
            if arm.start_from and (wrong := _known(arm.start_from, names[:i], "earlier arm")):
                raise ValueError(f"arm {arm.name!r}: start_from: {wrong}")
        return arms

    @field_validator("baseline")
    @classmethod
    def _baseline_is_an_arm(cls, baseline: str | None, info: ValidationInfo) -> str | None:
        names = [arm.name for arm in info.data.get("arms", [])]
        if baseline and names and (wrong := _known(baseline, names, "arm")):
            raise ValueError(wrong)
        return baseline

    @field_validator("tasks")
    @classmethod
    def _tasks_exist(cls, tasks: list[str]) -> list[str]:
        if wrong := next((p for p in map(_task_problem, tasks) if p), None):
            raise ValueError(wrong)
        return tasks

    @field_validator("limit")
    @classmethod
    def _no_limit_on_versions(cls, limit: int | None, info: ValidationInfo) -> int | None:
        if limit is not None:
            for task in info.data.get("tasks", []):
                if _loader(task) == "counterfactual":
                    # `limit` samples a task's items: here versions of one question, split apart
                    raise ValueError(
                        f"task {task!r} asks each question once per group, and limit would "
                        "sample versions apart; set limit: null and task_overrides: "
                        "[options.n_items=N] (questions)"
                    )
        return limit

    @field_validator("mode")
    @classmethod
    def _mode_exists(cls, mode: str) -> str:
        return _checked_mode(mode)


def _checked_mode(mode: str) -> str:
    from medllm.evaluate.spec import MODES

    if wrong := _known(mode, list(MODES), "scoring mode"):
        raise ValueError(wrong)
    return mode


def _loader(task: str) -> str | None:
    from medllm.core import MedllmError
    from medllm.evaluate.tasks import get_spec

    try:
        return get_spec(task).loader
    except MedllmError:
        return None  # reported by the tasks check


def _task_problem(task: str) -> str:
    from medllm.core import MedllmError
    from medllm.evaluate.tasks import get_spec

    try:
        get_spec(task)
    except MedllmError as e:
        return f"task {task!r}: {e}"
    return ""
