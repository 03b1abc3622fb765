"""`medllm explain "question"`: the model's answer, then which input tokens (or, with --rag,
which retrieved sources) it rests on; a table in the terminal and a self-contained HTML heatmap."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console()


def token_table(e: Any, top: int) -> Table:
    """The `top` tokens by |score|: rank, position among the features, token, score."""
    table = Table("rank", "token #", "token", "score", title=f"{e.method}: top {top} tokens")
    order = sorted(range(len(e.scores)), key=lambda i: -abs(e.scores[i]))[:top]
    for rank, i in enumerate(order, start=1):
        table.add_row(str(rank), str(i), repr(e.pieces[i]), f"{e.scores[i]:+.4f}")
    return table


def source_table(e: Any) -> Table:
    table = Table("source", "drop (nats)", "title", title="leave one source out")
    for s in e.sources:
        table.add_row(f"[{s['n']}]", f"{s['drop']:+.4f}", s["title"])
    return table


def heat_text(e: Any) -> Text:
    """The tokens on their colours in the terminal (red raises the answer, blue lowers it)."""
    top = max((abs(s) for s in e.scores), default=0.0) or 1.0
    text = Text()
    for piece, s in zip(e.pieces, e.scores, strict=True):
        level = int(min(abs(s) / top, 1.0) * 4)
        style = (
            "" if level == 0 else f"on {'red' if s >= 0 else 'blue'}" + ("" if level > 2 else "3")
        )
        text.append(piece, style=style)
    return text


def write_private(path: Path, text: str) -> None:
    """The page holds the question: written owner-only (0600) from the start."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its mode on open: set it
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def explain_command(
    question: Annotated[str, typer.Argument(help="the question whose answer to explain")],
    method: Annotated[
        str,
        typer.Option(
            help="ig = integrated gradients (Captum), rollout = attention rollout, loo = leave "
            "one retrieved source out (needs --rag)"
        ),
    ] = "ig",
    rag: Annotated[
        bool,
        typer.Option(
            "--rag", help="put the top-3 knowledge-base sources before the question, as `ask` does"
        ),
    ] = False,
    model: Annotated[
        str, typer.Option("--model", "-m", help="an hf model spec (the methods need its weights)")
    ] = "hf:default",
    steps: Annotated[int, typer.Option(min=2, help="integrated gradients: quadrature points")] = 16,
    max_tokens: Annotated[int, typer.Option(min=1, help="most tokens of the answer")] = 48,
    answer: Annotated[
        str | None,
        typer.Option(help="explain this answer instead of the one the model generates"),
    ] = None,
    top: Annotated[int, typer.Option(min=1, help="tokens listed in the table")] = 15,
    out: Annotated[Path, typer.Option(help="the HTML heatmap to write")] = Path("explain.html"),
) -> None:
    """Explain the model's answer: attribution of its log-likelihood to the question's tokens
    (ig, rollout) or to each retrieved source (loo, with --rag); a table and an HTML heatmap."""
    from medllm.evaluate.explain import check_method, explain
    from medllm.evaluate.explain.html import explanation_block, page
    from medllm.models import load_model

    check_method(method, rag=rag)  # before loading anything
    spec = f"rag:{model}" if rag and not model.startswith("rag:") else model
    with load_model(spec) as m:
        sources = m.sources_for(question) if rag else None  # type: ignore[attr-defined]
        e = explain(
            question, m, method, sources=sources, answer=answer, steps=steps, max_tokens=max_tokens
        )
    console.print(f"model {e.model} — answer: {e.answer.strip()!r}")
    console.print(f"log-likelihood {e.f_full:.3f} nats; reference {e.f_baseline:.3f}")
    if e.ig_delta is not None:
        console.print(f"IG completeness error (sum of scores - difference): {e.ig_delta:+.4f}")
    if e.sources:
        console.print(source_table(e))
    else:
        console.print(heat_text(e))
        console.print(token_table(e, top))
    write_private(out, page(f"medllm explain ({e.method})", explanation_block(e)))
    console.print(f"heatmap: {out}")
