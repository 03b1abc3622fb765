"""`medllm eval`, `medllm report` and `medllm study run` (registered on the root CLI)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from medllm.core import MedllmError, Progress, load_config, progress_bar, read_yaml, validate
from medllm.evaluate.config import EvalConfig, StudyConfig

console = Console()


def _help(name: str) -> str:
    """An option's help is its EvalConfig field's description (each field documented once)."""
    return str(EvalConfig.model_fields[name].description)


NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="do not read or write the model-call cache")
]


def eval_command(
    tasks: Annotated[
        str | None, typer.Option("--tasks", "-t", help="comma-separated " + _help("tasks"))
    ] = None,
    model: Annotated[
        str | None,
        typer.Option("--model", "-m", help=_help("model") + " [default: llamacpp:default]"),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="an eval YAML (kind: eval); options given here override it"
        ),
    ] = None,
    mode: Annotated[str | None, typer.Option(help=_help("mode"))] = None,
    limit: Annotated[int | None, typer.Option(help=_help("limit"))] = None,
    seed: Annotated[int | None, typer.Option(help=_help("seed") + " [default: 0]")] = None,
    out: Annotated[
        Path | None, typer.Option(help=_help("out_dir") + " [default: runs/<time>-<mode>]")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help=_help("batch_size") + " [default: 16]")
    ] = None,
    num_fewshot: Annotated[int | None, typer.Option(help=_help("num_fewshot"))] = None,
    k: Annotated[int | None, typer.Option(help=_help("k") + " [default: 5]")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help=_help("overrides"))] = None,
    no_cache: NoCacheOpt = False,
    rag: Annotated[
        bool,
        typer.Option(
            "--rag",
            help="retrieval axis: put top-3 knowledge-base sources in front of "
            "every prompt (same as --model rag:<spec>; builds the default knowledge "
            "base on first use)",
        ),
    ] = False,
) -> None:
    """Evaluate a model on medical tasks; writes a result folder (summary.json, per-sample JSONL)."""
    from medllm.evaluate.runner import run_eval

    given = {
        "mode": mode,
        "limit": limit,
        "seed": seed,
        "batch_size": batch_size,
        "k": k,
        "num_fewshot": num_fewshot,
        "overrides": set_,
        "cache": False if no_cache else None,
        "tasks": [t.strip() for t in tasks.split(",") if t.strip()] if tasks else None,
        "model": model,
    }
    cfg = _with_options(load_config(config, EvalConfig) if config else EvalConfig(), given, rag)
    default_out = Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{cfg.mode or 'default'}"
    out_dir = str(out) if out else cfg.out_dir or str(default_out)
    with progress_bar(console) as update:
        summary = run_eval(cfg=cfg, out_dir=out_dir, progress=update)
    console.print(summary_table(summary))
    console.print(f"results in {out_dir}/summary.json — HTML: medllm report {out_dir}")


def _with_options(cfg: EvalConfig, given: dict[str, Any], rag: bool) -> EvalConfig:
    """The config with the options given on the command line on top, validated again (so
    `--limit -1` is refused like `limit: -1` in the file)."""
    merged = {**cfg.model_dump(), **{key: v for key, v in given.items() if v is not None}}
    if rag and not str(merged["model"]).startswith("rag:"):
        merged["model"] = f"rag:{merged['model']}"
    return validate(merged, EvalConfig, origin="command line")


def summary_table(summary: dict[str, Any]) -> Table:
    from rich.table import Column

    # A task name is never cut (names that differ only at the end must stay apart): in a narrow
    # terminal it folds onto more lines, in a column at least 24 characters wide.
    longest = max((len(name) for name in summary["results"]), default=4)
    table = Table(
        Column("task", overflow="fold", min_width=min(longest, 24)),
        "mode",
        "n",
        "score ± 95% CI",
        "ECE",
        "parse fail",
        "predicted options",
        title=f"model {summary['config']['model']}",
    )
    for name, r in summary["results"].items():
        main = "acc" if "acc" in r else "rougeL"
        if main not in r:
            continue
        score = f"{main} {r[main]:.3f} [{r[f'{main}_ci_low']:.3f}, {r[f'{main}_ci_high']:.3f}]"
        dist = " ".join(f"{k}:{v:.0%}" for k, v in r.get("pred_dist", {}).items())
        ece = f"{r['ece']:.3f}" if "ece" in r else "-"
        pf = f"{r['parse_failure_rate']:.1%}" if "parse_failure_rate" in r else "-"
        table.add_row(name, str(r.get("mode", "")), str(r["n"]), score, ece, pf, dist)
    return table


def report_command(
    run_dirs: Annotated[
        list[Path], typer.Argument(help="one or more result folders of `medllm eval`")
    ],
    out: Annotated[Path, typer.Option(help="HTML file to write")] = Path("report.html"),
) -> None:
    """Write one self-contained HTML page (tables + plots) comparing result folders."""
    from medllm.evaluate.report import write_report

    path = write_report(run_dirs, out)
    console.print(f"wrote {path}")


def _scoring_bar() -> Progress:
    """One rich bar per scored task, live only while that task is scored (each arm's training
    runs in a child process that draws its own bar on the same terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    bars: dict[str, tuple[RichProgress, Any]] = {}

    def update(task: str, done: int, total: int) -> None:
        if task not in bars:
            bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            )
            bar.start()
            bars[task] = (bar, bar.add_task(task, total=total))
        bar, tid = bars[task]
        bar.update(tid, completed=done)
        if done >= total:
            bar.stop()

    return update


