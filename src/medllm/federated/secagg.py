"""Secure aggregation with Flower's SecAgg+ (`secagg` config): each site masks its quantised,
row-weighted adapter with pairwise and private masks (`secaggplus_mod`); the server
(`SecAggPlusWorkflow`) can unmask only the sum, so it never sees one site's adapter. Flower's
SecAgg+ workflow drives its legacy `Strategy` API, so this path runs Flower's legacy FedAvg
inside a `DefaultWorkflow`, with the same scoring / checkpoints (`RoundBook`) as the others.

Quantisation error of the aggregate, per value (Flower's stochastic rounding, < 1 level per
site): at most sites x 2 x clipping_range / quantization_range / sum_k(rows_k / max_weight).
"""

from __future__ import annotations

from typing import Any

from medllm.federated.client import Site, payload_bytes, train_site
from medllm.federated.config import FederatedConfig, SecAggSection


def error_bound(sec: SecAggSection, rows: list[int]) -> float:
    """The largest |SecAgg+ aggregate - FedAvg aggregate| of one value, sites' rows `rows`."""
    return (
        len(rows)
        * 2
        * sec.clipping_range
        / sec.quantization_range
        / sum(r / sec.max_weight for r in rows)
    )


def secagg_client_fn(resolve: Site) -> Any:
    """Flower's `client_fn` for a ClientApp under `secaggplus_mod`: a NumPyClient whose `fit`
    runs the site's local SFT round on the global adapter (tensors in peft's key order)."""
    import numpy as np
    from flwr.client import NumPyClient

    class SiteClient(NumPyClient):  # type: ignore[misc]
        def __init__(self, context: Any) -> None:
            self.cfg, self.folder, self.site = resolve(context)

        def fit(self, parameters: list[Any], config: dict[str, Any]) -> Any:
            import torch
            from flwr.app import ArrayRecord

            state, metrics = train_site(
                self.cfg,
                self.folder,
                [torch.from_numpy(np.asarray(p)) for p in parameters],
                int(config["server-round"]) + int(config.get("round-offset", 0)),
                0.0,
            )
            arrays = [v.numpy() for v in state.values()]
            sent = payload_bytes(ArrayRecord(arrays))  # before quantising and masking
            return (
                arrays,
                int(metrics.pop("num-examples")),
                {
                    **metrics,
                    "site": self.site,
                    "bytes_sent": sent,
                },
            )

    return lambda context: SiteClient(context).to_client()


def run_secagg(cfg: FederatedConfig, grid: Any, context: Any, book: Any) -> None:
    """Rounds done+1 .. cfg.rounds of FedAvg under SecAgg+; `book` scores and records them."""
    import torch
    from flwr.common import ndarrays_to_parameters
    from flwr.server import LegacyContext, ServerConfig
    from flwr.server.strategy import FedAvg
    from flwr.server.workflow import DefaultWorkflow, SecAggPlusWorkflow

    sec = cfg.secagg
    assert sec is not None
    start = book.model.state()
    names = list(start)

    def evaluate(server_round: int, arrays: list[Any], _: dict[str, Any]) -> Any:
        state = {
            k: torch.from_numpy(a.copy()).to(start[k].dtype)
            for k, a in zip(names, arrays, strict=True)
        }
        return book.evaluate(server_round, state), {}

    def fit_metrics(results: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
        book.on_replies([{**m, "num-examples": float(n)} for n, m in results])
        return {}

    strategy = FedAvg(
        fraction_fit=1.0,
        fraction_evaluate=0.0,
        min_fit_clients=book.need,
        min_available_clients=book.need,
        evaluate_fn=evaluate,
        on_fit_config_fn=lambda r: {"server-round": r, "round-offset": book.done},
        fit_metrics_aggregation_fn=fit_metrics,
        initial_parameters=ndarrays_to_parameters([v.numpy() for v in start.values()]),
    )
    legacy = LegacyContext(
        context=context,
        config=ServerConfig(num_rounds=cfg.rounds - book.done, round_timeout=cfg.round_timeout_s),
        strategy=strategy,
    )
    workflow = SecAggPlusWorkflow(
        num_shares=sec.num_shares,
        reconstruction_threshold=sec.reconstruction_threshold,
        max_weight=sec.max_weight,
        clipping_range=sec.clipping_range,
        quantization_range=sec.quantization_range,
        timeout=cfg.round_timeout_s,
    )
    DefaultWorkflow(fit_workflow=workflow)(grid, legacy)
