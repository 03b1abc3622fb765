"""`medllm ask` and the main job: an answer (streamed when plain, whole when grounded), which model
answered, and that it is not advice."""

from __future__ import annotations

import time

from rich.console import Console

from medllm.core.records import ChatMessage
from medllm.core.registry import import_optional
from medllm.models import GenerationParams, load_model

SYSTEM = (
    "You are a careful medical assistant. Answer briefly and factually. "
    "If you are not sure, say so."
)
DISCLAIMER = "Not medical advice: answers come from a language model and may be wrong."


def ask_plain(
    question: str, spec: str, *, console: Console, max_tokens: int = 256, temperature: float = 0.0
) -> str:
    start = time.perf_counter()
    with console.status(f"loading {spec} ..."):
        model = load_model(spec)
    messages = [ChatMessage("system", SYSTEM), ChatMessage("user", question)]
    params = GenerationParams(max_tokens=max_tokens, temperature=temperature)
    pieces: list[str] = []
    for piece in model.stream_chat(messages, params):
        pieces.append(piece)
        console.print(piece, end="", highlight=False, markup=False)
    console.print()
    model.close()
    console.print(f"[dim]model: {model.id} · {time.perf_counter() - start:.1f} s[/dim]")
    console.print(f"[yellow]{DISCLAIMER}[/yellow]")
    return "".join(pieces)


def ask_rag(
    question: str, spec: str, *, console: Console, max_tokens: int = 256, temperature: float = 0.0
) -> str:
    from medllm.rag.cli_support import ask_with_sources

    return ask_with_sources(
        question, spec, console=console, max_tokens=max_tokens, temperature=temperature
    )


def main_job(question: str, spec: str, *, console: Console) -> str:
    """A grounded answer once the knowledge stage exists, until then a plain answer."""
    if import_optional("medllm.rag.cli_support") is not None:
        return ask_rag(question, spec, console=console)
    console.print("[dim](knowledge base not available: plain answer from the model)[/dim]")
    return ask_plain(question, spec, console=console)
