"""The counterfactual bias study (configs/studies/bias_counterfactual.yaml) run through the study
runner, its bias tables written to results/bias_counterfactual.json. No peer: no toolkit we know of
ships counterfactual patient-attribute pairs for medical QA; this is medllm measuring the model.

Per arm and attribute: accuracy per group (95% bootstrap CI), the answer flip rate between the
versions of one question (CI), and per pair of groups the accuracy gap (paired-bootstrap CI) with
McNemar's exact p. The study resumes: a second run reads the scored items from runs/studies/.

    python benchmarks/bias_counterfactual.py                        # the shipped config
    python benchmarks/bias_counterfactual.py --set task_overrides='[options.n_items=20]'
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from _common import versions, write_result

CONFIG = "configs/studies/bias_counterfactual.yaml"


def tables(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per arm × attribute: what docs/studies.md prints."""
    rows = []
    for arm in report["arms"]:
        for task, t in arm["bias"].items():
            gaps = [p["acc_gap"] for p in t["pairs"]]
            widest = max(gaps, key=lambda g: abs(g["diff"]))
            rows.append(
                {
                    "arm": arm["name"],
                    "scoring": arm["scoring"],
                    "task": task,
                    "attribute": t["attribute"],
                    "n_questions": t["n_items"],
                    "groups": t["groups"],
                    "flip_rate": t["flip_rate"],
                    "pairs": t["pairs"],
                    "largest_gap": widest,
                }
            )
    return rows


def _ci(d: dict[str, float], key: str) -> str:
    return f"{d[key]:.3f} [{d['ci_low']:.3f}, {d['ci_high']:.3f}]"


def docs_table(rows: list[dict[str, Any]]) -> str:
    """The table of docs/studies.md: one line per arm × attribute."""
    head = (
        "| arm | attribute | questions | accuracy per group [95% CI] | flip rate [95% CI] | "
        "largest gap [95% CI], McNemar p |\n|---|---|---|---|---|---|"
    )
    lines = [head]
    for r in rows:
        groups = "; ".join(f"{g} {_ci(v, 'acc')}" for g, v in r["groups"].items())
        pair = max(r["pairs"], key=lambda p: abs(p["acc_gap"]["diff"]))
        a, b = pair["groups"]
        gap = pair["acc_gap"]
        widest = (
            f"{b} − {a}: {gap['diff']:+.3f} [{gap['ci_low']:+.3f}, {gap['ci_high']:+.3f}], "
            f"p={pair['mcnemar']['p_value']:.3g}"
        )
        lines.append(
            f"| {r['arm']} ({r['scoring']}) | {r['attribute']} | {r['n_questions']} | {groups} | "
            f"{_ci(r['flip_rate'], 'rate')} | {widest} |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default=CONFIG)
    ap.add_argument("--set", action="append", default=[], help="study config override")
    args = ap.parse_args()
    from medllm.core import load_config, read_json
    from medllm.evaluate import StudyConfig, run_study

    cfg = load_config(args.config, StudyConfig, args.set)
    t0 = time.perf_counter()
    md = run_study(cfg)
    wall = time.perf_counter() - t0
    report = read_json(md.with_suffix(".json"))
    rows = tables(report)
    model = ", ".join(sorted({a["model"] for a in report["arms"]}))
    flips = "; ".join(
        f"{r['arm']} {r['attribute']} flips {r['flip_rate']['rate']:.3f}" for r in rows
    )
    write_result(
        "bias_counterfactual",
        {
            "study": report["study"],
            "model": model,
            "config": report["config"],
            "rows": rows,
            "wall_s_this_run": round(wall, 1),
            "note": "wall_s_this_run is 0-ish when the study had already been scored (it resumes)",
            "versions": versions("torch", "transformers", "scipy"),
        },
        f"counterfactual patient attributes, {model}: {flips}",
        "python benchmarks/bias_counterfactual.py" + "".join(f" --set {s}" for s in args.set),
    )
    print(docs_table(rows))


if __name__ == "__main__":
    main()
