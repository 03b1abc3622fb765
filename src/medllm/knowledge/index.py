"""The knowledge base on disk: build, incremental add, idempotent rebuild.

Folder layout (owner-only: folders 0700, files 0600, see core/private.py):
    manifest.json   counts, sources, dense and deid settings, embedder, build time
    chunks.sqlite   chunk text + provenance + content hash; row = position in the indexes
    bm25/           bm25s index (memory-mapped on load)
    dense/          vectors.f16 (memory-mapped) + ivfpq.faiss (see dense.py)

A build compares the new chunks with the stored ones by id and content hash: identical → nothing
to do; only new ids → they are appended (embedded once); a changed or vanished chunk → the folder is
rewritten, reusing the stored vector of every chunk whose hash did not change. Vectors are written
in batches together with their chunks, so an interrupted build resumes where it stopped.

User files (`add`) are de-identified before chunking unless `deid` is off (knowledge/deid.py).
Adding files to an existing knowledge base keeps its recorded sources and dense setting unless the
config sets them, so `kb build --add notes/` never starts embedding a lexical index.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from medllm.core import (
    Chunk,
    ConfigError,
    DataError,
    Document,
    Progress,
    cache_dir,
    owner_only,
    read_json,
    write_json,
)
from medllm.knowledge import bm25, provenance
from medllm.knowledge.chunking import VOCABULARY_SOURCES, chunk_documents
from medllm.knowledge.config import KbConfig
from medllm.knowledge.dense import DenseIndex, DenseParams
from medllm.knowledge.store import ChunkStore, chunk_hash

MANIFEST = "manifest.json"
STORE = "chunks.sqlite"
FORMAT = 1
EMBED_BATCH = 1024  # chunks embedded and committed together (the resume granularity)
# all-MiniLM-L6-v2 on an idle 2-core CPU (docs/knowledge.md); a loaded machine is far slower.
EMBED_RATE = 385  # chunks/s


@dataclass
class BuildReport:
    folder: Path
    n_docs: int = 0
    n_chunks: int = 0
    added: int = 0
    embedded: int = 0
    rewritten: bool = False
    build_s: float = 0.0
    disk_bytes: int = 0
    by_source: dict[str, int] = field(default_factory=dict)
    errors: list[DataError] = field(default_factory=list)
    loaded: dict[str, int] = field(default_factory=dict)
    unverified: int = 0  # chunks labelled unverified (knowledge/provenance.py)


def from_registered_source(chunk_id: str) -> bool:
    """A chunk of a registered source (`<source>:<record>#n`), rebuilt from its package on every
    build, as opposed to a user document, which stays until the folder is deleted."""
    from medllm.knowledge.registry import sources

    return chunk_id.partition(":")[0] in sources


def default_folder() -> Path:
    return cache_dir() / "kb" / "default"


def folder_of(cfg: KbConfig) -> Path:
    return Path(cfg.folder) if cfg.folder else default_folder()


def exists(folder: Path) -> bool:
    return (folder / MANIFEST).is_file()


def read_manifest(folder: Path) -> dict[str, Any]:
    if not exists(folder):
        raise ConfigError(f"no knowledge base in {folder}", fix="build it with `medllm kb build`")
    manifest = read_json(folder / MANIFEST)
    if not isinstance(manifest, dict):
        raise DataError(
            "expected a JSON object", path=folder / MANIFEST, fix="rebuild with `medllm kb build`"
        )
    return manifest


def disk_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def with_recorded_settings(cfg: KbConfig) -> KbConfig:
    """Adding files to an existing knowledge base: its recorded sources and dense setting, unless
    `cfg` sets them (a YAML field or a CLI option)."""
    folder = folder_of(cfg)
    if not cfg.add or not exists(folder):
        return cfg
    m = read_manifest(folder)
    update: dict[str, Any] = {}
    if "sources" not in cfg.model_fields_set:
        update["sources"] = list(m.get("sources", cfg.sources))
    if "dense" not in cfg.model_fields_set:
        update["dense"] = bool(m.get("dense", int(m.get("dense_rows", 0)) > 0))
    return cfg.model_copy(update=update)


def _documents(cfg: KbConfig, report: BuildReport, key: str) -> Iterator[Document]:
    from medllm.knowledge.registry import sources

    for name in cfg.sources:
        yield from map(provenance.label, sources.get(name)())
    if cfg.add:
        yield from _user_documents(cfg, report, key)


def _user_documents(cfg: KbConfig, report: BuildReport, key: str) -> Iterator[Document]:
    """Each user document id once (a repeat is named by file and line: the id can be PHI), then
    de-identified with the build's `key` unless `cfg.deid` is off."""
    from medllm.knowledge.deid import deidentify_document
    from medllm.knowledge.sources.user_files import LoadReport, load_user_files

    loads = LoadReport()
    seen: set[str] = set()
    for doc in load_user_files(cfg.add, loads):
        if doc.id in seen:
            report.errors.append(_duplicate(doc.meta))
            continue
        seen.add(doc.id)
        yield deidentify_document(doc, key) if cfg.deid else doc
    report.errors += loads.errors
    report.loaded.update(loads.loaded)


