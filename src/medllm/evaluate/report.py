"""`medllm report RUN_DIR...`: one self-contained HTML page (tables + matplotlib plots as inline
PNG) with accuracy by task/subject with 95% CIs, reliability diagrams, position bias, and the runs
side by side."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from medllm.core import DataError, read_json

CSS = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto}table{border-collapse:collapse;"
    "margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
    "th:first-child,td:first-child{text-align:left}.warn{color:#a40}"
)


def load_run(run_dir: Path) -> dict[str, Any]:
    path = Path(run_dir) / "summary.json"
    if not path.is_file():
        raise DataError(
            "no summary.json (not a finished `medllm eval` result folder)",
            path=path,
            fix="give the --out folder of a finished run, or rerun it to finish",
        )
    summary: dict[str, Any] = read_json(path)
    for key in ("results", "config"):
        if not isinstance(summary, dict) or not isinstance(summary.get(key), dict):
            raise DataError(
                "missing or not an object",
                path=path,
                field=key,
                fix="give the --out folder of a `medllm eval` run (its summary.json is written "
                "by medllm), or rerun that eval",
            )
    config = summary["config"]
    summary["_label"] = (
        f"{Path(run_dir).name}: {config.get('model')} / {config.get('mode') or 'task modes'}"
    )
    return summary


def png(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _score_key(r: dict[str, Any]) -> str | None:
    return "acc" if "acc" in r else ("rougeL" if "rougeL" in r else None)


def accuracy_plot(runs: list[dict[str, Any]]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = sorted({n for r in runs for n, v in r["results"].items() if _score_key(v)})
    fig, ax = plt.subplots(figsize=(10, 0.35 * len(names) * len(runs) + 1.5))
    h = 0.8 / len(runs)
    for j, run in enumerate(runs):
        ys, xs, lo, hi = [], [], [], []
        for i, n in enumerate(names):
            r = run["results"].get(n)
            key = _score_key(r) if r else None
            if r and key:
                ys.append(i + j * h)
                xs.append(r[key])
                lo.append(r[key] - r[f"{key}_ci_low"])
                hi.append(r[f"{key}_ci_high"] - r[key])
        ax.barh(ys, xs, height=h, xerr=np.array([lo, hi]), capsize=2, label=run["_label"])
    ax.set_yticks([i + 0.4 - h / 2 for i in range(len(names))], names)
    ax.invert_yaxis()
    ax.set_xlabel("accuracy (ROUGE-L for generative tasks), 95% bootstrap CI")
    ax.legend(fontsize=7, loc="lower right")
    return png(fig)


def reliability_plot(runs: list[dict[str, Any]]) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    for run in runs:
        for name, r in run["results"].items():
            if "reliability" in r and not r.get("alias", "").startswith(" - "):
                bins = r["reliability"]
                ax.plot(
                    [b["conf"] for b in bins],
                    [b["acc"] for b in bins],
                    "o-",
                    ms=3,
                    label=f"{run['_label']} · {name} (ECE {r['ece']:.3f})",
                )
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.legend(fontsize=6)
    return png(fig)


def results_table(runs: list[dict[str, Any]]) -> str:
    head = "".join(f"<th>{html.escape(r['_label'])}</th>" for r in runs)
    names = sorted({n for r in runs for n in r["results"]})
    body = []
    for n in names:
        cells = []
        for run in runs:
            r = run["results"].get(n, {})
            key = _score_key(r)
            if not key:
                cells.append("<td>-</td>")
                continue
            extra = f", ECE {r['ece']:.3f}" if "ece" in r else ""
            dist = " ".join(f"{k}:{v:.0%}" for k, v in r.get("pred_dist", {}).items())
            pf = (
                f", parse-fail {r['parse_failure_rate']:.0%}" if r.get("parse_failure_rate") else ""
            )
            cells.append(
                f"<td>{key} {r[key]:.3f} [{r[f'{key}_ci_low']:.3f}, {r[f'{key}_ci_high']:.3f}]"
                f"{extra}{pf} (n={r['n']})<br><small>{dist}</small></td>"
            )
        body.append(f"<tr><td>{html.escape(n)}</td>{''.join(cells)}</tr>")
    return f"<table><tr><th>task</th>{head}</tr>{''.join(body)}</table>"


def write_report(run_dirs: list[Path], out: Path) -> Path:
    runs = [load_run(Path(d)) for d in run_dirs]
    models = ", ".join(sorted({str(r["config"].get("model")) for r in runs}))
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>medllm evaluation</title><style>{CSS}</style>",
        "<h1>medllm evaluation report</h1>",
        f"<p>Model(s): <b>{html.escape(models)}</b>. "
        "Predicted-option distributions (position bias) are shown under each score.</p>",
        results_table(runs),
        "<h2>Scores by task and subject</h2>",
        accuracy_plot(runs),
        "<h2>Reliability diagram</h2>",
        reliability_plot(runs),
        "<h2>Run configurations</h2>",
    ]
    for r in runs:
        cfg = json.dumps(r["config"], indent=1)
        parts.append(f"<h3>{html.escape(r['_label'])}</h3><pre>{html.escape(cfg)}</pre>")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")
    return out
