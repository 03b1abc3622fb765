"""A study's report, rebuilt from what is on disk: every arm scored on every task with the study's
settings gets a row (acc with its 95% bootstrap CI), every other arm a paired test against the
baseline arm on the items both scored (McNemar exact p, paired-bootstrap CI of the difference),
and every counterfactual task a bias table (`medllm.evaluate.bias`). Writes report.json,
report.md and a self-contained report.html (plots inline as base64 PNG).
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

from medllm.core import read_json, write_json
from medllm.evaluate import bias
from medllm.evaluate.config import StudyArm, StudyConfig
from medllm.evaluate.metrics import mcnemar_exact, paired_bootstrap
from medllm.evaluate.runner import read_samples
from medllm.models import RUN_META
from medllm.train import FINAL

TRAIN_COLUMNS = (
    ("mode", "{}"),
    ("steps", "{}"),
    ("trainable_params", "{:,}"),
    ("peak_rss_gb", "{:.2f}"),
    ("tokens_per_s", "{:.1f}"),
    ("train_seconds", "{:.0f}"),
    ("final_loss", "{:.3f}"),
)


def _main_metric(result: dict[str, Any]) -> str:
    return "acc" if "acc" in result else "rougeL"


def _task_scores(cfg: StudyConfig, arm: StudyArm, task: str) -> dict[str, Any] | None:
    """One arm × task: its summary result and its per-item values, or None when not scored."""
    from medllm.evaluate.studies import score_dir, task_name

    folder, name = score_dir(cfg, arm, task), task_name(task)
    if not (folder / "summary.json").is_file():
        return None
    result = read_json(folder / "summary.json")["results"][name]
    seconds = read_json(folder / "run.json").get("last_wall_s")
    metric = _main_metric(result)
    rows = list(read_samples(folder / f"samples_{name}.jsonl").values())
    values = {r["id"]: float(r["correct"] if metric == "acc" else r[metric]) for r in rows}
    return {"result": result, "metric": metric, "rows": rows, "values": values, "seconds": seconds}


def _arm_entry(cfg: StudyConfig, arm: StudyArm, scored: dict[str, Any]) -> dict[str, Any]:
    from medllm.evaluate.studies import model_spec

    entry: dict[str, Any] = {"name": arm.name, "scoring": arm.mode or cfg.mode, "rag": arm.rag}
    if arm.trains:
        final = Path(cfg.output_dir) / cfg.name / arm.name / FINAL
        meta = json.loads((final / RUN_META).read_text(encoding="utf-8"))
        entry |= {"kind": meta["kind"], "mode": meta["mode"], "model": str(final)}
        entry |= {"start_from": arm.start_from, **meta["result"]}
    else:
        entry |= {"kind": "base", "model": model_spec(cfg, arm)}
    entry["scores"] = {t: s["result"][s["metric"]] for t, s in scored.items()}
    # the scoring time of each task's last (or only) run: a resumed run counts only its own part
    entry["score_seconds"] = {t: s["seconds"] for t, s in scored.items()}
    entry["results"] = {
        t: {
            "metric": s["metric"],
            "value": s["result"][s["metric"]],
            "ci_low": s["result"][f"{s['metric']}_ci_low"],
            "ci_high": s["result"][f"{s['metric']}_ci_high"],
            "n": s["result"]["n"],
            **({"pred_dist": s["result"]["pred_dist"]} if "pred_dist" in s["result"] else {}),
        }
        for t, s in scored.items()
    }
    return entry


def paired(
    base: dict[str, float], other: dict[str, float], metric: str, seed: int
) -> dict[str, Any]:
    """`other` against `base` on the items both scored (in `base`'s order)."""
    ids = [i for i in base if i in other]
    x, y = [base[i] for i in ids], [other[i] for i in ids]
    out: dict[str, Any] = {"n_paired": len(ids), **paired_bootstrap(x, y, seed=seed)}
    if metric == "acc":
        out["mcnemar"] = mcnemar_exact([bool(v) for v in x], [bool(v) for v in y])
    return out


def _bias_tables(cfg: StudyConfig, scored: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    from medllm.evaluate.counterfactual import ATTRIBUTES
    from medllm.evaluate.studies import task_name
    from medllm.evaluate.tasks import get_spec

    given = {task_name(t): t for t in cfg.tasks}  # a task YAML path is scored under its stem
    out = {}
    for task, s in scored.items():
        spec = get_spec(given[task], cfg.task_overrides)
        if spec.loader != "counterfactual":
            continue
        groups = list(ATTRIBUTES[str(spec.options["attribute"])])
        out[task] = bias.analyse(s["rows"], groups, seed=cfg.seed)
    return out


def build_report(cfg: StudyConfig, wall_s: float | None = None) -> dict[str, Any]:
    from medllm.evaluate.studies import task_name

    tasks = [task_name(t) for t in cfg.tasks]
    arms, values = [], {}
    for arm in cfg.arms:
        scored = {task_name(t): _task_scores(cfg, arm, t) for t in cfg.tasks}
        if any(s is None for s in scored.values()):
            continue  # not scored (yet) with these settings
        done = {t: s for t, s in scored.items() if s is not None}
        entry = _arm_entry(cfg, arm, done)
        entry["bias"] = _bias_tables(cfg, done)
        values[arm.name] = done
        arms.append(entry)
    base = cfg.baseline_arm
    for entry in arms:
        if entry["name"] != base and base in values:
            entry["vs_baseline"] = {
                t: paired(values[base][t]["values"], s["values"], s["metric"], cfg.seed)
                for t, s in values[entry["name"]].items()
            }
    return {
        "study": cfg.name,
        "question": cfg.question,
        "tasks": tasks,
        "limit": cfg.limit,
        "seed": cfg.seed,
        "baseline": base,
        "baseline_scored": base in values,
        "arms": arms,
        "wall_s": wall_s,
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
        },
        "config": cfg.model_dump(mode="json"),
    }


def write_study_report(cfg: StudyConfig, out: Path, wall_s: float | None = None) -> Path:
    """report.json, report.md and report.html in `out`; returns report.md's path."""
    from medllm.evaluate.study_html import render_html

    report = build_report(cfg, wall_s)
    write_json(out / "report.json", report)
    (out / "report.html").write_text(render_html(report), encoding="utf-8")
    md = out / "report.md"
    md.write_text(render_markdown(report), encoding="utf-8")
    return md


def ci(lo: float, hi: float) -> str:
    return f"[{lo:.3f}, {hi:.3f}]"


def arm_cells(report: dict[str, Any], arm: dict[str, Any]) -> list[str]:
    """One arm's row: what it is, then per task its score and its test against the baseline."""
    trains = any(a["kind"] != "base" for a in report["arms"])
    cells = [
        arm["name"],
        arm["kind"],
        arm["model"],
        arm["scoring"] + (" + rag" if arm["rag"] else ""),
    ]
    if trains:
        for col, fmt in TRAIN_COLUMNS:
            value = arm.get(col) if arm["kind"] != "base" else None
            cells.append("" if value is None else fmt.format(value))
    for t in report["tasks"]:
        r = arm["results"][t]
        cells.append(f"{r['value']:.3f} {ci(r['ci_low'], r['ci_high'])}")
    for t in report["tasks"]:
        if arm["name"] == report["baseline"]:
            cells.append("baseline")
        else:
            cells.append(_vs_cell(arm.get("vs_baseline", {}).get(t)))
    return cells


def _vs_cell(p: dict[str, Any] | None) -> str:
    if p is None:
        return "-"
    text = f"{p['diff']:+.3f} {ci(p['ci_low'], p['ci_high'])}"
    if "mcnemar" in p:
        text += f", p={p['mcnemar']['p_value']:.3g}"
    return text


def arm_header(report: dict[str, Any]) -> list[str]:
    trains = any(a["kind"] != "base" for a in report["arms"])
    return [
        "arm",
        "kind",
        "model",
        "scoring",
        *((c for c, _ in TRAIN_COLUMNS) if trains else ()),
        *(f"{t} acc" for t in report["tasks"]),
        *(f"{t} vs {report['baseline']}" for t in report["tasks"]),
    ]


BIAS_HEAD = ["measure", "value [95% CI]", "accuracy gap, first named − second [95% CI]", "McNemar"]


def bias_rows(table: dict[str, Any]) -> list[list[str]]:
    """Rows of one attribute's bias table: per group accuracy, then per pair flips and gap."""
    rows = []
    for g, r in table["groups"].items():
        rows.append([f"accuracy, {g}", f"{r['acc']:.3f} {ci(r['ci_low'], r['ci_high'])}", "", ""])
    f = table["flip_rate"]
    rows.append(
        ["flip rate, any two groups", f"{f['rate']:.3f} {ci(f['ci_low'], f['ci_high'])}", "", ""]
    )
    for p in table["pairs"]:
        a, b = p["groups"]
        fr, gap = p["flip_rate"], p["acc_gap"]
        rows.append(
            [
                f"flip rate, {b} vs {a}",
                f"{fr['rate']:.3f} {ci(fr['ci_low'], fr['ci_high'])}",
                f"{gap['diff']:+.3f} {ci(gap['ci_low'], gap['ci_high'])}",
                f"p={p['mcnemar']['p_value']:.3g}",
            ]
        )
    return rows


def _md_table(head: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


def render_markdown(report: dict[str, Any]) -> str:
    limit = report["limit"]
    sample = f"a seeded sample (seed {report['seed']}) of {limit}" if limit else "all"
    over = report["config"]["task_overrides"]
    given = f" (task overrides: {', '.join(over)})" if over else ""
    lines = [f"# {report['study']}", "", report["question"], ""]
    lines.append(
        f"Items: {sample} of each task's items{given}. Scores with 95% bootstrap CIs; against the baseline "
        f"arm `{report['baseline']}`: the difference on the paired items with its paired-bootstrap "
        "95% CI and McNemar's exact p."
    )
    if not report["baseline_scored"]:
        lines.append(
            f"\nThe baseline arm `{report['baseline']}` is not scored yet: no paired tests."
        )
    lines += ["", *_md_table(arm_header(report), [arm_cells(report, a) for a in report["arms"]])]
    for arm in report["arms"]:
        for task, table in arm.get("bias", {}).items():
            lines += ["", f"## Bias: {arm['name']} on {task} ({table['attribute']})", ""]
            lines.append(
                f"{table['n_items']} items, each asked once per group"
                + (
                    f" ({table['incomplete_items']} items not scored in every group left out)"
                    if table["incomplete_items"]
                    else ""
                )
                + "."
            )
            lines += ["", *_md_table(BIAS_HEAD, bias_rows(table))]
    return "\n".join(lines) + "\n"