def _key(cfg: KbConfig) -> str:
    """Pseudonym key of this build: $MEDLLM_DEID_KEY, else a random one that is never written."""
    if not (cfg.add and cfg.deid):
        return ""
    from medllm.privacy import run_key

    return run_key()


def build_index(
    cfg: KbConfig, *, progress: Progress | None = None, docs: Iterable[Document] | None = None
) -> BuildReport:
    """Build or update the knowledge base `cfg` describes (sources + user files, or `docs`, which
    are indexed as given), owner-only."""
    start = time.perf_counter()
    cfg.check_names()  # a misspelt source fails before anything is read
    cfg = with_recorded_settings(cfg)
    folder, key = folder_of(cfg), _key(cfg)
    report = BuildReport(folder)
    say = progress or (lambda phase, done, total: None)
    say("reading sources", 0, 0)
    source_docs = docs if docs is not None else _documents(cfg, report, key)
    # read (and de-identify) everything before the folder is touched: a failure writes nothing
    chunks = _unique(chunk_documents(source_docs, cfg.max_tokens, cfg.overlap), report)
    if not chunks and not exists(folder):  # bm25s cannot index an empty corpus
        first = f": {report.errors[0]}" if report.errors else ""
        raise DataError(
            f"nothing to index{first}",
            fix="give --sources (`medllm ls sources`) or --add files that hold text",
        )
    with owner_only(folder):
        _update(folder, cfg, chunks, report, say, from_files=docs is None)
        report.build_s = time.perf_counter() - start
        _write_manifest(folder, cfg, report, key)
    return report


def _update(
    folder: Path,
    cfg: KbConfig,
    chunks: list[Chunk],
    report: BuildReport,
    say: Progress,
    from_files: bool,
) -> None:
    old = _stored_hashes(folder)
    if from_files:
        chunks = _drop_known_documents(chunks, old)
    new_hashes = {c.id: chunk_hash(c) for c in chunks}
    changed = any(new_hashes.get(i, h) != h for i, h in old.items())
    # A vocabulary record no longer produced (a source dropped or updated) is removed; user
    # documents stay until the folder is deleted.
    vanished = from_files and any(i not in new_hashes and from_registered_source(i) for i in old)
    if changed or vanished:
        _rewrite(folder, cfg, chunks + _kept_user_chunks(folder, new_hashes), say)
        report.rewritten = True
    else:
        fresh = [c for c in chunks if c.id not in old]
        report.added = _append(folder, cfg, fresh, say)
    report.embedded = _embed_missing(folder, cfg, say) if cfg.dense else 0
    stale = exists(folder) and read_manifest(folder).get("bm25_version") != bm25.VERSION
    _finish(folder, cfg, report, say, rebuild_bm25=report.added > 0 or report.rewritten or stale)


def _drop_known_documents(chunks: list[Chunk], old: dict[str, str]) -> list[Chunk]:
    """A user document under a new id whose every chunk is already stored is not added again:
    without $MEDLLM_DEID_KEY each build pseudonymises ids with a new key, so the same note comes
    back under a new id. (An edited note then goes in beside its earlier version.)"""
    stored = set(old.values())
    by_doc: dict[str, list[Chunk]] = {}
    for c in chunks:
        if c.id not in old and not from_registered_source(c.id):
            by_doc.setdefault(c.doc_id, []).append(c)
    known = {d for d, cs in by_doc.items() if all(chunk_hash(c) in stored for c in cs)}
    return [c for c in chunks if c.doc_id not in known] if known else chunks


