"""`medllm federated ...`: simulate a federation of sites (Flower's simulation engine), or show
how a config splits the training rows into sites. Thin: parse, load config, call, print."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from medllm.core import load_config

app = typer.Typer(
    help="Federated LoRA fine-tuning across sites on Flower (FedAvg, FedProx, FedAdam, FedYogi).",
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


def _round_line(record: dict[str, Any]) -> None:
    sent = record["bytes_per_client"]
    console.print(
        f"round {record['round']}: eval loss {record['eval_loss']:.4f}, "
        f"{len(sent)} sites, {max(sent):,} bytes sent per site "
        f"({100 * record['bytes_fraction']:.2f}% of the model), {record['seconds']:.1f} s"
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
    )
