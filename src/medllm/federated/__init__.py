"""Federated stage: LoRA fine-tuning across sites ("hospitals") on Flower, with Opacus DP-SGD at
each site; only adapter tensors leave a site.

    from medllm.federated import simulate, load_federated_config
    result = simulate(load_federated_config("configs/federated/tiny.yaml"))

Partitioning (IID, whole label groups, Dirichlet-α skew) needs no torch; Flower, torch and the
train recipes load inside `simulate` and the apps.
"""

from __future__ import annotations

from medllm.federated.config import FederatedConfig, PartitionSection
from medllm.federated.partition import SiteReport, icd10cm_chapter, partition, report

__all__ = [
    "FederatedConfig",
    "PartitionSection",
    "SiteReport",
    "icd10cm_chapter",
    "partition",
    "report",
]
