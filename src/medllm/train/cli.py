"""`medllm train ...`: cpt / sft / dpo / vlm recipes, data preview, export (studies: `medllm study`). Thin: parse, load
config, call one library function, print a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from medllm.core import load_config

app = typer.Typer(
    help="Fine-tune (CPT, SFT, DPO; full / LoRA / QLoRA; a VLM), resume, export to GGUF.",
    no_args_is_help=True,
)
console = Console()

ConfigArg = Annotated[Path, typer.Argument(help="recipe YAML (see configs/train/)")]
SetOpt = Annotated[
    list[str] | None, typer.Option("--set", help="override a field: --set optim.max_steps=20")
]
ResumeOpt = Annotated[
    bool, typer.Option("--resume", help="continue from the newest checkpoint in output_dir")
]


def _summary(result: Any) -> None:
    table = Table(title="training run", show_header=False)
    for key in (
        "steps",
        "final_loss",
        "train_seconds",
        "trainable_params",
        "total_params",
        "train_tokens",
    ):
        value = getattr(result, key)
        table.add_row(key, f"{value:.4g}" if isinstance(value, float) else f"{value:,}")
    table.add_row("tokens/s", f"{result.tokens_per_s:.1f}")
    for key in ("eval_rewards/margins", "eval_rewards/accuracies"):
        if key in result.metrics:
            table.add_row(key, f"{result.metrics[key]:.4f}")
    for key in ("epsilon", "dp_delta"):  # what DP-SGD (privacy.dp) spent, per Opacus' RDP
        if key in result.metrics:
            table.add_row(key, f"{result.metrics[key]:.4g}")
    table.add_row("model", str(result.final_dir))
    console.print(table)


@app.command()
def cpt(config: ConfigArg, set_: SetOpt = None, resume: ResumeOpt = False) -> None:
    """Continued pre-training on knowledge documents / user text."""
    from medllm.train import cpt as recipe
    from medllm.train.config import CptConfig

    _summary(recipe.run(load_config(config, CptConfig, set_), resume=resume))


@app.command()
def sft(config: ConfigArg, set_: SetOpt = None, resume: ResumeOpt = False) -> None:
    """Supervised fine-tuning on instruction pairs (built-in sources and user JSONL)."""
    from medllm.train import sft as recipe
    from medllm.train.config import SftConfig

    _summary(recipe.run(load_config(config, SftConfig, set_), resume=resume))


@app.command()
def dpo(config: ConfigArg, set_: SetOpt = None, resume: ResumeOpt = False) -> None:
    """DPO on grounded (chosen) vs corrupted (rejected) answers; reports held-out reward margin."""
    from medllm.train import dpo as recipe
    from medllm.train.config import DpoConfig

    _summary(recipe.run(load_config(config, DpoConfig, set_), resume=resume))


@app.command()
def vlm(config: ConfigArg, set_: SetOpt = None) -> None:
    """Vision-language model, two stages (captions, then VQA) on the generated VQA set; scores
    its test split, or with --set eval_split=dev held-out train sources (configs/train/vlm.yaml)."""
    from medllm.core import progress_bar
    from medllm.train import vlm as recipe
    from medllm.train.vlm_config import VlmConfig

    with progress_bar(console) as bar:
        result = recipe.run(load_config(config, VlmConfig, set_), progress=bar)
    table = Table(title="vlm run", show_header=False)
    for stage, steps in result.steps.items():
        table.add_row(f"{stage}: steps, last loss", f"{steps}, {result.final_loss[stage]:.4g}")
    table.add_row("train_seconds", f"{result.train_seconds:.1f}")
    table.add_row("trainable_params", f"{result.trainable_params:,}")
    for key in ("all", "closed", "open"):
        if key in result.metrics:
            m = result.metrics[key]
            table.add_row(
                f"test {key} (n={m['n']})",
                f"{m['accuracy']:.3f} (majority baseline {m['baseline_accuracy']:.3f})",
            )
    if "open_recall" in result.metrics:
        m = result.metrics
        table.add_row(
            "open recall / BLEU-1",
            f"{m['open_recall']:.3f} / {m['open_bleu1']:.3f} (baseline "
            f"{m['baseline_open_recall']:.3f} / {m['baseline_open_bleu1']:.3f})",
        )
        table.add_row("train tokens/s, latency s", f"{m['train_tokens_per_s']}, {m['latency_s']}")
    table.add_row("model", str(result.final_dir))
    console.print(table)


@app.command()
def data(
    config: ConfigArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL file to write the rows to")],
    split: Annotated[str, typer.Option(help="train, or heldout (never trained on)")] = "train",
    set_: SetOpt = None,
) -> None:
    """Build a recipe's dataset and write it as JSONL, to inspect what will be trained on."""
    from medllm.core import MedllmError, check_out_file, load_any, write_jsonl
    from medllm.train import registry  # noqa: F401  (registers the cpt/sft/dpo config kinds)
    from medllm.train.data import build_rows

    if split not in ("train", "heldout"):
        raise MedllmError(f"--split {split!r} is not a split here", fix="use train or heldout")
    check_out_file(out)
    cfg: Any = load_any(config, set_)
    rows = build_rows(cfg.data, cfg.kind, split=split)
    if not rows:  # heldout rows come from the built-in sources only (user files are all training)
        raise MedllmError(
            f"no {cfg.kind} rows in the {split} split",
            fix="heldout rows come from data.sources; user files are training rows only",
        )
    console.print(f"wrote {write_jsonl(out, rows):,} {cfg.kind} rows ({split}) to {out}")


@app.command()
def export(
    config: Annotated[
        Path | None, typer.Argument(help="export YAML (configs/train/export.yaml)")
    ] = None,
    model: Annotated[
        str | None, typer.Option(help="trained model or adapter folder (a run's final/)")
    ] = None,
    output_dir: Annotated[str | None, typer.Option(help="where hf/ and the GGUF files go")] = None,
    set_: SetOpt = None,
) -> None:
    """Merge LoRA, save an HF folder, write GGUF f16 + a quantised GGUF, compare outputs."""
    from medllm.train import export as exporter
    from medllm.train.config import ExportConfig

    extra = [
        *(set_ or []),
        *([f"model={model}"] if model else []),
        *([f"output_dir={output_dir}"] if output_dir else []),
    ]
    report = exporter.run(load_config(config, ExportConfig, extra))
    table = Table(title="export")
    table.add_column("variant")
    table.add_column("first output")
    for name, outs in report["generations"].items():
        table.add_row(name, outs[0][:70])
    console.print(table)
    console.print(
        f"GGUF: {report['gguf_f16']}, {report['gguf_quant']}  (serve: llamacpp:{report['gguf_quant']})"
    )
