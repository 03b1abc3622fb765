"""Federated vs centralized (S8): the same LoRA SFT recipe, the same sites' rows and the same total
optimiser steps, trained centrally, federated (FedAvg, FedProx; IID and non-IID sites, on
Flower's simulation engine through `medllm.federated.simulate`) and at each site alone; every
model scored on a held-out knowledge-grounded task, the federated global adapter after each
round (docs/studies.md, S8).

    from medllm.evaluate.fedcompare import FederatedComparisonConfig, run_fedcompare
    report = run_fedcompare(load_config("configs/studies/s8_federated.yaml",
                                        FederatedComparisonConfig))

Heavy imports (torch, transformers, flwr) wait until an arm trains.
"""

from __future__ import annotations

from medllm.evaluate.fedcompare.config import ARMS, FederatedComparisonConfig
from medllm.evaluate.fedcompare.study import run_fedcompare

__all__ = ["ARMS", "FederatedComparisonConfig", "run_fedcompare"]
