"""Federated stage: LoRA fine-tuning across sites ("hospitals") on Flower, optionally with
Opacus DP-SGD at each site (the train stage's `privacy.dp`); only adapter tensors leave a site.

    from medllm.core import load_config
    from medllm.federated import FederatedConfig, simulate
    history = simulate(load_config("configs/federated/tiny.yaml", FederatedConfig))

On Flower's deployment engine (real processes, TLS, SuperNode authentication):

    link = start_superlink(cfg); nodes = [start_supernode(cfg, i) for i in range(3)]
    history = run_deployment(cfg)              # then stop(p) for each process

Partitioning (IID, whole label groups, Dirichlet-alpha skew) needs no torch; Flower, torch and
the train recipe load inside `simulate` and the apps.
"""

from __future__ import annotations

from medllm.federated.client import client_app
from medllm.federated.config import FederatedConfig, PartitionSection
from medllm.federated.deploy import run as run_deployment
from medllm.federated.deploy import start_superlink, start_supernode, stop
from medllm.federated.globalmodel import round_dir
from medllm.federated.partition import SiteReport, icd10cm_chapter, partition, report, site_files
from medllm.federated.server import server_app
from medllm.federated.simulate import prepare_sites, simulate

__all__ = [
    "FederatedConfig",
    "PartitionSection",
    "SiteReport",
    "client_app",
    "icd10cm_chapter",
    "partition",
    "prepare_sites",
    "report",
    "round_dir",
    "run_deployment",
    "server_app",
    "simulate",
    "site_files",
    "start_superlink",
    "start_supernode",
    "stop",
]
