"""Evaluation registries: tasks (one YAML each, shipped in the package's task_specs/ folder, plus
folders named by $MEDLLM_TASKS), item loaders, scoring modes; also the training sources built from
this stage's question generators, registered into `medllm.train`.

Kept light: nothing heavy is imported here (`medllm ls tasks` imports this module).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from medllm.core import Registry, schemas
from medllm.train import train_sources

schemas.register_lazy("task", "medllm.evaluate.spec:TaskSpec")
schemas.register_lazy("eval", "medllm.evaluate.config:EvalConfig")
schemas.register_lazy("study", "medllm.evaluate.config:StudyConfig")
schemas.register_lazy("vision_study", "medllm.evaluate.vision_study:VisionStudyConfig")
schemas.register_lazy("interpretability", "medllm.evaluate.explain.config:InterpretabilityConfig")
schemas.register_lazy("hallucination", "medllm.evaluate.hallucination.config:HallucinationConfig")
schemas.register_lazy("privacy_leakage", "medllm.evaluate.leakage.config:PrivacyLeakageConfig")
schemas.register_lazy(
    "federated_comparison", "medllm.evaluate.fedcompare.config:FederatedComparisonConfig"
)
# Training rows that ask this stage's own generated questions (see evaluate/choice/rows.py).
train_sources.register_lazy("hpo_choice", "medllm.evaluate.choice.hpo:build")
train_sources.register_lazy("icd10cm_choice", "medllm.evaluate.choice.icd10cm:build")

# name → path of the task's YAML spec
tasks: Registry[Path] = Registry("tasks", "evaluation tasks (task_specs/*.yaml, $MEDLLM_TASKS)")
# name → loader(spec) returning the items (list[Question]) and the few-shot pool
loaders: Registry[object] = Registry("loaders", "task item loaders (official formats, generators)")
# name → scoring function(model, spec, items, ...) (see medllm.evaluate.scoring)
modes: Registry[object] = Registry("modes", "scoring modes for `medllm eval --mode`")
# name → attribution(model, target, steps=, seed=) → one score per feature token (explain/methods.py)
attributions: Registry[object] = Registry(
    "attributions", "token attribution methods of `medllm explain` and the S10 study"
)


def task_dirs() -> list[Path]:
    """The package's task_specs folder, plus $MEDLLM_TASKS (os.pathsep-separated folders)."""
    shipped = resources.files("medllm.evaluate") / "task_specs"
    dirs = [Path(str(shipped))]  # a real folder: setuptools installs package data as files
    extra = os.environ.get("MEDLLM_TASKS", "")
    dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    return [d for d in dirs if d.is_dir()]


def _register_tasks() -> None:
    for folder in task_dirs():
        for path in sorted(folder.glob("*.yaml")):
            tasks.register(path.stem)(path)


_LOADERS = {
    "mmlu": "medllm.evaluate.loaders.mmlu:load",
    "medqa": "medllm.evaluate.loaders.medqa:load",
    "medmcqa": "medllm.evaluate.loaders.medmcqa:load",
    "pubmedqa": "medllm.evaluate.loaders.pubmedqa:load",
    "bioasq": "medllm.evaluate.loaders.bioasq:load",
    "icd10cm_concepts": "medllm.evaluate.loaders.icd10cm:load",
    "hpo_diagnosis": "medllm.evaluate.loaders.hpo:load",
    "radiology_impression": "medllm.evaluate.loaders.radiology:load",
    "counterfactual": "medllm.evaluate.counterfactual:load",
}
for _name, _target in _LOADERS.items():
    loaders.register_lazy(_name, _target)
for _mode in ("loglik", "loglik_options", "generate", "cot", "self_consistency", "fewshot"):
    modes.register_lazy(_mode, f"medllm.evaluate.scoring:score_{_mode}")
_ATTRIBUTIONS = {
    "ig": "integrated_gradients",
    "rollout": "attention_rollout",
    "random": "random_scores",
}
for _name, _fn in _ATTRIBUTIONS.items():
    attributions.register_lazy(_name, f"medllm.evaluate.explain.methods:{_fn}")
_register_tasks()
