"""The S8 report: a table (report.md), report.json, accuracy per round (PNG), and the summary as
`results_file` (the plot beside it). Figures only: no row text."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any

from medllm.core import write_json
from medllm.evaluate.fedcompare.config import ARMS, FederatedComparisonConfig

PLOT = "accuracy_per_round.png"
FED_ARMS = [a for a, (strategy, _) in ARMS.items() if strategy]


def _get(done: dict[str, dict[str, Any]], arm: str, key: str = "acc") -> Any:
    return done[arm].get(key) if arm in done else None


def bytes_summary(done: dict[str, dict[str, Any]], sizes: dict[str, int]) -> dict[str, Any]:
    """What one client sends per round, measured on the wire (the federated stage's count of the
    serialised adapter tensors), against the adapter's tensors and the whole model's."""
    fed = [done[a] for a in FED_ARMS if a in done]
    sent = max((max(max(r) for r in f["bytes_per_client_per_round"]) for f in fed), default=None)
    model = sizes["model_bytes"]
    return {
        "model_bytes": model,
        "adapter_bytes": sizes["adapter_bytes"],
        "adapter_fraction": sizes["adapter_bytes"] / model,
        "bytes_per_round_per_client": sent,
        "bytes_per_round_fraction": None if sent is None else sent / model,
    }


def summary(
    cfg: FederatedComparisonConfig, done: dict[str, dict[str, Any]], sizes: dict[str, int]
) -> dict[str, Any]:
    central, fedavg = _get(done, "centralized"), _get(done, "fedavg_noniid")
    best_local = _get(done, "local_noniid")
    b = bytes_summary(done, sizes)
    targets = {
        "fedavg_noniid_within_2pts_of_centralized": None
        if central is None or fedavg is None
        else abs(central - fedavg) <= 0.02,
        "fedavg_noniid_above_best_local": None
        if best_local is None or fedavg is None
        else fedavg > best_local,
        "bytes_per_round_le_2pct_of_model": None
        if b["bytes_per_round_fraction"] is None
        else b["bytes_per_round_fraction"] <= 0.02,
    }
    return {
        "base_acc": _get(done, "base"),
        "centralized_acc": central,
        "fedavg_iid_acc": _get(done, "fedavg_iid"),
        "fedprox_iid_acc": _get(done, "fedprox_iid"),
        "fedavg_noniid_acc": fedavg,
        "fedprox_noniid_acc": _get(done, "fedprox_noniid"),
        "best_local_acc": best_local,
        "local_acc_per_site": _get(done, "local_noniid", "acc_per_site"),
        **b,
        "targets": targets,
    }


def _settings(cfg: FederatedComparisonConfig) -> dict[str, Any]:
    skip = {"kind", "name", "question", "arms", "output_dir", "results_file"}
    s = {k: v for k, v in cfg.model_dump(mode="json").items() if k not in skip}
    return {**s, "total_steps_per_arm": cfg.total_steps()}


def plot(cfg: FederatedComparisonConfig, done: dict[str, dict[str, Any]], path: Path) -> None:
    """Held-out accuracy of each federation's global adapter per round (round 0: the untrained
    model), centralized and the best local-only site as horizontal lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    start = [_get(done, "base")] if "base" in done else []
    x0 = 1 - len(start)
    for arm in FED_ARMS:
        if arm in done:
            ys = [*start, *done[arm]["acc_per_round"]]
            ax.plot(range(x0, x0 + len(ys)), ys, "o-", label=arm)
    for j, arm in enumerate(("centralized", "local_noniid")):
        if arm in done:
            name = "best local-only (non-IID)" if arm == "local_noniid" else arm
            ax.axhline(done[arm]["acc"], ls="--", color=f"C{j + 4}", label=name)
    ax.set_xticks(range(x0, cfg.rounds + 1))
    ax.set_xlabel("round")
    ax.set_ylabel(f"{cfg.task} accuracy (n={cfg.n_items}, {cfg.mode})")
    ax.set_title(f"S8: {cfg.model}, {cfg.sites} sites, same {cfg.total_steps()} steps per arm")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _fmt(x: Any) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.4f}"
    if isinstance(x, list):
        return ", ".join(_fmt(v) for v in x)
    return str(x)


def table(done: dict[str, dict[str, Any]], order: list[str]) -> str:
    head = "| arm | acc | acc per round / site | s per round | bytes / client / round | load |"
    lines = [head, "|" + "---|" * 6]
    for arm in order:
        r = done[arm]
        per = r.get("acc_per_round") or r.get("acc_per_site")
        sent = r.get("bytes_per_client_per_round")
        cells = [
            arm,
            _fmt(r["acc"]),
            _fmt(per),
            _fmt(r.get("seconds_per_round")),
            _fmt(max(max(x) for x in sent)) if sent else "–",
            _fmt(r.get("load_avg_1m")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_report(
    cfg: FederatedComparisonConfig,
    out: Path,
    done: dict[str, dict[str, Any]],
    sizes: dict[str, int],
    wall_s: float,
) -> Path:
    """report.{md,json} and the plot from every measured arm in config order; returns report.md."""
    order = [a for a in ["base", *cfg.arms] if a in done]
    results = {
        "study": cfg.name,
        "question": cfg.question,
        "model": cfg.model,
        "task": {"name": cfg.task, "n": cfg.n_items, "mode": cfg.mode, "metric": "acc"},
        "settings": _settings(cfg),
        **summary(cfg, done, sizes),
        "arms": [done[a] for a in order],
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "wall_s_this_run": round(wall_s, 1),
    }
    plot(cfg, done, out / PLOT)
    write_json(out / "report.json", results)
    if cfg.results_file:
        target = Path(cfg.results_file)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_json(target, results)
        plot(cfg, done, target.with_suffix(".png"))
    md = out / "report.md"
    md.write_text(_markdown(cfg, results, table(done, order)), encoding="utf-8")
    return md


def _markdown(cfg: FederatedComparisonConfig, results: dict[str, Any], rows: str) -> str:
    b = results
    frac = b["bytes_per_round_fraction"]
    sent = "–" if frac is None else f"{b['bytes_per_round_per_client']:,} ({frac:.4%} of the model)"
    return (
        f"# {cfg.name}\n\n{cfg.question}\n\n"
        f"Model {cfg.model}, LoRA r={cfg.lora_r} on {', '.join(cfg.lora_targets)}; "
        f"{cfg.sites} sites from {cfg.rows} records per source ({', '.join(cfg.sources)}), IID and "
        f"non-IID (Dirichlet {cfg.alpha:g} over {cfg.label}); every arm {cfg.total_steps()} steps "
        f"of {cfg.batch_size} rows, lr {cfg.learning_rate:g} (federated: {cfg.rounds} rounds x "
        f"{cfg.local_steps} local steps x {cfg.sites} sites; local-only: "
        f"{cfg.rounds * cfg.local_steps} steps per site). Scored on {cfg.task} "
        f"(n={cfg.n_items}, {cfg.mode}).\n\n{rows}\n\n"
        f"Bytes one client sends per round: {sent}; adapter tensors {b['adapter_bytes']:,} of "
        f"{b['model_bytes']:,} model bytes. Targets: {b['targets']}.\n\n"
        f"![accuracy per round]({PLOT})\n"
    )
