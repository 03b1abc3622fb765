"""The S8 federated-vs-centralized study (`kind: federated_comparison`, `medllm study run`).

The training rows are split once into IID sites and once into non-IID sites (Dirichlet label
skew); every arm then trains the same LoRA SFT recipe for the same total optimiser steps
(sites x rounds x local steps): centralized on all sites' rows pooled, FedAvg / FedProx through
the federated stage's Flower simulation (each site `local_steps` per round), and local-only as
each non-IID site alone for its share (rounds x local steps). Every model, and the federated
global adapter after every round, is scored on the held-out task by the evaluation harness.

Rows and adapters are written owner-only under `<output_dir>/<name>/`; each arm's figures are
appended to `arms.jsonl` when it is done, so a rerun trains only the arms not yet measured.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.core import MedllmError, Progress, append_jsonl, owner_only
from medllm.evaluate.fedcompare.config import ARMS, FederatedComparisonConfig
from medllm.evaluate.trained_arms import ROWS, claim, previous_settings, select, set_threads

BASE = "base"  # the reference row: the untrained model (a fresh LoRA adds nothing)
ADAPTER_FILE = "adapter_model.safetensors"  # peft's save_pretrained file name


def _settings(cfg: FederatedComparisonConfig) -> dict[str, Any]:
    skip = {"kind", "name", "question", "arms", "threads", "output_dir", "results_file"}
    return {k: v for k, v in cfg.model_dump(mode="json").items() if k not in skip}


def _claim(cfg: FederatedComparisonConfig, out: Path) -> dict[str, dict[str, Any]]:
    """Rows measured by an earlier run with the same settings (other settings are refused)."""
    now = _settings(cfg)
    before = previous_settings(out)
    differ = [k for k in now if before.get(k) != now[k]] if before is not None else []
    return claim(out, now, differ)


def sft_section(
    cfg: FederatedComparisonConfig, steps: int, out: Path, files: Sequence[str | Path] = ()
) -> dict[str, Any]:
    """The one LoRA SFT recipe every arm runs (a site per round, or an arm whole)."""
    data: dict[str, Any] = {"seed": cfg.seed}
    if files:
        data["files"] = [str(f) for f in files]
    else:  # the federation's sections: sources give the server its held-out rows
        data |= {"sources": cfg.sources, "limit": cfg.rows, "heldout_limit": cfg.heldout_rows}
    return {
        "model": cfg.model,
        "mode": "lora",
        "output_dir": str(out),
        "lora": {"r": cfg.lora_r, "alpha": 2 * cfg.lora_r, "target_modules": cfg.lora_targets},
        "data": data,
        "optim": {
            "max_steps": steps,
            "batch_size": cfg.batch_size,
            "learning_rate": cfg.learning_rate,
            "max_length": cfg.max_length,
            "save_steps": steps + 1,  # no checkpoints: an arm is retrained whole
            "logging_steps": max(1, steps // 4),
            "tensorboard": False,
            "seed": cfg.seed,
        },
    }


def fed_config(
    cfg: FederatedComparisonConfig, strategy: str, out: Path, sites_dir: Path | None = None
) -> Any:
    """The federated stage's config of one arm (or, without sites_dir, of the split itself)."""
    from medllm.federated import FederatedConfig

    data: dict[str, Any] = {
        "kind": "federated",
        "output_dir": str(out),
        "rounds": cfg.rounds,
        "strategy": strategy,
        "proximal_mu": cfg.proximal_mu,
        "sft": sft_section(cfg, cfg.local_steps, out / "sft"),
    }
    if sites_dir is not None:
        data["sites_dir"] = str(sites_dir)
    return FederatedConfig.model_validate(data)


