"""`medllm privacy audit|canaries`: leakage audit of a model trained on notes.

torch (and any model backend) is imported only inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

app = typer.Typer(
    help="Leakage audit: canary exposure, membership inference, PHI scans.", no_args_is_help=True
)
console = Console()


def _texts(path: Path | None, field: str) -> list[str]:
    if path is None:
        return []
    from medllm.core import read_jsonl

    return [str(obj[field]) for _, obj in read_jsonl(path, required=(field,))]


def _canaries(path: Path | None) -> list[Any]:
    if path is None:
        return []
    from medllm.core import DataError
    from medllm.privacy.audit import Canary

    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [Canary(r["id"], r["prefix"], r["secret"]) for r in rows]
    except (OSError, ValueError, KeyError, TypeError):
        raise DataError(
            "not a canary file", path=path, fix="write one with `medllm privacy canaries OUT.json`"
        ) from None


JsonlOpt = Annotated[Path | None, typer.Option(help="JSONL of notes (text in --field)")]
CanaryOpt = Annotated[Path | None, typer.Option(help="canaries JSON (`medllm privacy canaries`)")]


@app.command()
def audit(
    model: Annotated[
        str,
        typer.Option("--model", "-m", help="model spec: hf:DIR, llamacpp:default, openai:URL#name"),
    ],
    members: JsonlOpt = None,
    nonmembers: JsonlOpt = None,
    canaries: CanaryOpt = None,
    controls: CanaryOpt = None,
    gold: Annotated[
        Path | None, typer.Option(help="gold JSONL whose PHI values to scan for")
    ] = None,
    generations: JsonlOpt = None,
    sample: Annotated[
        int,
        typer.Option(min=0, help="also generate from this many training-note prefixes and scan"),
    ] = 0,
    logs: Annotated[
        list[Path] | None, typer.Option("--logs", help="log file or folder to scan; repeat")
    ] = None,
    field: Annotated[str, typer.Option(help="text field of the JSONL inputs")] = "text",
    candidates: Annotated[
        int, typer.Option(min=1, help="random secrets to rank each canary against")
    ] = 500,
    out: Annotated[
        Path | None, typer.Option(help="write the report (figures only, no PHI) here")
    ] = None,
) -> None:
    """Measure how much a model trained on notes leaks them.

    --members: the training notes; --nonmembers: held-out notes of the same kind; --canaries: the
    canaries inserted in training; --controls: canaries that were not, for comparison;
    --generations: model outputs to scan."""
    from medllm.core import write_json
    from medllm.models import load_model
    from medllm.privacy.audit import PhiScanner
    from medllm.privacy.audit import audit as run_audit
    from medllm.privacy.gold import read_gold_jsonl

    _check_inputs(members, nonmembers, canaries, generations, logs, out)
    scanner = PhiScanner.from_notes(read_gold_jsonl(gold)) if gold else None
    with load_model(model) as m:
        report = run_audit(
            m,
            members=_texts(members, field),
            nonmembers=_texts(nonmembers, field),
            canaries=_canaries(canaries),
            control_canaries=_canaries(controls),
            scanner=scanner,
            generations=_texts(generations, field),
            sample=sample,
            log_paths=logs or [],
            n_candidates=candidates,
        )
    _summary(report)
    if out is not None:
        write_json(out, report)
        console.print(f"report: {out}")


def _check_inputs(
    members: Path | None,
    nonmembers: Path | None,
    canaries: Path | None,
    generations: Path | None,
    logs: list[Path] | None,
    out: Path | None,
) -> None:
    """What the audit is given makes sense, before the model is loaded."""
    from medllm.core import DataError, MedllmError, check_out_file

    if not (members or canaries or generations or logs):
        raise MedllmError(
            "nothing to audit",
            fix="give --members and --nonmembers (membership inference), --canaries, "
            "--generations or --logs",
        )
    if members and not nonmembers:
        raise MedllmError(
            "--members needs --nonmembers (held-out notes of the same kind) to compare with",
            fix="add --nonmembers FILE.jsonl",
        )
    if out is not None:
        check_out_file(out)  # before the model is loaded
    for log in logs or []:
        if not log.exists():
            raise DataError("log file or folder not found", path=log, fix="check the --logs path")


def _summary(report: dict[str, Any]) -> None:
    console.print(f"model: {report['model']}")
    for key in ("canaries", "control_canaries"):
        for c in report.get(key, []):
            console.print(
                f"{key[:-1]} {c['canary']}: exposure {c['exposure']} (rank {c['rank_among_candidates']}/"
                f"{c['n_candidates'] + 1}), gaussian {c['exposure_gaussian']} of max {c['max_exposure']}"
            )
    if "membership" in report:
        mi = report["membership"]
        console.print(
            f"membership inference AUC {mi['auc']} ({mi['members']} vs {mi['nonmembers']} notes)"
        )
    for key in ("generations_scan", "logs_scan"):
        if key in report:
            s = report[key]
            colour = "red" if s["phi_hits"] else "green"
            console.print(
                f"{key}: [{colour}]{s['phi_hits']} PHI values[/{colour}] in {s['scanned']} items {s['by_type']}"
            )


@app.command("canaries")
def canaries_(
    out: Annotated[Path, typer.Argument(help="JSON file to write the canaries to")],
    n: Annotated[int, typer.Option(min=1, help="how many")] = 4,
    seed: Annotated[int, typer.Option(help="seed")] = 0,
    digits: Annotated[
        int,
        typer.Option(min=1, help="digits per secret (exposure is at most digits*log2(10))"),
    ] = 6,
) -> None:
    """Make canaries for a training run to insert (and the audit to measure)."""
    from medllm.core import write_json
    from medllm.privacy.audit import make_canaries

    write_json(out, [c.to_dict() for c in make_canaries(n, seed, digits)])
    console.print(f"[green]wrote[/green] {n} canaries to {out}")
