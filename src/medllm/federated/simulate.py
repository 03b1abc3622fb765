"""`simulate(cfg)`: sites → Flower's simulation engine (one virtual SuperNode per site, the
ServerApp in this process) → history.json and a checkpoint of the global adapter per round."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from medllm.core import DataError, MedllmError
from medllm.federated.client import client_app
from medllm.federated.config import FederatedConfig
from medllm.federated.partition import (
    SiteReport,
    partition,
    report,
    site_files,
    site_folders,
    write_sites,
)
from medllm.federated.server import (
    Progress,
    central_noise,
    read_history,
    server_app,
    start_round,
)
from medllm.train import DataSection, Row, build_rows

SITES = "sites_data"  # output_dir/sites_data/site-<i>/train.jsonl when partitioned here


def prepare_sites(cfg: FederatedConfig) -> tuple[list[Path], list[SiteReport]]:
    """The site folders (the user's, or a partition of sft.data written under output_dir)."""
    if cfg.sites_dir is not None:
        folders = site_folders(cfg.sites_dir)
        per_site = [build_rows(DataSection(files=site_files(f)), "sft") for f in folders]
        return folders, report(per_site, "source")
    p = cfg.partition
    rows = build_rows(cfg.sft.data, "sft")
    sites = partition(rows, p.sites, scheme=p.scheme, label=p.label, alpha=p.alpha, seed=p.seed)
    paths = write_sites(sites, Path(cfg.output_dir) / SITES)
    return [x.parent for x in paths], report(sites, p.label)


def eval_rows(cfg: FederatedConfig) -> list[Row]:
    if cfg.eval_files:
        return build_rows(DataSection(files=cfg.eval_files), "sft")
    rows = build_rows(cfg.sft.data, "sft", split="heldout")
    if not rows:
        raise DataError(
            "no held-out rows to score the global adapter on",
            field="eval_files",
            fix="set eval_files, or sft.data.sources (their held-out split is used)",
        )
    return rows


def simulate(
    cfg: FederatedConfig, *, resume: bool = False, progress: Progress | None = None
) -> dict[str, Any]:
    """Run (or resume) the federation; returns history.json's content."""
    from flwr.simulation import run_simulation

    done = start_round(cfg, resume)
    folders, reports = prepare_sites(cfg)
    if len(folders) < 2:
        raise MedllmError(
            f"{len(folders)} site: federation needs at least 2",
            fix="set partition.sites >= 2, or give sites_dir with 2+ site folders",
        )
    # central DP's multiplier for the planned rows per site, solved (or refused) before training
    noise = planned_noise(cfg, reports)
    held = eval_rows(cfg)
    out = Path(cfg.output_dir)
    check_dp_resume(cfg, done)
    out.mkdir(parents=True, exist_ok=True)
    sites = {"sites": [asdict(r) for r in reports], "strategy": cfg.strategy, "rounds": cfg.rounds}
    (out / "sites.json").write_text(json.dumps(sites, indent=2), encoding="utf-8")
    if done < cfg.rounds:
        run_simulation(
            server_app=server_app(
                cfg, len(folders), held, done=done, progress=progress, noise=noise
            ),
            client_app=client_app(cfg, folders),
            num_supernodes=len(folders),
            backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0}},
        )
    history = read_history(out)
    if len(history["rounds"]) < cfg.rounds:
        raise MedllmError(
            f"the federation stopped after {len(history['rounds'])} of {cfg.rounds} rounds",
            fix="see Flower's log above for the failing site; then rerun with --resume",
        )
    return history


def planned_noise(cfg: FederatedConfig, reports: list[SiteReport]) -> float | None:
    """central_dp's noise multiplier, solved from central_dp.epsilon for the rows per site the
    config's partition (or sites_dir) defines; None without central_dp."""
    if cfg.central_dp is None:
        return None
    return central_noise(cfg, len(reports), [float(r.rows) for r in reports])


def check_dp_resume(cfg: FederatedConfig, done: int) -> None:
    """With DP the noise is set for `rounds` (x local steps): resuming with another `rounds`
    would account the earlier rounds with a noise they did not use."""
    before = Path(cfg.output_dir) / "sites.json"
    central = cfg.central_dp is not None and cfg.central_dp.epsilon is not None
    field = "sft.privacy.dp" if cfg.sft.privacy.dp is not None else "central_dp.epsilon"
    if not done or (cfg.sft.privacy.dp is None and not central) or not before.is_file():
        return
    rounds = json.loads(before.read_text(encoding="utf-8")).get("rounds")
    if rounds != cfg.rounds:
        raise MedllmError(
            f"--resume with {field}: rounds is {cfg.rounds}, the run began with {rounds}",
            fix=f"resume with rounds={rounds} (the DP noise was chosen for it)",
        )
