"""`medllm ask` and the main job (`make run`): a plain answer, streamed, or an answer from the
knowledge base with numbered sources (building the default one on first use), shown whole once it
is checked against them; which model answered, and that it is not medical advice. The terminal glue
of the rag stage lives here, above every stage."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from medllm.core import DISCLAIMER, ChatMessage, MedllmError, import_optional, progress_bar
from medllm.models import GenerationParams, answer_spec, load_model

if TYPE_CHECKING:
    from medllm.rag import RagAnswer

SYSTEM = (
    "You are a careful medical assistant. Answer briefly and factually. "
    "If you are not sure, say so."
)


def check_question(question: str) -> str:
    """An empty question would go to the model and come back as a degenerate answer: refuse it."""
    if not question.strip():
        raise MedllmError(
            "the question is empty", fix='ask something: medllm ask "What is anemia?"'
        )
    return question


def answer_model(model: str | None, *, console: Console) -> str:
    """The spec to answer with: the one given, else the large tier when it is installed, else the
    small one after a one-line notice that names the install command."""
    if model is not None:
        if not model.strip():  # `--model ""` (an unset shell variable) must not mean the default
            raise MedllmError(
                "the model spec is empty",
                fix="give one, e.g. --model llamacpp:small, or leave it out",
            )
        return model
    spec, notice = answer_spec()
    if notice:
        console.print(f"[yellow]note:[/yellow] {escape(notice)}", highlight=False, soft_wrap=True)
    return spec


def ask_plain(
    question: str, spec: str, *, console: Console, max_tokens: int = 256, temperature: float = 0.0
) -> str:
    check_question(question)
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
    question: str,
    spec: str,
    *,
    console: Console,
    max_tokens: int = 256,
    temperature: float = 0.0,
    tools: bool = True,
) -> str:
    from medllm.knowledge import KnowledgeBase, get_retriever
    from medllm.rag import RagSettings, answer

    check_question(question)
    start = time.perf_counter()
    with console.status(f"loading {spec} ..."):
        model = load_model(spec)  # first: a bad model spec fails before any index is built
    try:
        ensure_default_kb(console)
        kb = KnowledgeBase()
        retriever = get_retriever("auto", kb)
        with console.status("retrieving and answering ..."):
            settings = RagSettings(max_tokens=max_tokens, temperature=temperature, tools=tools)
            result = answer(question, model, retriever, settings)
    finally:
        model.close()
    print_answer(result, console)
    console.print(
        f"[dim]model: {model.id} · retriever: {retriever.name} over {len(kb):,} chunks · "
        f"tools: {_tools_line(result, tools)} · "
        f"relevance {result.relevance:.2f} · support {result.support:.2f} · "
        f"{time.perf_counter() - start:.1f} s[/dim]"
    )
    console.print(f"[yellow]{DISCLAIMER}[/yellow]")
    kb.close()
    return result.text


def _tools_line(result: RagAnswer, tools: bool) -> str:
    if not tools:
        return "off"
    used = sorted({s.tool for s in result.sources if s.tool})
    return ", ".join(used) if used else "none applied"


def main_job(question: str, spec: str, *, console: Console) -> str:
    """A grounded answer once the knowledge stage exists, until then a plain answer."""
    if (
        import_optional("medllm.rag") is not None
        and import_optional("medllm.knowledge") is not None
    ):
        return ask_rag(question, spec, console=console)
    console.print("[dim](knowledge base not available: plain answer from the model)[/dim]")
    return ask_plain(question, spec, console=console)


def ensure_default_kb(console: Console) -> None:
    """First use: index the default vocabularies (BM25; dense vectors come with `medllm kb build`,
    which takes minutes on a laptop CPU) into the medllm cache."""
    from medllm.knowledge import KbConfig, build_index, default_folder, exists

    if exists(default_folder()):
        return
    console.print(
        f"[bold]Building the default knowledge base (first use)[/bold] in {escape(str(default_folder()))}"
    )
    with progress_bar(console) as update:
        report = build_index(KbConfig(dense=False), progress=update)
    console.print(
        f"[dim]{report.n_docs:,} documents, {report.n_chunks:,} chunks, "
        f"{report.build_s:.0f} s, {report.disk_bytes / 1e6:.0f} MB; lexical (BM25) retrieval. "
        "Run `medllm kb build` to add dense vectors for hybrid retrieval.[/dim]"
    )


def print_answer(result: RagAnswer, console: Console) -> None:
    """The answer (a withheld draft in yellow, with what the best source says), then the sources."""
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
        via = f"tool {s.tool}" if s.tool else "retrieved"
        console.print(
            f"{mark}[{s.n}] {escape(s.title)}  [dim]{escape(s.doc_id)} · {escape(s.url)} · "
            f"{via} · score {s.score:.3f}[/dim]",
            highlight=False,
        )
    if result.flagged:
        console.print(
            f"[dim]{result.flagged} instruction-like sentence(s) in the sources were ignored.[/dim]"
        )
