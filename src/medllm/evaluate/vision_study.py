"""Vision studies (`kind: vision_study`, run by `medllm study run`): arms of `medllm train vlm`
that differ in a few fields (S5: the encoder, S6: the alignment module), each trained and scored
on the generated set's held-out source images with the same LM, data and steps.

Each arm is one recipe run into `<output_dir>/vlm_runs/<digest of its config>/` (its final/ model,
metrics.json); an arm whose metrics.json exists is reused — a rerun goes on with the arms not yet
run, and two studies' identical arms are trained once. The arms run
in this process, one after the other: a VLM over the embedded LM is small, and in-process the
frozen-encoder feature cache (`features_dir`, shared by every arm) is read, not recomputed. The
report (`report.json`, `report.md`, and `results_file`) holds one row per arm in `arms`: the
figures every vision study records (closed and open exact match, open recall and BLEU-1, each
question type, the majority-answer baseline, trainable parameters, image tokens, training tokens
per second, answer latency); `columns` picks the table printed in report.md.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from medllm.core import ConfigError, Progress, load_config, write_json

ROW_FIELDS = (
    "encoder",
    "aligner",
    "closed_acc",
    "open_acc",
    "open_recall",
    "open_bleu1",
    "all_acc",
    "baseline_closed_acc",
    "baseline_open_acc",
    "baseline_open_recall",
    "baseline_open_bleu1",
    "n_closed",
    "n_open",
    "trainable_params",
    "image_tokens",
    "train_tokens_per_s",
    "train_seconds",
    "latency_s",
)


class VisionArm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="arm id (its folder's name)")
    overrides: list[str] = Field(
        default_factory=list, description="`--set` overrides of the base config for this arm"
    )


class VisionStudyConfig(BaseModel):
    """Arms of `medllm train vlm` (a base config plus overrides), scored alike."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["vision_study"] = Field("vision_study", description="config kind")
    name: str = Field(description="study id (the output folder's name)")
    question: str = Field("", description="what the study answers, printed in the report")
    base: str = Field(
        "configs/train/vlm.yaml", description="the `kind: vlm` config every arm starts from"
    )
    overrides: list[str] = Field(
        default_factory=list, description="`--set` overrides applied to every arm (before its own)"
    )
    arms: list[VisionArm] = Field(min_length=2, description="the arms, in the report's order")
    columns: list[str] = Field(
        ["encoder", "aligner", "closed_acc", "open_recall", "open_bleu1"],
        description=f"report.md's columns, from: {', '.join(ROW_FIELDS)}",
    )
    output_dir: str = Field("runs/studies", description="the arms' runs and the report go here")
    results_file: str | None = Field(None, description="also write the report to this JSON file")

    def check_names(self) -> None:
        """Arm names unique, columns known, every arm's config valid (before anything runs)."""
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            raise ConfigError(
                f"study {self.name}: arm names repeat", fix="give each arm its own name"
            )
        if wrong := [c for c in self.columns if c not in ROW_FIELDS]:
            raise ConfigError(
                f"study {self.name}: unknown columns {wrong}", fix=f"use {', '.join(ROW_FIELDS)}"
            )
        for arm in self.arms:
            arm_config(self, arm, Path(self.output_dir))


def arm_config(cfg: VisionStudyConfig, arm: VisionArm, out: Path) -> Any:
    """The arm's recipe config; its output_dir is `<out>/vlm_runs/<digest>`, a digest of every
    other field, so an arm two studies share (S5's vit_s14 = S6's query arm) is trained once."""
    from medllm.train import VlmConfig

    vlm = load_config(cfg.base, VlmConfig, [*cfg.overrides, *arm.overrides])
    vlm.check_names()
    fields = vlm.model_dump(exclude={"output_dir"})
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()[:12]
    return vlm.model_copy(update={"output_dir": str(out / "vlm_runs" / digest)})


def arm_row(name: str, metrics: dict[str, Any]) -> dict[str, Any]:
    """One `arms` entry from a recipe run's metrics.json."""

    def acc(key: str, field: str = "accuracy") -> float:
        return float(metrics.get(key, {}).get(field, 0.0))

    row: dict[str, Any] = {
        "arm": name,
        "encoder": metrics["encoder"],
        "aligner": metrics["aligner"],
        "closed_acc": acc("closed"),
        "open_acc": acc("open"),
        "open_recall": metrics["open_recall"],
        "open_bleu1": metrics["open_bleu1"],
        "all_acc": acc("all"),
        "baseline_closed_acc": acc("closed", "baseline_accuracy"),
        "baseline_open_acc": acc("open", "baseline_accuracy"),
        "baseline_open_recall": metrics["baseline_open_recall"],
        "baseline_open_bleu1": metrics["baseline_open_bleu1"],
        "n_closed": int(metrics.get("closed", {}).get("n", 0)),
        "n_open": int(metrics.get("open", {}).get("n", 0)),
    }
    for key in (
        "trainable_params",
        "image_tokens",
        "train_tokens_per_s",
        "train_seconds",
        "latency_s",
    ):
        row[key] = metrics[key]
    row["by_type"] = {
        k.removeprefix("type:"): {
            "n": v["n"],
            "accuracy": v["accuracy"],
            "baseline": v["baseline_accuracy"],
        }
        for k, v in metrics.items()
        if k.startswith("type:")
    }
    return row


def run_vision_study(
    cfg: VisionStudyConfig, progress: Progress | None = None, only: Sequence[str] | None = None
) -> Path:
    """Train and score every arm not yet run (those in `only`, if given), then write the report
    of every arm run so far; returns report.md's path."""
    from medllm.train import run_vlm

    if wrong := [n for n in only or () if n not in {a.name for a in cfg.arms}]:
        raise ConfigError(
            f"study {cfg.name}: no arm {wrong[0]!r}",
            fix=f"--only takes arm names: {', '.join(a.name for a in cfg.arms)}",
        )
    out = Path(cfg.output_dir)
    rows = []
    for arm in cfg.arms:
        arm_cfg = arm_config(cfg, arm, out)
        metrics_file = Path(arm_cfg.output_dir) / "metrics.json"
        if not metrics_file.is_file() and (not only or arm.name in only):
            run_vlm(arm_cfg, progress=progress)
        if metrics_file.is_file():
            rows.append(arm_row(arm.name, json.loads(metrics_file.read_text(encoding="utf-8"))))
    report = {
        "study": cfg.name,
        "question": cfg.question,
        "base": cfg.base,
        "overrides": cfg.overrides,
        "arms": rows,
        "machine": {"platform": platform.platform(), "python": platform.python_version()},
    }
    folder = out / cfg.name
    write_json(folder / "report.json", report)
    if cfg.results_file:
        write_json(cfg.results_file, report)
    md = folder / "report.md"
    md.write_text(_markdown(cfg, rows), encoding="utf-8")
    return md


def _markdown(cfg: VisionStudyConfig, rows: list[dict[str, Any]]) -> str:
    cols = ["arm", *cfg.columns]
    lines = [f"# {cfg.name}", "", cfg.question, "", "| " + " | ".join(cols) + " |"]
    lines.append("|" + "---|" * len(cols))
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"
