"""The Flower App that `medllm federated run` bundles (FAB) for the deployment engine: the
components its pyproject.toml names. The SuperLink's ServerApp process and each SuperNode's
ClientApp process import this module; everything else comes from the run config (the
federated config as JSON, the site count, --resume) and the node config (the site's index
and data folder), so one module serves every consortium.

    serverapp            the coordinator (any strategy, or FedAvg under SecAgg+)
    clientapp            a site
    clipping_clientapp   a site that clips its update first (central_dp.clipping: client)
    secagg_clientapp     a site under SecAgg+ (secagg)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medllm.federated.client import RUN_CONFIG_KEY, build_client_app, deployed_site
from medllm.federated.config import FederatedConfig


def _server_app() -> Any:
    from flwr.serverapp import ServerApp

    app = ServerApp()

    @app.main()
    def main(grid: Any, context: Any) -> None:
        serve(grid, context)

    return app


def serve(grid: Any, context: Any) -> None:
    """The ServerApp's main: the rounds the run config asks for, recorded under output_dir."""
    from medllm.core import MedllmError
    from medllm.federated.server import run_server, start_round
    from medllm.federated.simulate import check_dp_resume, eval_rows

    cfg = FederatedConfig.model_validate_json(str(context.run_config[RUN_CONFIG_KEY]))
    n_sites = int(str(context.run_config["sites"]))
    if n_sites < 2:
        raise MedllmError(f"{n_sites} site: federation needs at least 2", fix="add sites")
    done = start_round(cfg, bool(context.run_config["resume"]))
    check_dp_resume(cfg, done)
    noise = _central_noise(cfg, n_sites)
    held = eval_rows(cfg)
    if not done:  # what check_dp_resume reads back on a resume (the server has no site reports)
        run = {"site_count": n_sites, "strategy": cfg.strategy, "rounds": cfg.rounds}
        out = Path(cfg.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "sites.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    history = run_server(
        cfg, grid, n_sites, held, done=done, progress=_print_round, context=context, noise=noise
    )
    last = history["rounds"][-1] if history["rounds"] else None
    print(f"medllm: {len(history['rounds'])} round(s) recorded, last {last and last['round']}")


def _central_noise(cfg: FederatedConfig, n_sites: int) -> float | None:
    """central_dp's multiplier; a target epsilon is solved for the rows per site of the config's
    partition (or sites_dir), as `simulate` does: the server sees the sites' rows only in their
    replies. Sites given other data (`supernode --data`) get the ε their rows give, which the
    round records state."""
    from medllm.federated.server import central_noise
    from medllm.federated.simulate import planned_noise, prepare_sites

    if cfg.central_dp is None or cfg.central_dp.epsilon is None:
        return None if cfg.central_dp is None else central_noise(cfg, n_sites)
    return planned_noise(cfg, prepare_sites(cfg)[1])


def _print_round(record: dict[str, Any]) -> None:
    sites = [c["site"] for c in record["clients"]]
    print(
        f"medllm: round {record['round']}: eval loss {record['eval_loss']:.4f}, "
        f"sites {sites}, {record['seconds']:.1f} s",
        flush=True,
    )


serverapp = _server_app()
clientapp = build_client_app(deployed_site, "plain")
clipping_clientapp = build_client_app(deployed_site, "clip")
secagg_clientapp = build_client_app(deployed_site, "secagg")
