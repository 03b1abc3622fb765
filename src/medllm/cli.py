"""`medllm` command line: a thin Typer root with one sub-app per stage.

Commands parse arguments, load config, call one library function and print a summary.
"""

from __future__ import annotations

import math
import sys
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from medllm.core import MedllmError, import_optional


class _MedllmGroup(TyperGroup):
    """Every command, however it is invoked (entry point, CliRunner): a MedllmError becomes one red
    line on stderr and exit status 2 — no traceback, no PHI."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MedllmError as e:
            err.print("[red]error:[/red]", escape(str(e)), highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    name="medllm",
    help="Turn an open LLM into an evaluated, knowledge-grounded, privacy-safe medical assistant.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_MedllmGroup,
)
console = Console()
err = Console(stderr=True)

DEFAULT_QUESTION = "Which ICD-10-CM code is used for iron deficiency anemia?"

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="model spec: llamacpp:small|medium|large, llamacpp:FILE.gguf, hf:DIR, openai:URL#name "
        "[default: llamacpp:large when installed, else llamacpp:small with a notice]",
        show_default=False,
    ),
]


def _add_stages() -> None:
    """Mount what each installed stage announces in the `medllm.cli` entry-point group."""
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group="medllm.cli"), key=lambda e: e.name):
        module, _, attr = ep.value.partition(":")
        if (mod := import_optional(module)) is None:
            continue
        obj = getattr(mod, attr)
        if isinstance(obj, typer.Typer):
            app.add_typer(obj, name=ep.name)
        else:
            app.command(ep.name)(obj)


def _finite_temperature(value: float) -> float:
    """click's FloatRange lets nan through (every comparison with nan is false)."""
    if not math.isfinite(value) or not 0.0 <= value <= 2.0:
        raise typer.BadParameter(f"{value} is not a number from 0 to 2 (0 = greedy)")
    return value


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="the question to answer")],
    model: ModelOpt = None,
    rag: Annotated[
        bool,
        typer.Option(
            "--rag/--plain",
            help="--rag (default): answer from the knowledge base with numbered sources, shown "
            "whole once checked against them; --plain: the model alone, streamed as it is "
            "generated, with no sources",
        ),
    ] = True,
    tools: Annotated[
        bool | None,
        typer.Option(
            "--tools/--no-tools",
            help="grounded answers: look codes, terms, diseases and medicines up with the "
            "knowledge-base tools before retrieval (default on)",
        ),
    ] = None,
    max_tokens: Annotated[int, typer.Option(min=1, help="most tokens to generate")] = 256,
    temperature: Annotated[
        float,
        typer.Option(callback=_finite_temperature, help="0 = greedy (reproducible); at most 2"),
    ] = 0.0,
) -> None:
    """Ask a question: by default a grounded answer from the knowledge base, with its sources,
    shown whole once checked against them (the default knowledge base is built on first use);
    --plain: the model alone, whose plain answer streams as it is generated."""
    from medllm.ask import answer_model, ask_plain, ask_rag, check_question

    check_question(question)  # before the model notice: an empty question is the only error
    if not rag and tools:
        raise MedllmError("--tools needs a grounded answer", fix="drop --plain, or drop --tools")
    spec = answer_model(model, console=console)
    if rag:
        ask_rag(
            question,
            spec,
            console=console,
            max_tokens=max_tokens,
            temperature=temperature,
            tools=tools is not False,
        )
    else:
        ask_plain(question, spec, console=console, max_tokens=max_tokens, temperature=temperature)


@app.command()
def run(
    question: Annotated[str, typer.Argument(help="the question for the demo")] = DEFAULT_QUESTION,
    model: ModelOpt = None,
) -> None:
    """The main job (`make run`): a grounded answer when the knowledge stage is installed, else a plain one."""
    from medllm.ask import answer_model, main_job

    main_job(question, answer_model(model, console=console), console=console)


@app.command("ls")
def ls_(
    registry: Annotated[
        str | None, typer.Argument(help="registry name; none lists the registries")
    ] = None,
) -> None:
    """List what a registry holds (backends, tasks, recognizers, ...), or list the registries."""
    from rich.table import Table

    from medllm.core import REGISTRIES, get_registry, load_builtin_registries

    if registry is None:
        load_builtin_registries()
        table = Table("registry", "entries", "what")
        for name in sorted(REGISTRIES):
            reg = REGISTRIES[name]
            table.add_row(name, str(len(reg.names())), reg.description)
        console.print(table)
        return
    for name in get_registry(registry).names():
        console.print(name)


@app.command()
def validate(
    config: Annotated[str, typer.Argument(help="a YAML config with a top-level `kind:`")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key.sub=value")] = None,
) -> None:
    """Check a config file against its schema; prints the resolved config."""
    import yaml

    from medllm.core import load_any, load_builtin_registries

    load_builtin_registries()
    cfg = load_any(config, set_)
    # soft_wrap: a long path stays on one line (rich would break it at the terminal's width)
    console.print(f"[green]ok[/green] {config} ({type(cfg).__name__})", soft_wrap=True)
    console.print(
        yaml.safe_dump(cfg.model_dump(mode="json"), sort_keys=False).rstrip(), soft_wrap=True
    )


# Stage CLIs import nothing heavy at module level, so mounting them here is cheap; it makes `app`
# complete for every importer (the entry point, tests driving it with CliRunner, docs tools).
_add_stages()


def main() -> None:
    """Entry point of the `medllm` command."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
