"""The S9 report: one table (report.md), report.json, a utility-vs-epsilon plot (PNG), and the
arms table as `results_file` (the plot beside it). Figures only: no note text, no canary secret."""

from __future__ import annotations

import math
import os
import platform
from pathlib import Path
from typing import Any

from medllm.core import write_json
from medllm.evaluate.leakage.config import PrivacyLeakageConfig

PLOT = "utility_vs_epsilon.png"
HELDOUT = (
    "heldout_acc: next-token accuracy (argmax) over the held-out notes' tokens after the "
    "training prompt; heldout_loss / heldout_ppl: their mean loss (nats / token) and perplexity"
)
# the columns of `results_file`'s arms (the per-canary rows stay in report.json)
COLUMNS = (
    "name",
    "epsilon",
    "deidentified",
    "mia_auc",
    "canary_exposure",
    "heldout_acc",
    "heldout_loss",
    "heldout_ppl",
    "canary_exposure_gaussian",
    "canaries_ranked_first",
    "control_exposure",
    "control_exposure_gaussian",
    "mia_auc_as_trained",
    "heldout_acc_as_trained",
    "mean_loss_members",
    "load_avg_1m",
)


def _compact(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in COLUMNS if k in row}
    train = row.get("train") or {}
    out.update(
        epsilon_spent=_finite(train.get("epsilon")),
        dp_noise_multiplier=train.get("dp_noise_multiplier"),
        train_loss=train.get("final_loss"),
        train_seconds=train.get("train_seconds"),
    )
    return out


def _finite(x: Any) -> Any:
    return "inf" if isinstance(x, float) and math.isinf(x) else x


def _settings(cfg: PrivacyLeakageConfig) -> dict[str, Any]:
    keys = [
        *("model", "n_train", "n_heldout", "note_chars", "canaries", "canary_repeats"),
        *("canary_digits", "n_candidates", "seed", "steps", "batch_size", "learning_rate"),
        *("max_length", "lora_r", "dp_delta", "dp_max_grad_norm", "deid_transform", "threads"),
    ]
    return {k: getattr(cfg, k) for k in keys}


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def table(rows: list[dict[str, Any]], cfg: PrivacyLeakageConfig) -> str:
    cap = math.log2(cfg.n_candidates + 1)
    head = (
        "| arm | ε (target) | ε spent | de-id | MIA AUC | MIA AUC as trained | exposure "
        f"(of {cap:.2f}) | control exposure | ranked 1st | held-out acc | held-out ppl | "
        "train loss |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        cells = [
            r["name"],
            _fmt(r["epsilon"], 0),
            _fmt(r.get("epsilon_spent"), 2),
            _fmt(r["deidentified"]),
            _fmt(r["mia_auc"], 4),
            _fmt(r.get("mia_auc_as_trained"), 4),
            _fmt(r["canary_exposure"]),
            _fmt(r["control_exposure"]),
            f"{r['canaries_ranked_first']}/{cfg.canaries}",
            _fmt(r["heldout_acc"], 4),
            _fmt(r["heldout_ppl"], 2),
            _fmt(r.get("train_loss"), 3),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """Held-out accuracy, MIA AUC and canary exposure against ε (DP arms; ∞ at the right end),
    with the arms without DP and the untrained model as horizontal lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dp = [r for r in rows if r["epsilon"] is not None]
    finite = [float(r["epsilon"]) for r in dp if r["epsilon"] != "inf"]
    inf_x = 4 * max(finite) if finite else 1.0  # where ε = ∞ is drawn
    xs = [inf_x if r["epsilon"] == "inf" else float(r["epsilon"]) for r in dp]
    others = [r for r in rows if r["epsilon"] is None]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    panels = [
        ("heldout_acc", "held-out next-token accuracy"),
        ("mia_auc", "membership AUC"),
        ("canary_exposure", "canary exposure (bits)"),
    ]
    for ax, (key, label) in zip(axes, panels, strict=True):
        order = sorted(range(len(dp)), key=lambda i: xs[i])
        ax.plot([xs[i] for i in order], [dp[i][key] for i in order], "o-", label="DP-SGD")
        for j, r in enumerate(others):
            ax.axhline(r[key], ls="--", color=f"C{j + 1}", label=r["name"])
        if xs:  # no DP arm measured yet: the lines alone
            ax.set_xscale("log")
            ticks = sorted(set(xs))
            ax.set_xticks(ticks, ["∞" if t == inf_x else f"{t:g}" for t in ticks])
        ax.set_xlabel("ε (δ fixed)")
        ax.set_title(label)
    axes[1].axhline(0.5, color="grey", lw=0.8)
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    cfg: PrivacyLeakageConfig, out: Path, done: dict[str, dict[str, Any]], wall_s: float
) -> Path:
    """report.{md,json} and the plot from every measured arm in config order; returns report.md."""
    rows = [_compact(done[a.name]) for a in cfg.arms if a.name in done]
    base = _compact(done["base"]) if "base" in done else None
    shown = [*rows, *([base] if base else [])]
    results = {
        "study": cfg.name,
        "question": cfg.question,
        "settings": _settings(cfg),
        "heldout_metric": HELDOUT,
        "exposure_max": round(math.log2(cfg.n_candidates + 1), 3),
        "arms": rows,
        "reference": base,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "wall_s_this_run": round(wall_s, 1),
    }
    if shown:
        plot(shown, out / PLOT)
    write_json(out / "report.json", {**results, "rows": list(done.values())})
    if cfg.results_file:
        target = Path(cfg.results_file)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_json(target, results)
        if shown:
            plot(shown, target.with_suffix(".png"))
    md = out / "report.md"
    md.write_text(_markdown(cfg, shown), encoding="utf-8")
    return md


def _markdown(cfg: PrivacyLeakageConfig, rows: list[dict[str, Any]]) -> str:
    s = _settings(cfg)
    return (
        f"# {cfg.name}\n\n{cfg.question}\n\n"
        f"Model {cfg.model}; {s['n_train']} training notes ({cfg.canaries} canaries x "
        f"{cfg.canary_repeats}), {s['n_heldout']} held-out notes; every arm LoRA r={cfg.lora_r}, "
        f"{cfg.steps} steps of {cfg.batch_size} rows, lr {cfg.learning_rate}; DP arms at "
        f"δ = {cfg.dp_delta:g}, clipping {cfg.dp_max_grad_norm:g}. "
        f"Exposure: empirical, among {cfg.n_candidates} random secrets. {HELDOUT}.\n\n"
        f"{table(rows, cfg)}\n\n![utility vs epsilon]({PLOT})\n"
    )
