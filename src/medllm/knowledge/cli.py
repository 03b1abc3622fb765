"""`medllm kb build|search|info`: thin wrappers over knowledge.index and knowledge.retrievers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(help="Build and search the medical knowledge base.", no_args_is_help=True)
console = Console()

FolderOpt = Annotated[
    Path | None,
    typer.Option("--folder", help="knowledge-base folder (default: <medllm cache>/kb/default)"),
]


def _config(config: Path | None, overrides: dict[str, Any], sets: list[str] | None) -> Any:
    from medllm.core import load_config, parse_overrides
    from medllm.knowledge.config import KbConfig

    merged = {k: v for k, v in overrides.items() if v is not None}
    merged.update(parse_overrides(sets))
    return load_config(config, KbConfig, merged)


@app.command()
def build(
    sources: Annotated[
        str | None,
        typer.Option(
            help="comma-separated sources (`medllm ls sources`); default: all vocabularies"
        ),
    ] = None,
    add: Annotated[
        list[Path] | None,
        typer.Option("--add", help="user file or folder to index (.txt .md .jsonl .xml .json)"),
    ] = None,
    dense: Annotated[
        bool | None,
        typer.Option(
            "--dense/--no-dense",
            help="embed chunks for dense/hybrid search (default: on for a new knowledge base, "
            "the recorded setting with --add)",
        ),
    ] = None,
    deid: Annotated[
        bool | None,
        typer.Option(
            "--deid/--no-deid",
            help="de-identify user documents before indexing (default: on; --no-deid only for "
            "documents that hold no PHI)",
        ),
    ] = None,
    folder: FolderOpt = None,
    config: Annotated[Path | None, typer.Option(help="YAML config (kind: knowledge)")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="override: key=value")] = None,
) -> None:
    """Build or update the knowledge base (idempotent: unchanged chunks are not re-embedded).
    --add keeps an existing knowledge base's sources and dense setting unless given."""
    from medllm.core import progress_bar
    from medllm.knowledge.index import build_index

    overrides = {
        "sources": sources.split(",") if sources else None,
        "add": [str(p) for p in add] if add else None,
        "dense": dense,
        "deid": deid,
        "folder": str(folder) if folder else None,
    }
    cfg = _config(config, overrides, set_)
    with progress_bar(console) as update:
        report = build_index(cfg, progress=update)
    for e in report.errors:
        console.print(f"[red]skipped[/red] {escape(str(e))}", highlight=False)
    console.print(
        f"{report.folder}: {report.n_docs:,} documents, {report.n_chunks:,} chunks "
        f"({report.added:,} added, {report.embedded:,} embedded"
        f"{', rewritten' if report.rewritten else ''}), {len(report.errors)} records skipped, "
        f"{report.build_s:.1f} s, {report.disk_bytes / 1e6:.1f} MB on disk"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="what to look for")],
    k: Annotated[int, typer.Option("-k", help="number of hits")] = 5,
    retriever: Annotated[
        str, typer.Option(help="auto, bm25, dense, hybrid or milvus (`medllm ls retrievers`)")
    ] = "auto",
    folder: FolderOpt = None,
) -> None:
    """Search the knowledge base and print the hits with their provenance."""
    from medllm.core import MedllmError
    from medllm.knowledge.kb import KnowledgeBase
    from medllm.knowledge.provenance import is_unverified
    from medllm.knowledge.retrievers import check_k, get_retriever

    check_k(k)  # before the knowledge base is opened
    if not query.strip():
        raise MedllmError(
            "the query is empty", fix='search for something: medllm kb search "anemia"'
        )
    kb = KnowledgeBase(folder)
    ret = get_retriever(retriever, kb)
    hits = ret.search(query, k)
    chunks = {c.id: c for c in kb.chunks([h.chunk_id for h in hits])}
    table = Table("#", "score", "id", "title", "source", title=f"{ret.name} · {len(kb):,} chunks")
    for n, h in enumerate(hits, start=1):
        c = chunks.get(h.chunk_id)
        source = (c.source + (" (unverified)" if is_unverified(c.meta) else "")) if c else ""
        table.add_row(str(n), f"{h.score:.4f}", h.chunk_id, c.title if c else "", source)
    console.print(table)


@app.command()
def info(folder: FolderOpt = None) -> None:
    """Print the knowledge base's manifest: counts per source, vectors, disk, build time."""
    from medllm.knowledge.index import default_folder, read_manifest

    m = read_manifest(folder or default_folder())
    table = Table("field", "value")
    for key, value in m.items():
        table.add_row(key, escape(str(value)))
    console.print(table)
