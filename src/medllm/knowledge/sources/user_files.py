"""User documents: `.txt`/`.md`, JSONL, PubMed XML and FHIR R4 Bundles, files or whole folders.

Bad records never stop a load: each becomes a `DataError` (file, line or record, field) in the
`LoadReport`, the rest are indexed and counted. Messages carry ids and positions, never text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from medllm.core import DataError, Document, parse_line
from medllm.knowledge.sources.fhir import read_fhir_bundle
from medllm.knowledge.sources.pubmed import read_pubmed_xml

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUFFIXES = TEXT_SUFFIXES | {".jsonl", ".xml", ".json"}


@dataclass
class LoadReport:
    """What a load did: documents per file, and the skipped records with their errors."""

    loaded: dict[str, int] = field(default_factory=dict)
    errors: list[DataError] = field(default_factory=list)

    @property
    def n_loaded(self) -> int:
        return sum(self.loaded.values())


def read_text_file(path: Path) -> Iterator[Document]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:  # never index mangled text: the file is skipped and said
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise DataError(
            f"not UTF-8 text (byte {col} of the line)",
            path=path,
            line=line,
            fix="save the file as UTF-8",
        ) from None
    if not text.strip():
        raise DataError("empty file", path=path, fix="remove it or add text")
    first = next((ln.strip("# ").strip() for ln in text.splitlines() if ln.strip()), path.stem)
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:10]
    yield Document(
        id=f"file:{path.stem}-{digest}",
        text=text,
        title=first[:120],
        source="file",
        url=path.resolve().as_uri(),
        meta={"file": path.name},
    )


def _jsonl_document(path: Path, lineno: int, line: str) -> Document:
    obj = parse_line(path, lineno, line)
    for key in ("id", "text"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise DataError(
                'missing or empty (expected {"id", "text", "title"?, "url"?, "meta"?})',
                path=path,
                line=lineno,
                field=key,
            )
    raw_meta = obj.get("meta")
    meta: dict[str, object] = raw_meta if isinstance(raw_meta, dict) else {}
    return Document(
        id=str(obj["id"]),
        text=obj["text"],
        title=str(obj.get("title", "")),
        source=str(obj.get("source", "jsonl")),
        url=str(obj.get("url", "")),
        meta={**meta, "file": path.name, "line": lineno},
    )


def read_jsonl_documents(path: Path, errors: list[DataError]) -> Iterator[Document]:
    """One document per line {"id", "text", ...}; bad lines go to `errors` (file:line, field)."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield _jsonl_document(path, lineno, line)
            except DataError as e:
                errors.append(e)


def _files(paths: Iterable[str | Path]) -> Iterator[Path]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES)
            if not found:
                raise DataError(
                    "no file to add in this folder",
                    path=p,
                    fix=f"put {', '.join(sorted(SUFFIXES))} files in it",
                )
            yield from found
        elif p.is_file():
            yield p
        else:
            raise DataError("no such file or folder", path=p, fix="check the path given to --add")


def _reader(path: Path) -> Callable[[Path, list[DataError]], Iterator[Document]]:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return lambda p, _errors: read_text_file(p)
    if suffix == ".jsonl":
        return read_jsonl_documents
    if suffix == ".xml":
        return read_pubmed_xml
    if suffix == ".json":
        return read_fhir_bundle
    raise DataError(
        f"unsupported file type {suffix!r}",
        path=path,
        fix=f"use one of {', '.join(sorted(SUFFIXES))}",
    )


def load_user_files(paths: Iterable[str | Path], report: LoadReport) -> Iterator[Document]:
    """Documents of every supported file under `paths`. A file that cannot be read at all is one
    error in `report` (the other files still load); a bad record inside a file is one error too."""
    for path in _files(paths):
        n = 0
        try:
            for doc in _reader(path)(path, report.errors):
                n += 1
                yield doc
        except DataError as e:
            report.errors.append(e)
        except (OSError, UnicodeError) as e:
            report.errors.append(DataError(f"unreadable ({type(e).__name__})", path=path))
        report.loaded[str(path)] = n
