"""Federated-stage registrations: the `kind: federated` config for `medllm validate`."""

from __future__ import annotations

from medllm.core import schemas

schemas.register_lazy("federated", "medllm.federated.config:FederatedConfig")