def add_documents(
    cfg: KbConfig, docs: Iterable[Document], *, progress: Progress | None = None
) -> BuildReport:
    """Incremental add: append `docs` to the knowledge base (nothing existing is removed). `docs`
    are indexed as given, not de-identified (only files in `cfg.add` are): pass clean ones."""
    return build_index(cfg, progress=progress, docs=docs)


def _unique(chunks: Iterable[Chunk], report: BuildReport) -> list[Chunk]:
    """Chunks with first-seen ids; a repeated document id is reported and its repeat skipped."""
    seen: set[str] = set()
    out: list[Chunk] = []
    for c in chunks:
        if c.id in seen:
            if c.id.endswith("#0"):
                report.errors.append(_duplicate(c.meta))
            continue
        seen.add(c.id)
        out.append(c)
    return out


def _duplicate(meta: dict[str, Any]) -> DataError:
    """Names the file and line of the repeat, never the id (user ids can be PHI)."""
    return DataError(
        "duplicate document id: repeat skipped",
        path=str(meta.get("file", "")) or None,
        line=meta.get("line"),
        field="id",
        fix="give every document a unique id",
    )


def _kept_user_chunks(folder: Path, new_ids: dict[str, str]) -> list[Chunk]:
    if not (folder / STORE).is_file():
        return []
    store = ChunkStore(folder / STORE)
    try:
        rows = [
            r
            for r, cid in store._db.execute("SELECT row, id FROM chunks ORDER BY row")
            if cid not in new_ids and not from_registered_source(cid)
        ]
        return store.by_rows(rows)
    finally:
        store.close()


def _stored_hashes(folder: Path) -> dict[str, str]:
    if not (folder / STORE).is_file():
        return {}
    store = ChunkStore(folder / STORE)
    try:
        return store.hashes()
    finally:
        store.close()


def _append(folder: Path, cfg: KbConfig, chunks: list[Chunk], say: Progress) -> int:
    store = ChunkStore(folder / STORE)
    try:
        for i in range(0, len(chunks), 50_000):
            say("storing chunks", i, len(chunks))
            store.append(chunks[i : i + 50_000])
        say("storing chunks", len(chunks), len(chunks))
        return len(chunks)
    finally:
        store.close()


def _rewrite(folder: Path, cfg: KbConfig, chunks: list[Chunk], say: Progress) -> None:
    """Fresh folder with `chunks`; stored vectors are reused by content hash."""
    tmp = folder.with_name(folder.name + ".rewrite")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    _append(tmp, cfg, chunks, say)
    old_dense = folder / "dense"
    if cfg.dense and (old_dense / "vectors.f16").is_file():
        _copy_vectors(folder, tmp, chunks, say)
    shutil.rmtree(folder)
    tmp.replace(folder)


def _copy_vectors(folder: Path, tmp: Path, chunks: list[Chunk], say: Progress) -> None:
    """Carry over the longest prefix of new rows whose vectors exist (by hash) in the old index."""
    old_store = ChunkStore(folder / STORE)
    old_rows = {h: r for r, h in old_store._db.execute("SELECT row, hash FROM chunks")}
    old_store.close()
    old_vecs = DenseIndex.open(folder / "dense").vectors()
    new = DenseIndex.open(tmp / "dense", rewrite_params(folder))
    rows: list[int] = []
    for c in chunks:
        r = old_rows.get(chunk_hash(c))
        if r is None or r >= len(old_vecs):
            break
        rows.append(r)
    for i in range(0, len(rows), 100_000):
        say("reusing vectors", i, len(rows))
        new.add(np.asarray(old_vecs[rows[i : i + 100_000]]))


def rewrite_params(folder: Path) -> DenseParams:
    """The old index's settings for a rewrite, without its training: the rewrite's IVF does not
    exist yet, so it trains its own once enough vectors arrive (copying `trained_on` made the first
    `add` open an IVF file the rewrite never wrote)."""
    return replace(DenseIndex.open(folder / "dense").params, trained_on=0, nlist=0)


