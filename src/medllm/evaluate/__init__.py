"""Evaluation: task specs, loaders, scoring modes, metrics, a resumable runner, an HTML report, and
studies (arms scored on the same tasks against a baseline arm, counterfactual bias tables;
docs/studies.md).

    from medllm.evaluate import run_eval
    summary = run_eval("llamacpp:default", "mmlu_medical", mode="loglik", limit=50, out_dir="runs/a")
    summary["results"]["mmlu_medical"]["acc"]

The top stage: it may use every stage below it, and none uses it.
"""

from __future__ import annotations

from medllm.evaluate.config import EvalConfig, StudyArm, StudyConfig, StudyRun
from medllm.evaluate.heldout import heldout_accuracy, heldout_scores, trained_model
from medllm.evaluate.runner import run_eval
from medllm.evaluate.studies import run_study
from medllm.evaluate.tasks import get_spec, load_task

__all__ = [
    "EvalConfig",
    "StudyArm",
    "StudyConfig",
    "StudyRun",
    "get_spec",
    "heldout_accuracy",
    "heldout_scores",
    "load_task",
    "run_eval",
    "run_study",
    "trained_model",
]
