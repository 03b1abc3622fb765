"""Interpretability (S10): token attributions of a model's answer (integrated gradients via
Captum, attention rollout, random), leave-one-source-out over retrieved sources, deletion /
insertion curves with their AOPC, HTML heatmaps, and the study that measures faithfulness.

    from medllm.evaluate.explain import explain
    e = explain("Which ICD-10-CM code is iron deficiency anemia?", load_model("hf:default"), "ig")

Heavy imports (torch, captum) wait until a method runs.
"""

from __future__ import annotations

from medllm.evaluate.explain.config import InterpretabilityConfig
from medllm.evaluate.explain.explainer import CLI_METHODS, Explanation, check_method, explain
from medllm.evaluate.explain.study import run_interpretability

__all__ = [
    "CLI_METHODS",
    "Explanation",
    "InterpretabilityConfig",
    "check_method",
    "explain",
    "run_interpretability",
]