def _embed_missing(folder: Path, cfg: KbConfig, say: Progress) -> int:
    """Embed every stored chunk that has no vector yet (all of them on a first dense build)."""
    from medllm.knowledge.embed import embed

    store = ChunkStore(folder / STORE)
    dense = DenseIndex.open(folder / "dense", DenseParams(nprobe=cfg.nprobe, rerank=cfg.rerank))
    _truncate_orphans(dense, len(store))
    total, start = len(store), len(dense)
    phase = embedding_cost(total - start)  # shown before the model loads
    try:
        for lo in range(start, total, EMBED_BATCH):
            say(phase, lo - start, total - start)
            rows = list(range(lo, min(lo + EMBED_BATCH, total)))
            dense.add(embed([embed_text(c) for c in store.by_rows(rows)]))
        if total > start:
            say(phase, total - start, total - start)
    finally:
        store.close()
    return total - start


def embedding_cost(n: int) -> str:
    """ "embedding 109,568 chunks (≈ 5 min at 385 chunks/s on 2 idle cores)"."""
    seconds = n / EMBED_RATE
    if seconds < 90:
        took = f"{max(1, round(seconds))} s"
    elif seconds < 5400:
        took = f"{round(seconds / 60)} min"
    else:
        took = f"{seconds / 3600:.1f} h"
    return f"embedding {n:,} chunks (≈ {took} at {EMBED_RATE} chunks/s on 2 idle cores)"


def _truncate_orphans(dense: DenseIndex, n_rows: int) -> None:
    """A crash between writing vectors and committing their chunks leaves extra vectors: drop them."""
    path = dense.folder / "vectors.f16"
    if len(dense) > n_rows:
        with path.open("r+b") as f:
            f.truncate(n_rows * dense.params.dim * 2)
        if dense.params.trained_on:
            dense.train()


def embed_text(c: Chunk) -> str:
    """What the embedder sees: vocabulary records start with their name already; prose chunks get
    their document title in front so a passage keeps its context."""
    if c.title and not c.text.startswith(c.title[:40]) and c.source not in VOCABULARY_SOURCES:
        return f"{c.title}\n{c.text}"
    return c.text


def _finish(
    folder: Path, cfg: KbConfig, report: BuildReport, say: Progress, rebuild_bm25: bool
) -> None:
    store = ChunkStore(folder / STORE)
    try:
        if rebuild_bm25 or not (folder / bm25.FOLDER).is_dir():
            say("BM25 index", 0, len(store))
            n = bm25.build(folder / bm25.FOLDER, store.texts())
            say("BM25 index", n, n)
        report.n_chunks = len(store)
        report.n_docs = store.n_docs()
        report.by_source = store.counts_by_source()
        report.unverified = len(store.unverified_ids())
    finally:
        store.close()


def _user_files(cfg: KbConfig, key: str) -> list[str]:
    """The `add` paths as given, or (de-identified builds) their keyed pseudonyms."""
    if not cfg.deid:
        return [str(p) for p in cfg.add]
    from medllm.privacy import pseudonym_name

    return [pseudonym_name(key, str(p)) for p in cfg.add]


def _write_manifest(folder: Path, cfg: KbConfig, report: BuildReport, key: str) -> None:
    from medllm.knowledge.embed import DIM, NAME

    dense = DenseIndex.open(folder / "dense")
    report.disk_bytes = disk_bytes(folder)
    write_json(
        folder / MANIFEST,
        {
            "format": FORMAT,
            "sources": cfg.sources,
            "dense": cfg.dense,
            "deid": cfg.deid,
            "user_files": _user_files(cfg, key),
            "n_docs": report.n_docs,
            "n_chunks": report.n_chunks,
            "by_source": report.by_source,
            "unverified_chunks": report.unverified,
            "dense_rows": len(dense),
            "ivf_trained_on": dense.params.trained_on,
            "embedder": NAME,
            "dim": DIM,
            "chunking": {"max_tokens": cfg.max_tokens, "overlap": cfg.overlap},
            "rrf_k": cfg.rrf_k,
            "bm25_version": bm25.VERSION,
            "last_build_s": round(report.build_s, 2),
            "disk_bytes": report.disk_bytes,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    )
