"""Studies S2 / S3 / S4: train each arm (as its own `medllm train` process, so peak RAM is per arm),
score every arm on held-out tasks, write report.json and report.md.

An arm whose final/ model already exists is not retrained, and an arm that stopped part-way resumes
from its newest checkpoint: rerunning the command resumes a study. `only` runs some arms; their rows
replace those of an earlier report of the same tasks and limit, so report.md keeps every arm scored.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.core import MedllmError, Progress, read_yaml, write_json
from medllm.evaluate.config import StudyConfig, StudyRun
from medllm.evaluate.heldout import heldout_scores, trained_model
from medllm.models import RUN_META, load_merged, load_model
from medllm.train import FINAL, last_checkpoint


def _trained(run_dir: Path) -> bool:
    return (run_dir / FINAL / RUN_META).is_file()


def _train_arm(
    arm: StudyRun, run_dir: Path, start: Path | None, common: list[str]
) -> dict[str, Any]:
    meta = run_dir / FINAL / RUN_META
    if not _trained(run_dir):
        kind = str(read_yaml(arm.config).get("kind"))
        sets = [
            *common,
            *arm.overrides,
            f"output_dir={run_dir}",
            *([f"model={start}"] if start else []),
        ]
        cmd = [sys.executable, "-m", "medllm", "train", kind, arm.config]
        for s in sets:
            cmd += ["--set", s]
        if last_checkpoint(run_dir):  # an earlier run of this arm stopped: go on from it
            cmd.append("--resume")
        if subprocess.run(cmd, check=False).returncode != 0:
            raise MedllmError(
                f"study arm {arm.name}: training failed (the error is printed above)",
                fix=f"fix the cause and rerun the study: arm {arm.name} resumes from its newest "
                "checkpoint, finished arms are reused",
            )
    return dict(json.loads(meta.read_text(encoding="utf-8")))


def _merged(run_dir: Path) -> Path:
    """A trained arm as a plain HF folder (adapter merged), so a later arm can start from it."""
    out = run_dir / "merged"
    if not (out / "config.json").is_file():
        model, tokenizer = load_merged(run_dir / FINAL)
        model.save_pretrained(out)
        tokenizer.save_pretrained(out)
    return out


def _arm_row(
    cfg: StudyConfig, arm: StudyRun, out: Path, progress: Progress | None
) -> dict[str, Any]:
    def scored(task: str, done: int, total: int) -> None:
        if progress:
            progress(f"{arm.name}: {task}", done, total)

    if arm.config == "base":
        spec = next(
            (o.split("=", 1)[1] for o in arm.overrides if o.startswith("model=")), "hf:default"
        )
        return {
            "name": arm.name,
            "kind": "base",
            "model": spec,
            "scores": heldout_scores(load_model(spec), cfg.tasks, cfg.limit, progress=scored),
        }
    run_dir = out / arm.name
    start = _merged(out / arm.start_from) if arm.start_from else None
    meta = _train_arm(arm, run_dir, start, cfg.overrides)
    scores = heldout_scores(trained_model(run_dir / FINAL), cfg.tasks, cfg.limit, progress=scored)
    return {
        "name": arm.name,
        "kind": meta["kind"],
        "mode": meta["mode"],
        "start_from": arm.start_from,
        **meta["result"],
        "scores": scores,
    }


def _selected(cfg: StudyConfig, only: Sequence[str] | None, out: Path) -> list[StudyRun]:
    """The arms to run: all, or those named in `only` (checked before anything runs)."""
    if not only:
        return list(cfg.runs)
    names = [arm.name for arm in cfg.runs]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise MedllmError(
            f"study {cfg.name}: no arm named {', '.join(unknown)}",
            fix=f"--only takes names of the config's runs: {', '.join(names)}",
        )
    arms = [arm for arm in cfg.runs if arm.name in only]
    for arm in arms:
        start = arm.start_from
        if start and start not in only and not _trained(out / start):
            raise MedllmError(
                f"study {cfg.name}: arm {arm.name} starts from arm {start}, which is not trained",
                fix=f"add {start} to --only",
            )
    return arms


def _with_earlier(cfg: StudyConfig, rows: list[dict[str, Any]], out: Path) -> list[dict[str, Any]]:
    """`rows` plus the arms of an earlier report.json of the same tasks and limit that this run did
    not score, in the config's order."""
    old = out / "report.json"
    if not old.is_file():
        return rows
    earlier = json.loads(old.read_text(encoding="utf-8"))
    if earlier.get("tasks") != cfg.tasks or earlier.get("limit") != cfg.limit:
        return rows
    by_name = {a["name"]: a for a in earlier.get("arms", [])} | {a["name"]: a for a in rows}
    return [by_name[arm.name] for arm in cfg.runs if arm.name in by_name]


