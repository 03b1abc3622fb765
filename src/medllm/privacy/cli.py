"""`medllm deid run|eval|generate`: de-identify files, score detectors on gold notes, write gold.

Imports nothing heavy (no torch): everything it needs is loaded inside the commands.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from medllm.privacy.config import DeidConfig

app = typer.Typer(
    help="De-identify clinical text (HIPAA Safe Harbor identifiers).", no_args_is_help=True
)
console = Console()

ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help="a `kind: deid` YAML file")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="override a config field: key=value")
]
RecOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--recognizer", "-r", help="recognizer name; repeat; '+spacy_ner' adds to the defaults"
    ),
]


def _config(config: Path | None, set_: list[str] | None, **fields: Any) -> Any:
    """YAML (its `kind: deid` line dropped) + CLI options + --set overrides → DeidConfig."""
    from medllm.core import ConfigError, deep_merge, parse_overrides, read_yaml, validate
    from medllm.privacy.config import DeidConfig

    data = read_yaml(config) if config is not None else {}
    kind = data.pop("kind", "deid")
    if kind != "deid":
        raise ConfigError(
            f'{config}: field "kind": expected "deid", got {kind!r}',
            fix=f"give a `kind: deid` config; a {kind} config runs with its own command",
        )
    options = {k: v for k, v in fields.items() if v is not None}
    merged = deep_merge(deep_merge(data, options), parse_overrides(set_))
    return validate(merged, DeidConfig, origin=str(config) if config else "config")


@app.command()
def run(
    inp: Annotated[
        Path, typer.Argument(help="a .txt/.md/.jsonl/FHIR .json file, or a folder of them")
    ],
    out: Annotated[
        Path,
        typer.Argument(
            help="output folder (IN's tree, names pseudonymised; plus deid_manifest.json)"
        ),
    ],
    transform: Annotated[str | None, typer.Option(help="redact | mask | surrogate")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="JSONL text field; repeat")
    ] = None,
    recognizer: RecOpt = None,
    keep_names: Annotated[
        bool,
        typer.Option("--keep-names", help="keep file and folder names (default: doc-<hmac>)"),
    ] = False,
    keep_ids: Annotated[
        bool, typer.Option("--keep-ids", help="keep JSONL record ids (default: id-<hmac>)")
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option("--overwrite", help="replace an earlier deid run's output in a non-empty OUT"),
    ] = False,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """De-identify IN into OUT (owner-only; names and ids pseudonymised with the run's key).
    Fails closed: a bad record stops the run, nothing is written in clear."""
    cfg = _config(
        config,
        set_,
        transform=transform,
        workers=workers,
        text_fields=field,
        recognizers=recognizer,
        keep_names=keep_names or None,
        keep_ids=keep_ids or None,
    )
    summary = _run_with_progress(inp, out, cfg, overwrite)
    _print_run(summary, cfg, out)


def _run_with_progress(inp: Path, out: Path, cfg: DeidConfig, overwrite: bool) -> Any:
    """run_deid under a progress bar in kB; Ctrl-C: how many files were written, exit 130."""
    from medllm.core import progress_bar
    from medllm.privacy.runner import DeidInterrupted, run_deid

    try:
        with progress_bar(console, transient=True) as update:

            def advance(done: int, total: int) -> None:  # bytes; the bar counts kB
                update("de-identifying (kB)", done // 1000, max(total // 1000, 1))

            summary = run_deid(inp, out, cfg, progress=advance, overwrite=overwrite)
    except DeidInterrupted as e:
        manifest = out / "deid_manifest.json"
        where = (
            f'{manifest} says "complete": false (rerun with --overwrite)'
            if manifest.is_file()
            else "nothing was written"
        )
        Console(stderr=True).print(
            f"interrupted after {e.done} of {e.total} files; {where}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(130) from None
    return summary


def _print_run(summary: Any, cfg: DeidConfig, out: Path) -> None:
    """Counts only: records, files, PHI spans, speed; never a name or a value."""
    from medllm.privacy.inputs import SKIP_REASONS
    from medllm.privacy.pseudonym import KEY_ENV

    seconds = summary.seconds or 1e-9
    mb = summary.bytes / 1e6
    console.print(
        f"[green]done[/green] {summary.records} records in {summary.files} files ({mb:.2f} MB), "
        f"{sum(summary.phi.values())} PHI spans replaced ({cfg.transform}), "
        f"{summary.seconds:.1f} s = {mb / seconds:.2f} MB/s, "
        f"{summary.records / seconds:.3g} records/s with {cfg.workers} worker(s)",
        highlight=False,
        soft_wrap=True,
    )
    if summary.skipped_inputs:
        skipped = summary.skipped_inputs
        parts = [f"{skipped[r]} {label}" for r, label in SKIP_REASONS.items() if skipped[r]]
        console.print(
            f"skipped (not read): {', '.join(parts)} (see docs/privacy.md)", highlight=False
        )
    if summary.attachments_dropped:
        console.print(f"attachments dropped: {summary.attachments_dropped} (images, binaries)")
    console.print(f"manifest: {out / 'deid_manifest.json'}")
    if not (cfg.secret or os.environ.get(KEY_ENV)) and not (cfg.keep_names and cfg.keep_ids):
        console.print(
            "[dim]names and ids were pseudonymised with a one-off key: a rerun gives other names "
            f"(set ${KEY_ENV} or --set secret=... for stable ones)[/dim]"
        )


@app.command("eval")
def eval_(
    gold: Annotated[
        list[str] | None,
        typer.Option(
            "--gold", "-g", help="synthetic | i2b2 | gold .jsonl | i2b2 .xml file/folder; repeat"
        ),
    ] = None,
    n: Annotated[int, typer.Option(min=1, help="number of synthetic notes")] = 1000,
    seed: Annotated[int, typer.Option(help="seed of the synthetic notes")] = 0,
    recognizer: RecOpt = None,
    out: Annotated[
        Path | None, typer.Option(help="write the full figures to this JSON file")
    ] = None,
    config: ConfigOpt = None,
    set_: SetOpt = None,
) -> None:
    """Precision / recall / F1 per PHI type, span (strict, relaxed) and token level."""
    from medllm.core import check_out_file, write_json
    from medllm.privacy.detect import build_analyzer
    from medllm.privacy.evaluate import evaluate
    from medllm.privacy.gold import load_gold

    if out is not None:
        check_out_file(out)  # before the work, not after it
    cfg = _config(config, set_, recognizers=recognizer)
    analyzer = build_analyzer(cfg.recognizer_names(), cfg.min_score, cfg.fail_safe)
    results = {}
    for spec in gold or ["synthetic", "i2b2"]:
        notes = load_gold(spec, n=n, seed=seed)
        results[spec] = evaluate(notes, analyzer.analyze)
        _print_report(spec, results[spec])
    if out is not None:
        write_json(
            out,
            {
                "recognizers": cfg.recognizer_names(),
                "fail_safe": cfg.fail_safe,
                "n": n,
                "seed": seed,
                "results": results,
            },
        )
        console.print(f"figures: {out}")


@app.command("train-ner")
def train_ner(
    gold: Annotated[
        list[str],
        typer.Option(
            "--gold",
            "-g",
            help="gold notes to learn from: i2b2 .xml folder/file, gold .jsonl, or synthetic; "
            "repeat (never the notes you will report on)",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(help="model folder (default: $MEDLLM_DEID_NER, else ~/.cache/medllm/...)"),
    ] = None,
    n: Annotated[
        int, typer.Option(min=1, help="number of synthetic notes, with -g synthetic")
    ] = 300,
    seed: Annotated[int, typer.Option(help="seed of the synthetic notes and of training")] = 0,
    epochs: Annotated[float, typer.Option(min=0.1, help="training epochs")] = 3.0,
    threshold: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="a token is PHI when P(not PHI) is below this"),
    ] = 0.5,
    layers: Annotated[
        int,
        typer.Option(
            min=1,
            max=6,
            help="keep the first N of MiniLM's 6 layers (a smaller, faster tagger)",
        ),
    ] = 6,
) -> None:
    """Fine-tune the learned PHI tagger (`--recognizer +learned_ner`) on gold notes.

    The embedded MiniLM encoder is trained for token classification; the folder is written
    owner-only. A model trained on real PHI holds PHI: keep it like the notes."""
    from medllm.privacy.gold import load_gold
    from medllm.privacy.ner import default_dir, train

    notes = [x for spec in gold for x in load_gold(spec, n=n, seed=seed)]
    folder = out or default_dir()
    console.print(f"training the PHI tagger on {len(notes)} notes into {folder} ...")
    meta = train(notes, folder, epochs=epochs, seed=seed, threshold=threshold, layers=layers)
    console.print(
        f"done: {meta['windows']} windows, train loss {meta['train_loss']}; use it with "
        "--recognizer +learned_ner" + ("" if out is None else f" and MEDLLM_DEID_NER={folder}")
    )


def _print_report(name: str, rep: dict[str, Any]) -> None:
    """Per type: span strict F1, span relaxed P/R/F1, token F1, PHI-token recall (all in --out)."""
    table = Table(title=f"{name}: {rep['notes']} notes, {rep['notes_per_s']} notes/s")
    table.add_column("type", no_wrap=True, min_width=10)
    for col in ("gold", "pred", "strict F1", "relax P", "relax R", "relax F1", "token F1", "PHI R"):
        table.add_column(col, justify="right")
    for kind, f in [*rep["per_type"].items(), ("ALL", rep["overall"])]:
        relaxed = f["span_relaxed"]
        table.add_row(
            kind,
            str(f["gold_spans"]),
            str(f["pred_spans"]),
            f"{f['span_strict']['f1']:.3f}",
            f"{relaxed['precision']:.3f}",
            f"{relaxed['recall']:.3f}",
            f"{relaxed['f1']:.3f}",
            f"{f['token']['f1']:.3f}",
            f"{f['token_binary_recall']:.3f}",
        )
    console.print(table)
    tb = rep["overall"]["token_binary"]
    console.print(
        f"PHI tokens (any type): precision {tb['precision']:.4f}, recall {tb['recall']:.4f}, F1 {tb['f1']:.4f}"
    )


@app.command()
def generate(
    out: Annotated[
        Path, typer.Argument(help="gold JSONL to write: id, patient_id, note_type, text, spans")
    ],
    n: Annotated[int, typer.Option(min=1, help="number of notes")] = 1000,
    seed: Annotated[int, typer.Option(help="seed; the same seed gives the same notes")] = 0,
) -> None:
    """Write seeded synthetic clinical notes with PHI at exact offsets (a gold corpus)."""
    from medllm.core import write_jsonl
    from medllm.privacy.gold.synthetic import iter_notes

    rows = write_jsonl(out, (note.to_dict() for note in iter_notes(n, seed)))
    console.print(f"[green]wrote[/green] {rows} synthetic notes to {out}")
