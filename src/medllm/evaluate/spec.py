"""Task specs: the frozen, versioned description of one evaluation task (`task_specs/*.yaml`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["loglik", "loglik_options", "generate", "cot", "self_consistency", "fewshot"]
MODES: tuple[str, ...] = (
    "loglik",
    "loglik_options",
    "generate",
    "cot",
    "self_consistency",
    "fewshot",
)

MC_PROMPT = (
    "The following are multiple choice questions (with answers) about {subject}.\n\n"
    "{question}\n{choices}\nAnswer:"
)


class TaskSpec(BaseModel):
    """One task: where its items come from, how they are asked, how they are scored."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="task name used on the command line (names the variant)")
    version: int = Field(1, description="bumped whenever items, prompt or scoring change")
    description: str = Field("", description="one line on what the task measures")
    loader: str = Field(
        description="loader registry name that yields the items (`medllm ls loaders`)"
    )
    path: str | None = Field(
        None, description="data file or folder for official-format loaders (user-given)"
    )
    options: dict[str, Any] = Field(
        default_factory=dict, description="loader options (subjects, n_options, n_items, seed...)"
    )
    split: str = Field(
        "test",
        description="which split the items come from: an official file's (test); a generated "
        "task's records (medllm.core.splits): heldout (all held-out), its halves dev (to choose "
        "on) and test (to report once), or train",
    )
    output: Literal["multiple_choice", "generate"] = Field(
        "multiple_choice", description="multiple_choice: pick an option; generate: free text"
    )
    prompt: str = Field(
        MC_PROMPT, description="template with {question}, {choices}, {subject}, {context}"
    )
    mode: Mode = Field("loglik", description="default scoring mode when the CLI gives none")
    variant: Literal["none", "nota", "false_confidence"] = Field(
        "none", description="Med-HALT transform: none-of-the-above or false-confidence"
    )
    num_fewshot: int = Field(
        3,
        ge=0,
        description="shots for the `fewshot` mode, from the loader's pool (disjoint from the items)",
    )
    max_tokens: int = Field(32, ge=1, description="generation budget for generate mode")
    group_by_subject: bool = Field(
        False, description="report per-subject subtasks and the size-weighted group score"
    )
