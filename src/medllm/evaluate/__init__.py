"""Evaluation: task specs, loaders, scoring modes, metrics, a resumable runner and an HTML report.

from medllm.evaluate import run_eval
summary = run_eval("llamacpp:default", "mmlu_medical", mode="loglik", limit=50, out_dir="runs/a")
summary["results"]["mmlu_medical"]["acc"]
"""

from __future__ import annotations

from typing import Any


def run_eval(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """See `medllm.evaluate.runner.run_eval` (imported lazily: it pulls numpy/scipy)."""
    from medllm.evaluate.runner import run_eval as _run

    return _run(*args, **kwargs)


__all__ = ["run_eval"]
