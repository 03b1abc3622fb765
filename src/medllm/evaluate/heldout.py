"""Held-out accuracy of a model (in memory or a spec) on an evaluation task.

The evaluation tasks' test items are built from held-out records only (medllm.core.splits), the
same split the training builders exclude, so this measures generalisation, not recall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medllm.core import Progress
from medllm.models import load_model

# Option log-likelihood: the scoring where the embedded 135M model shows real signal (letter
# scoring is degenerate for it: it picks "A" every time; see DESIGN.md).
DEFAULT_MODE = "loglik_options"


def heldout_accuracy(
    model: Any,
    task: str,
    limit: int,
    *,
    mode: str = DEFAULT_MODE,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> float:
    """Accuracy (acc) of `model` on a seeded sample of `limit` items of `task` (all if it has no
    more; `medllm.evaluate.runner.select`, seed 0)."""
    from medllm.evaluate.runner import run_eval

    summary = run_eval(model, task, mode=mode, limit=limit, out_dir=out_dir, progress=progress)
    # a task given as a YAML path is reported under its name, which is the file's stem
    name = Path(task).stem if task.endswith((".yaml", ".yml")) else task
    return float(summary["results"][name]["acc"])


def heldout_scores(
    model: Any,
    tasks: list[str],
    limit: int,
    *,
    mode: str = DEFAULT_MODE,
    progress: Progress | None = None,
) -> dict[str, float]:
    return {
        task: heldout_accuracy(model, task, limit, mode=mode, progress=progress) for task in tasks
    }


def trained_model(final_dir: Path) -> Any:
    """A run's final/ folder (full model or LoRA adapter, merged) as an in-memory `hf` Model."""
    return load_model(f"hf:{final_dir}")
