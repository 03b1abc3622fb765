"""The study runner (`medllm study run CONFIG`): arms scored on the same tasks, each tested against
the baseline arm; writes report.json, report.md and a self-contained report.html.

A base arm scores a model as it is (model × retrieval × scoring mode); a recipe arm (S2 / S3 / S4)
is trained first, as its own `medllm train` process (so peak RAM is per arm), and its model scored.
Every arm × task is one `run_eval` into its own result folder (`<arm>/scores/<task>-<mode>-<digest>`),
so each scored item is on disk before the next batch: a study killed mid-arm resumes without
rescoring finished items, an arm whose final/ model exists is not retrained, and an arm that
stopped training part-way resumes from its newest checkpoint. `only` runs some arms; the report is
rebuilt from every arm scored on disk with the same tasks and settings, so it keeps the others.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medllm.core import MedllmError, Progress, read_yaml, write_json
from medllm.evaluate.config import StudyArm, StudyConfig
from medllm.evaluate.heldout import trained_model
from medllm.models import RUN_META, load_merged, load_model
from medllm.train import FINAL, last_checkpoint


def _trained(run_dir: Path) -> bool:
    return (run_dir / FINAL / RUN_META).is_file()


def _train_arm(
    arm: StudyArm, run_dir: Path, start: Path | None, common: list[str]
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


def _override_model(arm: StudyArm) -> str | None:
    return next((o.split("=", 1)[1] for o in arm.overrides if o.startswith("model=")), None)


def model_spec(cfg: StudyConfig, arm: StudyArm) -> str:
    """What a base arm scores: its `model`, else an `overrides: [model=...]` (the older form),
    else the study's; with retrieval on, the same model behind `rag:`."""
    spec = arm.model or _override_model(arm) or cfg.model
    return f"rag:{spec}" if arm.rag and not spec.startswith("rag:") else spec


def task_name(task: str) -> str:
    # a task given as a YAML path is reported under its name, which is the file's stem
    return Path(task).stem if task.endswith((".yaml", ".yml")) else task


def score_dir(cfg: StudyConfig, arm: StudyArm, task: str) -> Path:
    """The result folder of one arm × task: its name holds what decides the items and their
    scoring (mode, limit, seed, task overrides), so a study run with other settings gets its own."""
    mode = arm.mode or cfg.mode
    key = json.dumps([mode, cfg.limit, cfg.seed, cfg.task_overrides])
    digest = hashlib.sha1(key.encode()).hexdigest()[:8]
    return (
        Path(cfg.output_dir) / cfg.name / arm.name / "scores" / f"{task_name(task)}-{mode}-{digest}"
    )


def _score(cfg: StudyConfig, arm: StudyArm, model: Any, progress: Progress | None) -> None:
    from medllm.evaluate.runner import run_eval

    for task in cfg.tasks:
        name = task_name(task)

        def scored(_: str, done: int, total: int, name: str = name) -> None:
            if progress:
                progress(f"{arm.name}: {name}", done, total)

        run_eval(
            model,
            [task],
            mode=arm.mode or cfg.mode,
            limit=cfg.limit,
            seed=cfg.seed,
            batch_size=cfg.batch_size,
            cache=cfg.cache,
            overrides=cfg.task_overrides,
            out_dir=score_dir(cfg, arm, task),
            progress=scored,
        )


def _run_arm(cfg: StudyConfig, arm: StudyArm, out: Path, progress: Progress | None) -> None:
    if not arm.trains:
        with load_model(model_spec(cfg, arm)) as model:
            _score(cfg, arm, model, progress)
        return
    run_dir = out / arm.name
    start = _merged(out / arm.start_from) if arm.start_from else None
    _train_arm(arm, run_dir, start, cfg.overrides)
    _score(cfg, arm, trained_model(run_dir / FINAL), progress)


def _selected(cfg: StudyConfig, only: Sequence[str] | None, out: Path) -> list[StudyArm]:
    """The arms to run: all, or those named in `only` (checked before anything runs)."""
    if not only:
        return list(cfg.arms)
    names = [arm.name for arm in cfg.arms]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise MedllmError(
            f"study {cfg.name}: no arm named {', '.join(unknown)}",
            fix=f"--only takes names of the config's arms: {', '.join(names)}",
        )
    arms = [arm for arm in cfg.arms if arm.name in only]
    for arm in arms:
        start = arm.start_from
        if start and start not in only and not _trained(out / start):
            raise MedllmError(
                f"study {cfg.name}: arm {arm.name} starts from arm {start}, which is not trained",
                fix=f"add {start} to --only",
            )
    return arms


STUDY_RECORD = "study.json"


def _arm_identity(cfg: StudyConfig, arm: StudyArm) -> dict[str, Any]:
    """What decides an arm's trained model and scores: reused only while it stays the same (the
    scoring settings name the arm's score folders instead: `score_dir`)."""
    return {
        "config": arm.config,
        "overrides": arm.overrides,
        "start_from": arm.start_from,
        "common overrides": cfg.overrides if arm.trains else [],
        # a base arm's model given as an override is in "overrides" already
        "model": None if arm.trains or _override_model(arm) else arm.model or cfg.model,
        "rag": arm.rag,
    }


def _older_study(out: Path, arms: list[str]) -> bool:
    """A study folder written before study.json was: it holds report.json or an arm's folder."""
    return (out / "report.json").is_file() or any((out / a).is_dir() for a in arms)


def _claim(cfg: StudyConfig, out: Path) -> None:
    """Refuse a folder that holds another study, or an arm of this one defined otherwise (its
    trained model and report row would be reused as if they were this arm's); record the arms."""
    record = out / STUDY_RECORD
    arms = {arm.name: _arm_identity(cfg, arm) for arm in cfg.arms}
    before: dict[str, Any] = {}
    if record.is_file():
        before = json.loads(record.read_text(encoding="utf-8")).get("arms", {})
    elif out.is_dir() and any(out.iterdir()) and not _older_study(out, list(arms)):
        raise MedllmError(
            f"{out}: the folder is not empty and holds no study ({STUDY_RECORD})",
            fix="give the study another name or output_dir, or empty the folder",
        )
    for name, ident in arms.items():
        # a key an older study.json lacks (model) is not a difference
        differ = [k for k in ident if k in before.get(name, {}) and before[name][k] != ident[k]]
        if differ:
            what = ", ".join(differ)
            raise MedllmError(
                f"{out}: arm {name} was run with another definition ({what} differ)",
                fix=f"give the study another name or output_dir, or delete {out} to start over",
            )
    out.mkdir(parents=True, exist_ok=True)
    write_json(record, {"study": cfg.name, "arms": {**before, **arms}})


def run_study(
    cfg: StudyConfig, progress: Progress | None = None, only: Sequence[str] | None = None
) -> Path:
    """Run every arm (or those named in `only`) in order, then write the report; returns the path
    of report.md (report.json and report.html beside it). `progress` sees the scoring of each
    arm's tasks ("arm: task", done, total); training shows its own bar."""
    from medllm.evaluate.study_report import write_study_report

    out = Path(cfg.output_dir) / cfg.name
    arms = _selected(cfg, only, out)  # the config's tasks, modes and arm names were checked
    _claim(cfg, out)  # when it was validated: nothing has run yet
    t0 = time.perf_counter()
    for arm in arms:
        _run_arm(cfg, arm, out, progress)
    return write_study_report(cfg, out, wall_s=time.perf_counter() - t0)
