"""`medllm eval` and `medllm report` (registered on the root CLI)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def eval_command(
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="comma-separated task names (`medllm ls tasks`)")
    ],
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="model spec: llamacpp:default, hf:DIR, openai:URL#name"),
    ] = "llamacpp:default",
    mode: Annotated[
        str | None,
        typer.Option(
            help="loglik, loglik_options, generate, cot, self_consistency, fewshot; default: each task's own"
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="score only this many items per task (a seeded sample)")
    ] = None,
    seed: Annotated[
        int, typer.Option(help="seed for --limit sampling, few-shot draws and sampling modes")
    ] = 0,
    out: Annotated[
        Path | None, typer.Option(help="result folder; rerunning the same command there resumes")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="items per batch of model calls")] = 16,
    num_fewshot: Annotated[
        int | None, typer.Option(help="shots for --mode fewshot (default: the task's)")
    ] = None,
    k: Annotated[int, typer.Option(help="samples per item for --mode self_consistency")] = 5,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="task spec override, e.g. path=/data/test.jsonl"),
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="do not read or write the model-call cache")
    ] = False,
    rag: Annotated[
        bool,
        typer.Option(
            "--rag",
            help="retrieval axis: put top-3 knowledge-base sources in front of every prompt "
            "(same as --model rag:<spec>; builds the default knowledge base on first use)",
        ),
    ] = False,
) -> None:
    """Evaluate a model on medical tasks; writes a result folder (summary.json, per-sample JSONL)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from medllm.evaluate.runner import run_eval

    if rag and not model.startswith("rag:"):
        model = f"rag:{model}"
    out = out or Path("runs") / f"{time.strftime('%Y%m%d-%H%M%S')}-{mode or 'default'}"
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bar:  # fmt: skip
        ids: dict[str, Any] = {}

        def progress(task: str, done: int, total: int) -> None:
            if task not in ids:
                ids[task] = bar.add_task(task, total=total)
            bar.update(ids[task], completed=done)

        summary = run_eval(model, tasks, mode=mode, limit=limit, seed=seed, out_dir=out,
                           cache=not no_cache, batch_size=batch_size, num_fewshot=num_fewshot, k=k,
                           overrides=set_, progress=progress)  # fmt: skip
    console.print(summary_table(summary))
    console.print(f"results in {out}/summary.json — HTML: medllm report {out}")


def summary_table(summary: dict[str, Any]) -> Table:
    table = Table("task", "mode", "n", "score ± 95% CI", "ECE", "parse fail", "predicted options",
                  title=f"model {summary['config']['model']}")  # fmt: skip
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