def split_sites(cfg: FederatedComparisonConfig, out: Path, scheme: str) -> list[Path]:
    """The site folders of one split (written once, then read), under out/sites_<scheme>/."""
    from medllm.federated import prepare_sites

    root = out / f"sites_{scheme}"
    split = fed_config(cfg, "fedavg", root)
    fed = split.model_dump()
    fed["partition"] = {
        "sites": cfg.sites,
        "scheme": "iid" if scheme == "iid" else "dirichlet",
        "label": cfg.label,
        "alpha": cfg.alpha,
        "seed": cfg.seed,
    }
    folders, reports = prepare_sites(type(split).model_validate(fed))
    if empty := [f.name for f, r in zip(folders, reports, strict=True) if r.rows == 0]:
        raise MedllmError(
            f"study {cfg.name}: the {scheme} split left {', '.join(empty)} without rows",
            fix="raise rows, lower sites or raise alpha",
        )
    return folders


class Scorer:
    """The base model with one LoRA adapter slot, scored on the held-out task by the harness;
    built once, each arm's adapter tensors loaded into it in turn."""

    def __init__(self, cfg: FederatedComparisonConfig, out: Path) -> None:
        import torch
        from peft import get_peft_model

        from medllm.models import HFModel
        from medllm.train import SftConfig, load_model_and_tokenizer, peft_config

        sft = SftConfig.model_validate(sft_section(cfg, 1, out / "scorer"))
        base, tokenizer = load_model_and_tokenizer(sft)
        self.model_bytes = sum(p.numel() * p.element_size() for p in base.parameters())
        torch.manual_seed(cfg.seed)
        self.peft = get_peft_model(base, peft_config(sft)).eval()
        self.fresh = self.state()
        self.adapter_bytes = sum(v.numel() * v.element_size() for v in self.fresh.values())
        self.hf = HFModel(self.peft, tokenizer, name=f"{cfg.model}+lora")
        self.cfg, self.out = cfg, out

    def state(self) -> dict[str, Any]:
        from peft import get_peft_model_state_dict

        return {k: v.detach().clone() for k, v in get_peft_model_state_dict(self.peft).items()}

    def acc(self, adapter: Path | None, tag: str) -> float:
        """Accuracy with the adapter file `adapter` (None: the fresh LoRA = the base model)."""
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        from medllm.evaluate.runner import run_eval

        state = self.fresh if adapter is None else load_file(str(adapter))
        set_peft_model_state_dict(self.peft, state)
        cfg = self.cfg
        summary = run_eval(
            self.hf,
            [cfg.task],
            mode=cfg.mode,
            limit=cfg.n_items,
            seed=cfg.seed,
            cache=False,  # one model object, many adapters: a call cache would only cost
            out_dir=self.out / "scores" / tag,
        )
        return float(summary["results"][Path(cfg.task).stem]["acc"])


def _stamp(row: dict[str, Any], t0: float) -> dict[str, Any]:
    row["seconds"] = round(time.perf_counter() - t0, 1)
    row["load_avg_1m"] = round(os.getloadavg()[0], 2)  # the machine's load as it was measured
    return row


def _train(
    cfg: FederatedComparisonConfig, files: Sequence[str | Path], steps: int, out: Path
) -> Path:
    """Train one SFT run (unless its final adapter is on disk) → its adapter file."""
    from medllm.train import FINAL, SftConfig, run_sft

    adapter = out / FINAL / ADAPTER_FILE
    if not adapter.is_file():
        run_sft(SftConfig.model_validate(sft_section(cfg, steps, out, files)))
    return adapter


def central_row(cfg: FederatedComparisonConfig, sites: list[Path], sc: Scorer) -> dict[str, Any]:
    from medllm.federated import site_files

    t0, steps = time.perf_counter(), cfg.total_steps()
    files = [f for s in sites for f in site_files(s)]  # the non-IID sites' rows, pooled
    adapter = _train(cfg, files, steps, sc.out / "centralized")
    return _stamp(
        {"name": "centralized", "acc": sc.acc(adapter, "centralized"), "steps": steps}, t0
    )


