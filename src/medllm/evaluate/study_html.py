"""A study's report.html: the arms table, accuracy with CIs per task as a plot, and per
counterfactual task the accuracy of each group with CIs and the flip rates; one file, no external
asset (plots inline as base64 PNG, as `medllm report` does)."""

from __future__ import annotations

import html
import json
from typing import Any

from medllm.evaluate.report import CSS, png
from medllm.evaluate.study_report import BIAS_HEAD, arm_cells, arm_header, bias_rows


def _table(head: list[str], rows: list[list[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><tr>{th}</tr>{body}</table>"


def accuracy_plot(report: dict[str, Any]) -> str:
    """Horizontal bars: one group of bars per task, one bar per arm, 95% CI whiskers."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tasks, arms = report["tasks"], report["arms"]
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(tasks) * max(len(arms), 1) + 1.5))
    h = 0.8 / max(len(arms), 1)
    for j, arm in enumerate(arms):
        rs = [arm["results"][t] for t in tasks]
        xs = [r["value"] for r in rs]
        err = np.array(
            [[r["value"] - r["ci_low"] for r in rs], [r["ci_high"] - r["value"] for r in rs]]
        )
        ax.barh(
            [i + j * h for i in range(len(tasks))],
            xs,
            height=h,
            xerr=err,
            capsize=2,
            label=arm["name"],
        )
    ax.set_yticks([i + 0.4 - h / 2 for i in range(len(tasks))], tasks)
    ax.invert_yaxis()
    ax.set_xlabel("accuracy (ROUGE-L for generative tasks), 95% bootstrap CI")
    ax.legend(fontsize=7, loc="lower right")
    return png(fig)


def group_plot(title: str, table: dict[str, Any]) -> str:
    """Accuracy per group of one attribute with 95% CIs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(table["groups"])
    rs = [table["groups"][g] for g in groups]
    fig, ax = plt.subplots(figsize=(5, 0.4 * len(groups) + 1.2))
    err = [[r["acc"] - r["ci_low"] for r in rs], [r["ci_high"] - r["acc"] for r in rs]]
    ax.barh(groups, [r["acc"] for r in rs], xerr=err, capsize=3, color="#4c72b0")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"accuracy, 95% bootstrap CI (n = {table['n_items']} items per group)")
    ax.set_title(title, fontsize=9)
    return png(fig)


def render_html(report: dict[str, Any]) -> str:
    models = ", ".join(sorted({str(a["model"]) for a in report["arms"]}))
    parts = [
        "<!doctype html><meta charset='utf-8'>",
        f"<title>medllm study {html.escape(report['study'])}</title><style>{CSS}</style>",
        f"<h1>Study {html.escape(report['study'])}</h1>",
        f"<p>{html.escape(report['question'])}</p>",
        f"<p>Model(s): <b>{html.escape(models)}</b>. Baseline arm: <b>{html.escape(report['baseline'])}</b>; "
        "each other arm: difference on the paired items, paired-bootstrap 95% CI, McNemar exact p.</p>",
        _table(arm_header(report), [arm_cells(report, a) for a in report["arms"]]),
    ]
    if report["arms"]:
        parts += ["<h2>Scores by task</h2>", accuracy_plot(report)]
    for arm in report["arms"]:
        for task, table in arm.get("bias", {}).items():
            title = f"{arm['name']} on {task} ({table['attribute']})"
            parts += [
                f"<h2>Bias: {html.escape(title)}</h2>",
                f"<p>{table['n_items']} items, each asked once per group.</p>",
                _table(BIAS_HEAD, bias_rows(table)),
                group_plot(title, table),
            ]
    cfg = json.dumps(report["config"], indent=1)
    parts.append(f"<h2>Configuration</h2><pre>{html.escape(cfg)}</pre>")
    return "\n".join(parts)
