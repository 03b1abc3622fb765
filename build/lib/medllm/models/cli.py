"""`medllm models ls|info|convert`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="List, inspect and convert models.", no_args_is_help=True)
console = Console()


@app.command("ls")
def ls_() -> None:
    """Models available without a download: the embedded default and converted folders."""
    from medllm.core import AssetError
    from medllm.models.assets import DEFAULT_NAME, default_gguf, default_hf_dir

    table = Table("spec", "what", "where")
    try:
        table.add_row("llamacpp:default", DEFAULT_NAME, str(default_gguf()))
    except AssetError as e:
        table.add_row("llamacpp:default", f"[red]missing[/red]: {e}", "")
    hf_dir = default_hf_dir()
    state = str(hf_dir) if (hf_dir / "config.json").is_file() else "converted on first use"
    table.add_row("hf:default", "the same model as a transformers folder (fp32)", state)
    table.add_row("hf:DIR", "any transformers folder (+ ?adapter=DIR for a PEFT adapter)", "")
    table.add_row(
        "openai:URL#name", "any OpenAI-compatible server (vLLM, llama.cpp, TGI, Ollama)", ""
    )
    console.print(table)


@app.command()
def info(spec: Annotated[str, typer.Argument(help="model spec")] = "llamacpp:default") -> None:
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
