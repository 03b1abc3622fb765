"""`medllm federated ...`: simulate a federation of sites (Flower's simulation engine), run it on
Flower's deployment engine as real processes (superlink, supernode, run), or show how a config
splits the training rows into sites. Thin: parse, load config, call, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from medllm.core import load_config

app = typer.Typer(
    help="Federated LoRA fine-tuning across sites on Flower (FedAvg, FedProx, FedAdam, FedYogi; "
    "SecAgg+, central DP): simulate on one machine, or superlink / supernode / run as real "
    "processes over TLS.",
    no_args_is_help=True,
)
console = Console()

ConfigArg = Annotated[Path, typer.Argument(help="federated YAML (see configs/federated/)")]
SetOpt = Annotated[list[str] | None, typer.Option("--set", help="override a field: --set rounds=5")]


def _sites_table(reports: list[Any]) -> Table:
    table = Table("site", "rows", "label mix", title="sites")
    for r in reports:
        mix = ", ".join(f"{k} {v}" for k, v in r.labels.items())
        table.add_row(r.site, str(r.rows), mix)
    return table


def dp_text(block: dict[str, Any] | None) -> str:
    """Central DP's budget so far, as a round line ends: "" without central DP."""
    if block is None:
        return ""
    eps = block.get("epsilon")
    spent = "ε = ∞ (no noise)" if eps is None else f"ε = {eps:.3f}"
    text = f", central DP {spent} at δ = {block['delta']:.3g} (a site's whole dataset)"
    if block.get("target_epsilon") is not None:
        text += (
            f", noise multiplier {block['noise_multiplier']:.4g} "
            f"(solved for target ε = {block['target_epsilon']:g})"
        )
    return text


def _round_line(record: dict[str, Any]) -> None:
    sent = record["bytes_per_client"]
    console.print(
        f"round {record['round']}: eval loss {record['eval_loss']:.4f}, "
        f"{len(sent)} sites, {max(sent):,} bytes sent per site "
        f"({100 * record['bytes_fraction']:.2f}% of the model), {record['seconds']:.1f} s"
        + dp_text(record.get("central_dp"))
    )


@app.command()
def sites(config: ConfigArg, set_: SetOpt = None) -> None:
    """Split the training rows into sites as `simulate` would, and print the per-site report."""
    from medllm.federated.config import FederatedConfig
    from medllm.federated.simulate import prepare_sites

    _, reports = prepare_sites(load_config(config, FederatedConfig, set_))
    console.print(_sites_table(reports))


@app.command()
def simulate(
    config: ConfigArg,
    set_: SetOpt = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue from the last round's global adapter")
    ] = False,
) -> None:
    """Run a federation in Flower's simulation engine: one virtual SuperNode per site."""
    from medllm.federated.config import FederatedConfig
    from medllm.federated.simulate import simulate as run

    cfg = load_config(config, FederatedConfig, set_)
    history = run(cfg, resume=resume, progress=_round_line)
    last = history["rounds"][-1]
    console.print(
        f"done: {len(history['rounds'])} rounds ({cfg.strategy}), eval loss {last['eval_loss']:.4f}; "
        f"global adapter: {Path(cfg.output_dir) / 'rounds' / ('round-' + str(last['round']))}"
        + dp_text(last.get("central_dp"))
    )


def _hold(proc: Any, what: str) -> None:
    """Wait on a started process until it ends or Ctrl-C, then stop it and its children."""
    from medllm.federated.deploy import stop

    try:
        code = proc.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        stop(proc)
    if code:
        console.print(f"{what} exited with code {code}; see its log under output_dir/logs/")
        raise typer.Exit(code)


@app.command()
def superlink(config: ConfigArg, set_: SetOpt = None) -> None:
    """Start Flower's SuperLink (the coordinator) over TLS; runs until Ctrl-C. Makes the CA and
    the SuperLink's certificate under deploy.certs_dir on first use."""
    from medllm.federated.config import FederatedConfig
    from medllm.federated.deploy import certs_dir, start_superlink

    cfg = load_config(config, FederatedConfig, set_)
    proc = start_superlink(cfg)
    auth = "on (register each SuperNode's key)" if cfg.deploy.node_auth else "off"
    console.print(
        f"SuperLink on https://{cfg.deploy.host}:{cfg.deploy.port}, CA {certs_dir(cfg) / 'ca.crt'}, "
        f"node authentication {auth}; log: {cfg.output_dir}/logs/superlink.log"
    )
    _hold(proc, "flower-superlink")


@app.command()
def supernode(
    config: ConfigArg,
    site: Annotated[int, typer.Option("--site", help="this site's index (0, 1, ...)")],
    data: Annotated[
        Path | None,
        typer.Option("--data", help="this site's folder of JSONL rows; unset: from the config"),
    ] = None,
    set_: SetOpt = None,
) -> None:
    """Start a site's Flower SuperNode; with deploy.node_auth it makes the site's key pair and
    registers the public key with the SuperLink first. Runs until Ctrl-C."""
    from medllm.federated.config import FederatedConfig
    from medllm.federated.deploy import start_supernode

    cfg = load_config(config, FederatedConfig, set_)
    proc = start_supernode(cfg, site, data)
    console.print(
        f"SuperNode site {site} -> {cfg.deploy.host}:{cfg.deploy.port}; "
        f"log: {cfg.output_dir}/logs/supernode-{site}.log"
    )
    _hold(proc, "flower-supernode")


@app.command()
def run(
    config: ConfigArg,
    set_: SetOpt = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="continue from the last round's global adapter")
    ] = False,
    timeout: Annotated[
        float | None, typer.Option("--timeout", help="give up after this many seconds")
    ] = None,
) -> None:
    """Run the federation on the started SuperLink and SuperNodes (`flwr run`), streaming
    Flower's log; the server records rounds as `simulate` does."""
    from medllm.federated.config import FederatedConfig
    from medllm.federated.deploy import run as deploy_run

    cfg = load_config(config, FederatedConfig, set_)
    history = deploy_run(cfg, resume=resume, timeout=timeout, echo=typer.echo)
    last = history["rounds"][-1]
    console.print(
        f"done: {len(history['rounds'])} rounds ({cfg.strategy}) on the deployment engine, "
        f"eval loss {last['eval_loss']:.4f}"
    )
