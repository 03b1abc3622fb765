"""`medllm models ls|assemble|bench|info|convert`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="List the model tiers, assemble and measure them; inspect and convert models.",
    no_args_is_help=True,
)
console = Console()


STATE_WORDS = {"assembled": "ready", "installed": "installed", "missing": "not installed"}
COLUMNS = ("tier", "model", "params", "file", "decode tok/s", "prefill tok/s", "state")


def tier_rows(speeds: dict[str, dict[str, Any]]) -> tuple[list[list[str]], list[str]]:
    """The `models ls` table (one row per tier, COLUMNS) and its notes: how to install a missing
    tier, and when and under what load each speed was measured."""
    from medllm.models.tiers import TIERS, install_command, tier_state

    rows, notes = [], []
    for tier in TIERS.values():
        state = tier_state(tier)
        speed = speeds.get(tier.name)
        rows.append(
            [
                tier.name,
                tier.model,
                _params(tier.params),
                f"{tier.size / 1e6:,.0f} MB",
                f"{speed['decode_tok_s']:.1f}" if speed else "not measured",
                f"{speed['prefill_tok_s']:.1f}" if speed else "not measured",
                STATE_WORDS[state],
            ]
        )
        if state == "missing":
            notes.append(f"install {tier.name}: {install_command(tier)}")
        if speed:
            notes.append(
                f"{tier.name} speed: {speed['threads']} threads, {speed['measured_at']}, load "
                f"average {speed['load_avg_before']} → {speed['load_avg_after']} on "
                f"{speed['cores']} cores"
            )
    return rows, notes


@app.command("ls")
def ls_() -> None:
    """The model tiers (size, speed on this machine, installed or not) and the other spec forms."""
    from medllm.models.speed import recorded_speeds
    from medllm.models.tiers import ANSWER_TIER

    rows, notes = tier_rows(recorded_speeds())
    table = Table(*COLUMNS)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(
        f"Specs: llamacpp:<tier>, hf:<tier> (converted to a transformers folder on first use); "
        f"`default` = small. `medllm ask` / `run` answer with {ANSWER_TIER} when it is installed "
        '("installed": its parts are, and the first use assembles them; "ready": assembled). '
        "Measure a speed with `medllm models bench TIER`.",
        highlight=False,
    )
    for note in notes:
        console.print(f"[dim]{escape(note)}[/dim]", highlight=False)
    console.print(
        "Other specs: llamacpp:FILE.gguf, hf:DIR (+ ?adapter=DIR for a PEFT adapter), "
        "openai:URL#name (vLLM, llama.cpp, TGI, Ollama)",
        highlight=False,
    )


def _params(n: float) -> str:
    return f"{n / 1e9:.3g} B" if n >= 1e9 else f"{n / 1e6:.4g} M"


@app.command()
def assemble(tier: Annotated[str, typer.Argument(help="medium or large")]) -> None:
    """Join a split tier's installed part packages into one GGUF in the medllm cache, checked
    against its sha256 (done once; later calls only check)."""
    from medllm.models.tiers import get_tier, tier_gguf

    t = get_tier(tier)
    path = tier_gguf(t)
    console.print(
        f"[green]ready[/green] {t.name}: {escape(str(path))} ({t.size:,} bytes, sha256 {t.sha256[:12]}…)",
        soft_wrap=True,
    )


@app.command()
def bench(
    tier: Annotated[str, typer.Argument(help="small, medium or large")],
    prompt_tokens: Annotated[int, typer.Option(min=8, help="prompt length")] = 256,
    gen_tokens: Annotated[int, typer.Option(min=1, help="tokens to generate")] = 64,
    repeats: Annotated[int, typer.Option(min=1, help="rounds; the median is kept")] = 3,
) -> None:
    """Measure a tier's prefill and decode speed on this machine (llama.cpp) for `models ls`."""
    from medllm.models.speed import measure_speed, record_speed
    from medllm.models.tiers import get_tier

    name = get_tier(tier).name
    with console.status(f"measuring {name} ..."):
        result = measure_speed(
            name, prompt_tokens=prompt_tokens, gen_tokens=gen_tokens, repeats=repeats
        )
    path = record_speed(result)
    console.print(
        f"{name}: decode {result['decode_tok_s']} tok/s, prefill {result['prefill_tok_s']} tok/s, "
        f"load {result['load_s']} s ({result['threads']} threads; load average "
        f"{result['load_avg_before']} → {result['load_avg_after']}); kept in {escape(str(path))}",
        highlight=False,
    )


@app.command()
def info(spec: Annotated[str, typer.Argument(help="model spec")] = "llamacpp:small") -> None:
    """Load a model and print what it is."""
    from medllm.models import load_model

    with load_model(spec) as model:
        console.print(
            f"id: {model.id}\nbackend: {model.backend}\ncontext length: {model.context_length}"
        )
        console.print(f"tokens in 'hello world': {len(model.tokenize('hello world'))}")


@app.command()
def convert(
    gguf: Annotated[
        Path | None, typer.Argument(help="GGUF file; default: the embedded SmolLM2")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="output folder; default: the medllm cache")
    ] = None,
    dtype: Annotated[str, typer.Option(help="float32 (exact), bfloat16 or float16")] = "float32",
) -> None:
    """Turn a GGUF file into a transformers folder that training stages start from."""
    from medllm.models.assets import default_gguf, default_hf_dir
    from medllm.models.convert import convert_gguf

    src = gguf or default_gguf()
    dst = out or default_hf_dir()
    with console.status(f"converting {src.name} ..."):
        convert_gguf(src, dst, dtype=dtype)
    console.print(f"[green]wrote[/green] {dst}  (load it with --model hf:{dst})")