def local_row(cfg: FederatedComparisonConfig, sites: list[Path], sc: Scorer) -> dict[str, Any]:
    """Each non-IID site alone, for its share of the steps (rounds x local steps)."""
    from medllm.federated import site_files

    t0, steps, accs = time.perf_counter(), cfg.rounds * cfg.local_steps, []
    for site in sites:
        adapter = _train(cfg, site_files(site), steps, sc.out / "local_noniid" / site.name)
        accs.append(sc.acc(adapter, f"local_noniid-{site.name}"))
    row = {"name": "local_noniid", "acc": max(accs), "acc_per_site": accs}
    return _stamp({**row, "steps_per_site": steps}, t0)


def fed_row(
    cfg: FederatedComparisonConfig, arm: str, sites: list[Path], sc: Scorer
) -> dict[str, Any]:
    """One federation on Flower's simulation engine, its global adapter scored after each round."""
    from medllm.federated import round_dir, simulate

    t0, strategy = time.perf_counter(), str(ARMS[arm][0])
    out = sc.out / arm
    fed = fed_config(cfg, strategy, out, sites[0].parent)
    history = simulate(fed, resume=(out / "history.json").is_file())
    rounds = history["rounds"][: cfg.rounds]
    accs = [
        sc.acc(round_dir(out, r["round"]) / ADAPTER_FILE, f"{arm}-r{r['round']}") for r in rounds
    ]
    sent = [max(r["bytes_per_client"]) for r in rounds]
    row = {
        "name": arm,
        "strategy": strategy,
        "sites": ARMS[arm][1],
        "acc": accs[-1],
        "acc_per_round": accs,
        "eval_loss_per_round": [r["eval_loss"] for r in rounds],
        "seconds_per_round": [round(r["seconds"], 2) for r in rounds],
        "bytes_per_client_per_round": [r["bytes_per_client"] for r in rounds],
        "bytes_fraction": max(sent) / history["model_bytes"],
        "model_bytes": history["model_bytes"],
    }
    return _stamp(row, t0)


def base_row(sc: Scorer) -> dict[str, Any]:
    t0 = time.perf_counter()
    return _stamp({"name": BASE, "acc": sc.acc(None, BASE)}, t0)


def arm_row(
    cfg: FederatedComparisonConfig, arm: str, sites: dict[str, list[Path]], sc: Scorer
) -> dict[str, Any]:
    if arm == "centralized":
        return central_row(cfg, sites["noniid"], sc)
    if arm == "local_noniid":
        return local_row(cfg, sites["noniid"], sc)
    return fed_row(cfg, arm, sites[ARMS[arm][1]], sc)


def run_fedcompare(
    cfg: FederatedComparisonConfig,
    progress: Progress | None = None,
    only: Sequence[str] | None = None,
) -> Path:
    """Train and score every arm (or those in `only`) not yet measured, then write the report
    from every measured arm; returns report.md's path."""
    from medllm.evaluate.fedcompare.report import write_report

    set_threads(cfg.threads)
    arms = select(cfg.name, list(cfg.arms), only)
    out = Path(cfg.output_dir) / cfg.name
    t0 = time.perf_counter()
    with owner_only(out):
        done = _claim(cfg, out)
        sites = {s: split_sites(cfg, out, s) for s in ("iid", "noniid")}
        sc = Scorer(cfg, out)
        jobs = ([] if BASE in done else [BASE]) + [a for a in arms if a not in done]
        with (out / ROWS).open("a", encoding="utf-8") as f:
            for i, arm in enumerate(jobs):
                if progress:
                    progress(f"S8: {arm}", i, len(jobs))
                row = base_row(sc) if arm == BASE else arm_row(cfg, arm, sites, sc)
                append_jsonl(f, row)
                done[arm] = row
        sizes = {"model_bytes": sc.model_bytes, "adapter_bytes": sc.adapter_bytes}
        return write_report(cfg, out, done, sizes, wall_s=time.perf_counter() - t0)