class _StudyGroup(TyperGroup):
    """`medllm study CONFIG` (the command before `study run` existed) is read as
    `medllm study run CONFIG`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["run", *args]
        return super().parse_args(ctx, args)


study_command = typer.Typer(
    cls=_StudyGroup,
    no_args_is_help=True,
    help="Studies: arms (models × retrieval × scoring mode, or training recipes) scored on the "
    "same tasks against a baseline arm, (kind: interpretability, S10) the faithfulness of "
    "token attributions, or (kind: privacy_leakage, S9) canary exposure, membership AUC and "
    "utility of raw / de-identified / DP fine-tuning, or (kind: federated_comparison, S8) "
    "centralized vs FedAvg / FedProx vs local-only LoRA, or (kind: hallucination, S7) none vs RAG "
    "vs self-consistency / uncertainty abstention vs RAG + abstention (coverage / risk); "
    "`medllm study CONFIG` = `medllm study run "
    "CONFIG`.",
)


def _interpretability(config: Path, set_: list[str] | None, only: list[str] | None) -> Path:
    from medllm.evaluate.explain import InterpretabilityConfig, run_interpretability

    if only:
        raise MedllmError(
            f"{config}: an interpretability study has no arms for --only", fix="drop --only"
        )
    cfg = load_config(config, InterpretabilityConfig, set_)
    return run_interpretability(cfg, progress=_scoring_bar())


def _leakage(config: Path, set_: list[str] | None, only: list[str] | None) -> Path:
    from medllm.evaluate.leakage import PrivacyLeakageConfig, run_leakage

    cfg = load_config(config, PrivacyLeakageConfig, set_)
    return run_leakage(cfg, progress=_scoring_bar(), only=only)


def _vision_study(config: Path, set_: list[str] | None, only: list[str] | None) -> Path:
    from medllm.evaluate.vision_study import VisionStudyConfig, run_vision_study

    cfg = load_config(config, VisionStudyConfig, set_)
    cfg.check_names()
    return run_vision_study(cfg, progress=_scoring_bar(), only=only)


def _hallucination(config: Path, set_: list[str] | None, only: list[str] | None) -> Path:
    from medllm.evaluate.hallucination import HallucinationConfig, run_hallucination

    cfg = load_config(config, HallucinationConfig, set_)
    return run_hallucination(cfg, progress=_scoring_bar(), only=only)


def _fedcompare(config: Path, set_: list[str] | None, only: list[str] | None) -> Path:
    from medllm.evaluate.fedcompare import FederatedComparisonConfig, run_fedcompare

    cfg = load_config(config, FederatedComparisonConfig, set_)
    return run_fedcompare(cfg, progress=_scoring_bar(), only=only)


@study_command.command("run")
def study_run(
    config: Annotated[
        Path,
        typer.Argument(
            help="study YAML (kind: study; kind: interpretability for S10, privacy_leakage "
            "for S9, vision_study for S5 / S6, hallucination for S7, federated_comparison for S8; "
            "configs/studies/)"
        ),
    ],
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="override a field: --set limit=50")
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            help="comma-separated arm names to run (default: all); the report keeps every arm "
            "scored earlier with the same settings"
        ),
    ] = None,
) -> None:
    """Run a study: score every arm (recipe arms trained first) and test it against the baseline.

    Writes report.json, report.md and report.html (S9: utility_vs_epsilon.png, S8:
    accuracy_per_round.png instead of report.html); scoring resumes per item, S8 and S9 per arm.

    Rerun the same command to resume: scored items, trained arms and checkpoints are reused."""
    from medllm.evaluate.studies import run_study

    names = [n.strip() for n in only.split(",") if n.strip()] if only else None
    kind = read_yaml(config).get("kind")
    if kind == "interpretability":  # S10: its own runner
        report = _interpretability(config, set_, names)
    elif kind == "privacy_leakage":  # S9: trains its arms in this process
        report = _leakage(config, set_, names)
    elif kind == "hallucination":  # S7: signals per item, arms scored from them
        report = _hallucination(config, set_, names)
    elif kind == "federated_comparison":  # S8: trains its arms (and federations) in this process
        report = _fedcompare(config, set_, names)
    elif kind == "vision_study":  # S5, S6: arms of `medllm train vlm`
        report = _vision_study(config, set_, names)
        console.print(f"report: {report} (and {report.with_suffix('.json').name})")
        return
    else:
        cfg = load_config(config, StudyConfig, set_)
        report = run_study(cfg, progress=_scoring_bar(), only=names)
    beside = [report.with_suffix(x) for x in (".html", ".json")]
    if kind == "privacy_leakage":
        beside = [report.with_suffix(".json"), report.parent / "utility_vs_epsilon.png"]
    if kind == "federated_comparison":
        beside = [report.with_suffix(".json"), report.parent / "accuracy_per_round.png"]
    names_beside = ", ".join(p.name for p in beside if p.is_file())
    console.print(f"report: {report}" + (f" (and {names_beside})" if names_beside else ""))