STUDY_RECORD = "study.json"


def _arm_identity(arm: StudyRun, common: list[str]) -> dict[str, Any]:
    """What decides an arm's trained model and scores: reused only while it stays the same."""
    return {
        "config": arm.config,
        "overrides": arm.overrides,
        "start_from": arm.start_from,
        "common overrides": common if arm.config != "base" else [],
    }


def _older_study(out: Path, arms: list[str]) -> bool:
    """A study folder written before study.json was: it holds report.json or an arm's folder."""
    return (out / "report.json").is_file() or any((out / a).is_dir() for a in arms)


def _claim(cfg: StudyConfig, out: Path) -> None:
    """Refuse a folder that holds another study, or an arm of this one defined otherwise (its
    trained model and report row would be reused as if they were this arm's); record the arms."""
    record = out / STUDY_RECORD
    arms = {arm.name: _arm_identity(arm, cfg.overrides) for arm in cfg.runs}
    before: dict[str, Any] = {}
    if record.is_file():
        before = json.loads(record.read_text(encoding="utf-8")).get("arms", {})
    elif out.is_dir() and any(out.iterdir()) and not _older_study(out, list(arms)):
        raise MedllmError(
            f"{out}: the folder is not empty and holds no study ({STUDY_RECORD})",
            fix="give the study another name or output_dir, or empty the folder",
        )
    for name, ident in arms.items():
        if name in before and before[name] != ident:
            what = ", ".join(k for k in ident if before[name].get(k) != ident[k])
            raise MedllmError(
                f"{out}: arm {name} was run with another definition ({what} differ)",
                fix=f"give the study another name or output_dir, or delete {out} to start over",
            )
    out.mkdir(parents=True, exist_ok=True)
    write_json(record, {"study": cfg.name, "arms": {**before, **arms}})


def run_study(
    cfg: StudyConfig, progress: Progress | None = None, only: Sequence[str] | None = None
) -> Path:
    """Run every arm (or those named in `only`) in order; returns the path of report.md.
    `progress` sees the scoring of each arm's tasks ("arm: task", done, total); training shows its
    own bar."""
    from medllm.evaluate.tasks import get_spec

    for task in cfg.tasks:  # a misspelt task fails now, not after the first arm has trained
        get_spec(task)
    out = Path(cfg.output_dir) / cfg.name
    arms = _selected(cfg, only, out)
    _claim(cfg, out)
    t0 = time.perf_counter()
    rows = _with_earlier(cfg, [_arm_row(cfg, arm, out, progress) for arm in arms], out)
    report = {
        "study": cfg.name,
        "question": cfg.question,
        "tasks": cfg.tasks,
        "limit": cfg.limit,
        "mode": "loglik_options",
        "arms": rows,
        "wall_s": time.perf_counter() - t0,
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
        },
        "config": cfg.model_dump(mode="json"),
    }
    write_json(out / "report.json", report)
    md = out / "report.md"
    md.write_text(render_markdown(report), encoding="utf-8")
    return md


COLUMNS = (
    ("kind", "{}"),
    ("mode", "{}"),
    ("steps", "{}"),
    ("trainable_params", "{:,}"),
    ("peak_rss_gb", "{:.2f}"),
    ("tokens_per_s", "{:.1f}"),
    ("train_seconds", "{:.0f}"),
    ("final_loss", "{:.3f}"),
)


def render_markdown(report: dict[str, Any]) -> str:
    tasks = report["tasks"]
    head = ["arm", *(c for c, _ in COLUMNS), *(f"{t} acc" for t in tasks)]
    lines = [
        f"# {report['study']}",
        "",
        report["question"],
        "",
        f"Held-out items: a seeded sample of {report['limit']} of each task (all if it has no more), scored by {report['mode']}.",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for arm in report["arms"]:
        cells = [arm["name"]]
        for col, fmt in COLUMNS:
            value = arm.get(col)
            cells.append("" if value is None else fmt.format(value))
        cells += [f"{arm['scores'][t]:.3f}" for t in tasks]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
