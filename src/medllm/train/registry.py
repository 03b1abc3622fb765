"""Train-stage registries: config kinds for `medllm validate`, and built-in data sources.

Light on purpose (imported by `medllm ls`): every entry is a lazy "module:attr".
"""

from __future__ import annotations

from typing import Any

from medllm.core import Registry, schemas

for _kind, _cls in (
    ("cpt", "CptConfig"),
    ("sft", "SftConfig"),
    ("dpo", "DpoConfig"),
    ("export", "ExportConfig"),
    ("vlm", "VlmConfig"),
    ("accelerate", "AccelerateConfig"),  # accelerate launch files (no `kind:`, see load_any)
):
    _module = "vlm_config" if _kind == "vlm" else "config"
    schemas.register_lazy(_kind, f"medllm.train.{_module}:{_cls}")

train_sources: Registry[Any] = Registry(
    "train_sources",
    "training data builders (data.sources): name -> build(kind, split, limit, seed); other "
    "stages add theirs (evaluate: hpo_choice, icd10cm_choice)",
)
train_sources.register_lazy("icd10cm", "medllm.train.sources.icd10cm:build")
train_sources.register_lazy("icd10cm_lists", "medllm.train.sources.icd10cm_lists:build")
train_sources.register_lazy("hpo", "medllm.train.sources.hpo:build")
train_sources.register_lazy("hpo_families", "medllm.train.sources.hpo_families:build")
train_sources.register_lazy("who_medicines", "medllm.train.sources.who_medicines:build")
