"""The S10 report: per method the mean AOPC (deletion, insertion, their mean) with 95% bootstrap
CIs, each method against random on the same items (paired bootstrap), the mean curves as a plot,
and the heatmaps of the first items inline; report.json, report.md, report.html."""

from __future__ import annotations

import html
import os
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import write_json
from medllm.evaluate.explain.config import InterpretabilityConfig
from medllm.evaluate.explain.html import heatmap, page
from medllm.evaluate.metrics import bootstrap_ci, paired_bootstrap
from medllm.evaluate.report import png

KEYS = ("aopc", "aopc_deletion", "aopc_insertion")


def _method(rows: list[dict[str, Any]], name: str, seed: int) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    for key in KEYS:
        vals = [r["methods"][name][key] for r in rows]
        lo, hi = bootstrap_ci(vals, seed=seed)
        entry[key] = float(np.mean(vals))
        entry[f"{key}_ci"] = [lo, hi]
    rand = [r["methods"]["random"]["aopc"] for r in rows]
    mine = [r["methods"][name]["aopc"] for r in rows]
    entry["vs_random"] = paired_bootstrap(rand, mine, seed=seed)
    entry["beats_random"] = float(np.mean([m > x for m, x in zip(mine, rand, strict=True)]))
    for curve in ("deletion", "insertion"):
        entry[f"mean_{curve}"] = np.mean([r["methods"][name][curve] for r in rows], 0).tolist()
    secs = [r["seconds"].get(name, 0.0) for r in rows]
    entry["seconds_per_item"] = float(np.median(secs)) if secs else 0.0
    return entry


def build(
    cfg: InterpretabilityConfig, rows: list[dict[str, Any]], model_id: str, wall_s: float
) -> dict[str, Any]:
    methods = {m: _method(rows, m, cfg.seed) for m in cfg.methods} if rows else {}
    real = [m for m in methods if m != "random"]
    winner = max(real, key=lambda m: methods[m]["aopc"]) if real else None
    deltas = [abs(r["ig_delta"]) for r in rows if r.get("ig_delta") is not None]
    # the same error relative to f(x) - f(baseline), the two ends of any method's deletion curve
    spans = [abs(d[0] - d[-1]) for r in rows if (d := r["methods"]["random"]["deletion"])]
    rel = [a / s for a, s in zip(deltas, spans, strict=False) if s > 0]
    return {
        "study": cfg.name,
        "question": cfg.question,
        "model": model_id,
        "task": cfg.task,
        "n_items": len(rows),
        "accuracy": float(np.mean([r["correct"] for r in rows])) if rows else 0.0,
        "ig_steps": cfg.ig_steps,
        "points": cfg.points,
        "ig_abs_delta_median": float(np.median(deltas)) if deltas else None,
        "ig_rel_delta_median": float(np.median(rel)) if rel else None,
        "mean_features": float(np.mean([r["n_features"] for r in rows])) if rows else 0.0,
        "methods": methods,
        "winner": winner,
        "wall_s": wall_s,  # this run's: a resumed run that scored nothing reads a few seconds
        # every item's attribution + curve time, summed over runs (the chosen option not included)
        "item_seconds_total": float(sum(sum(r["seconds"].values()) for r in rows)),
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg": list(os.getloadavg()),
            "platform": platform.platform(),
            "versions": {p: version(p) for p in ("torch", "transformers", "captum")},
        },
    }


def _ci(e: dict[str, Any], key: str) -> str:
    lo, hi = e[f"{key}_ci"]
    return f"{e[key]:.3f} [{lo:.3f}, {hi:.3f}]"


def table_rows(report: dict[str, Any]) -> list[list[str]]:
    """One row per method: what report.md and docs/studies.md print."""
    out = []
    for name, e in report["methods"].items():
        v = e["vs_random"]
        vs = (
            "-"
            if name == "random"
            else f"{v['diff']:+.3f} [{v['ci_low']:+.3f}, {v['ci_high']:+.3f}]"
        )
        beats = "-" if name == "random" else f"{e['beats_random']:.0%}"
        row = [name, _ci(e, "aopc"), _ci(e, "aopc_deletion"), _ci(e, "aopc_insertion"), vs, beats]
        out.append(row)
    return out


HEAD = [
    "method",
    "AOPC [95% CI]",
    "deletion AOPC",
    "insertion AOPC",
    "AOPC − random [95% CI]",
    "items above random",
]


def _ig_note(report: dict[str, Any]) -> str:
    if report["ig_abs_delta_median"] is None:
        return "no IG"
    return (
        f"IG {report['ig_steps']} points (completeness error: median |delta| "
        f"{report['ig_abs_delta_median']:.3f} nats, {report['ig_rel_delta_median']:.1%} of "
        "|f(x) - f(baseline)|)"
    )


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"# {report['study']}",
        "",
        report["question"],
        "",
        f"model {report['model']}, task {report['task']}, {report['n_items']} items (chosen option "
        f"correct on {report['accuracy']:.1%}), {report['mean_features']:.1f} feature tokens per "
        f"item, {_ig_note(report)}, curves at q = 0, 1/{report['points']}, ..., 1; AOPC in nats "
        "of the chosen option's log-likelihood, higher = more faithful.",
        "",
        "| " + " | ".join(HEAD) + " |",
        "|" + "---|" * len(HEAD),
        *("| " + " | ".join(r) + " |" for r in table_rows(report)),
        "",
        f"winner: **{report['winner']}**",
    ]
    return "\n".join(lines) + "\n"


def curve_plot(report: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    qs = np.linspace(0, 1, report["points"] + 1)
    for name, e in report["methods"].items():
        for ax, curve in zip(axes, ("deletion", "insertion"), strict=True):
            ax.plot(qs, e[f"mean_{curve}"], marker="o", label=name)
            ax.set_title(f"{curve} (mean over items)")
            ax.set_xlabel("fraction of tokens " + ("removed" if curve == "deletion" else "kept"))
    axes[0].set_ylabel("log-likelihood of the chosen option (nats)")
    axes[1].legend()
    return png(fig)


def _html(report: dict[str, Any], rows: list[dict[str, Any]], n_heat: int) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in HEAD)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
        for r in table_rows(report)
    )
    parts = [f"<p>{html.escape(markdown(report).splitlines()[4])}</p>"]
    parts += [f"<table><tr>{th}</tr>{body}</table>", f"<p>winner: {report['winner']}</p>"]
    if report["methods"]:
        parts.append(curve_plot(report))
    for r in rows[:n_heat]:
        parts.append(f"<h2>{html.escape(r['id'])} (chosen option {r['pred']})</h2>")
        for m, scores in r["scores"].items():
            parts.append(f"<h3>{html.escape(m)}</h3>{heatmap(r['pieces'], scores)}")
    return page(report["study"], "".join(parts))


def write_report(
    cfg: InterpretabilityConfig,
    out: Path,
    rows: list[dict[str, Any]],
    model_id: str,
    wall_s: float,
) -> Path:
    report = build(cfg, rows, model_id, wall_s)
    write_json(out / "report.json", report)
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
    (out / "report.html").write_text(_html(report, rows, cfg.heatmaps), encoding="utf-8")
    if cfg.results_file:
        write_json(cfg.results_file, report)
    return out / "report.md"
