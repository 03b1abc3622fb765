"""The S7 report: per arm the hallucination rate of its free-text answers at its operating point
(95% bootstrap CI), coverage, groundedness, abstention on unanswerable and fake questions, the
Med-HALT-style tests, the coverage / risk curves (plot inline), the best arm against `none` (paired
bootstrap of the ratio), and the claim checker against the hand-labelled claims."""

from __future__ import annotations

import html
import os
import platform
from importlib.metadata import version
from pathlib import Path
from typing import Any

from medllm.core import write_json
from medllm.evaluate.hallucination.config import HallucinationConfig
from medllm.evaluate.hallucination.risk import ratio_ci
from medllm.evaluate.report import CSS, png

PUBLIC = ("name", "coverage", "hallucination_rate", "ci_low", "ci_high")


def best_vs_none(cfg: HallucinationConfig, arms: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The arm with the lowest hallucination rate among those answering at least
    `target_coverage`, against `none` on the same questions."""
    base = next((a for a in arms if a["name"] == "none"), None)
    rivals = [a for a in arms if a["name"] != "none" and a["coverage"] >= cfg.target_coverage]
    if base is None or not rivals:
        return None
    best = min(rivals, key=lambda a: (a["hallucination_rate"], -a["coverage"]))
    r, lo, hi = ratio_ci(
        (base["answered"], base["wrong"]), (best["answered"], best["wrong"]), seed=cfg.seed
    )
    return {
        "arm": best["name"],
        "coverage": best["coverage"],
        "rate": best["hallucination_rate"],
        "none_rate": base["hallucination_rate"],
        "ratio": r,
        "ratio_ci": [lo, hi],
        "halved": r <= 0.5,
    }


def build(
    cfg: HallucinationConfig,
    arms: list[dict[str, Any]],
    checker: dict[str, Any],
    model_id: str,
    wall_s: float,
) -> dict[str, Any]:
    return {
        "study": cfg.name,
        "question": cfg.question,
        "model": model_id,
        "questions": cfg.questions,
        "half": cfg.half,
        "hallucination_rate": "share of answered answerable free-text items whose answer holds "
        "at least one claim no evidence source supports (rag.check_answer)",
        "coverage": "share of the answerable free-text items the arm answers",
        "target_coverage": cfg.target_coverage,
        "settings": {
            k: getattr(cfg, k)
            for k in ("samples", "temperature", "max_tokens", "sources", "evidence", "uncertainty")
        },
        "arms": [{k: a[k] for k in a if k not in ("answered", "wrong")} for a in arms],
        "best_vs_none": best_vs_none(cfg, arms),
        "checker": checker,
        "wall_s": wall_s,  # this run's; a resumed run that computed nothing reads seconds
        "machine": {
            "cpus": os.cpu_count(),
            "load_avg": list(os.getloadavg()),
            "platform": platform.platform(),
            "versions": {p: version(p) for p in ("torch", "transformers")},
        },
    }


def curve_plot(report: dict[str, Any]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for arm in report["arms"]:
        pts = arm["curve"]
        if not pts:
            continue
        xs, ys = zip(*pts, strict=True)
        style = "o" if len(pts) == 1 else "-"
        ax.plot(xs, ys, style, label=arm["name"], markersize=6)
    ax.axvline(report["target_coverage"], color="#999", linestyle=":", linewidth=1)
    ax.set_xlabel("coverage (share of answerable questions answered)")
    ax.set_ylabel("risk (hallucination rate of the answered)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=8)
    return png(fig)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def rows(report: dict[str, Any]) -> list[list[str]]:
    out = []
    for a in report["arms"]:
        mh = [m for m in a["medhalt"].values() if m.get("applicable")]
        score = f"{sum(m['medhalt_score'] for m in mh) / len(mh):.3f}" if mh else "n/a"
        out.append(
            [
                a["name"],
                _pct(a["coverage"]),
                f"{_pct(a['hallucination_rate'])} [{_pct(a['ci_low'])}, {_pct(a['ci_high'])}]",
                _pct(a["groundedness"]),
                _pct(a["key_accuracy"]),
                _pct(a["abstain_unanswerable"]),
                _pct(a["abstain_fake"]),
                score,
            ]
        )
    return out


HEAD = [
    "arm",
    "coverage",
    "hallucination rate [95% CI]",
    "groundedness",
    "key fact",
    "abstain unanswerable",
    "abstain fake",
    "Med-HALT score",
]


def markdown(report: dict[str, Any]) -> str:
    lines = [f"# {report['study']}", "", report["question"], "", f"model: {report['model']}", ""]
    lines += ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(r) + " |" for r in rows(report)]
    if b := report["best_vs_none"]:
        lo, hi = b["ratio_ci"]
        lines += [
            "",
            f"best arm at coverage ≥ {report['target_coverage']:.0%}: {b['arm']} "
            f"({_pct(b['rate'])} at coverage {_pct(b['coverage'])}) vs none {_pct(b['none_rate'])}: "
            f"ratio {b['ratio']:.2f} [{lo:.2f}, {hi:.2f}] ({'halved' if b['halved'] else 'not halved'})",
        ]
    c = report["checker"]
    lines += [
        "",
        f"claim checker on {c['n']} hand-labelled claims ({c['n_supported']} supported): "
        f"accuracy {c['accuracy']:.3f}, precision {c['precision']:.3f}, recall {c['recall']:.3f}, "
        f"recall of unsupported {c['unsupported_recall']:.3f}",
        "",
        f"{report['hallucination_rate']}. Load average {report['machine']['load_avg']}.",
    ]
    return "\n".join(lines) + "\n"


def page(report: dict[str, Any]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in HEAD)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows(report)
    )
    md = markdown(report).split("\n")
    notes = "".join(f"<p>{html.escape(x)}</p>" for x in md if x and not x.startswith(("|", "#")))
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(report["study"])}'
        f"</title><style>{CSS}</style></head><body><h1>{html.escape(report['study'])}</h1>"
        f"<table><tr>{th}</tr>{body}</table><h2>coverage / risk</h2>{curve_plot(report)}"
        f"{notes}</body></html>"
    )


def write_report(
    cfg: HallucinationConfig,
    out: Path,
    arms: list[dict[str, Any]],
    checker: dict[str, Any],
    model_id: str,
    wall_s: float,
) -> Path:
    report = build(cfg, arms, checker, model_id, wall_s)
    write_json(out / "report.json", report)
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
    (out / "report.html").write_text(page(report), encoding="utf-8")
    if cfg.results_file:
        public = {**report, "arms": [{k: a[k] for k in PUBLIC} | a for a in report["arms"]]}
        write_json(cfg.results_file, public)
    return out / "report.md"
