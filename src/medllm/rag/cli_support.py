"""`medllm ask --rag` and `make run`: build the default knowledge base on first use, answer with
numbered sources, name the model, say it is not medical advice."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape

from medllm.ask import DISCLAIMER
from medllm.knowledge.config import KbConfig
from medllm.knowledge.index import BuildReport, build_index, default_folder, exists
from medllm.rag.answer import RagAnswer, RagSettings, answer

Progress = Callable[[str, int, int], None]


@contextmanager
def progress_bar(console: Console) -> Iterator[Progress]:
    """A rich progress bar fed by build_index's (phase, done, total) callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with RichProgress(*columns, console=console, transient=False) as bar:
        tasks: dict[str, Any] = {}

        def update(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(phase, total=total or None)
            bar.update(tasks[phase], completed=done, total=total or None)

        yield update


def ensure_default_kb(console: Console) -> None:
    """First use: index the default vocabularies (BM25; dense vectors come with `medllm kb build`,
    which takes minutes on a laptop CPU) into the medllm cache."""
    if exists(default_folder()):
        return
    console.print(
        f"[bold]Building the default knowledge base (first use)[/bold] in {escape(str(default_folder()))}"
    )
    with progress_bar(console) as update:
        report: BuildReport = build_index(KbConfig(dense=False), progress=update)
    console.print(
        f"[dim]{report.n_docs:,} documents, {report.n_chunks:,} chunks, "
        f"{report.build_s:.0f} s, {report.disk_bytes / 1e6:.0f} MB; lexical (BM25) retrieval. "
        "Run `medllm kb build` to add dense vectors for hybrid retrieval.[/dim]"
    )


def print_answer(result: RagAnswer, console: Console) -> None:
    style = "yellow" if result.abstained else ""
    console.print(escape(result.text), style=style, highlight=False)
    if result.abstained and result.reason == "low_support" and result.sources:
        # Withheld draft: show what the best source itself says instead (quoted, not generated).
        top = result.sources[0]
        excerpt = " ".join(top.text.split())[:300]
        console.print(f"[dim]What source [1] says:[/dim] {escape(excerpt)}", highlight=False)
    console.print("\n[bold]Sources[/bold]")
    for s in result.sources:
        mark = "*" if s.n in result.citations else " "
        console.print(
            f"{mark}[{s.n}] {escape(s.title)}  [dim]{escape(s.doc_id)} · {escape(s.url)} · "
            f"score {s.score:.3f}[/dim]",
            highlight=False,
        )
    if result.flagged:
        console.print(
            f"[dim]{result.flagged} instruction-like sentence(s) in the sources were ignored.[/dim]"
        )


def ask_with_sources(
    question: str, spec: str, *, console: Console, max_tokens: int = 256, temperature: float = 0.0
) -> str:
    from medllm.knowledge.kb import KnowledgeBase
    from medllm.knowledge.retrievers import get_retriever
    from medllm.models import load_model

    start = time.perf_counter()
    ensure_default_kb(console)
    kb = KnowledgeBase()
    retriever = get_retriever("auto", kb)
    with console.status(f"loading {spec} ..."):
        model = load_model(spec)
    try:
        with console.status("retrieving and answering ..."):
            settings = RagSettings(max_tokens=max_tokens, temperature=temperature)
            result = answer(question, model, retriever, settings)
    finally:
        model.close()
    print_answer(result, console)
    console.print(
        f"[dim]model: {model.id} · retriever: {retriever.name} over {len(kb):,} chunks · "
        f"relevance {result.relevance:.2f} · support {result.support:.2f} · "
        f"{time.perf_counter() - start:.1f} s[/dim]"
    )
    console.print(f"[yellow]{DISCLAIMER}[/yellow]")
    kb.close()
    return result.text
