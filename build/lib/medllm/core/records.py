"""Records that stages exchange. Reprs of anything that may hold PHI show ids and sizes, not text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str = field(repr=False)

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class Document:
    """A source document: a vocabulary entry, a note, an article."""

    id: str
    text: str = field(repr=False)
    title: str = field(default="", repr=False)
    source: str = ""
    url: str = ""
    meta: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Chunk:
    """A piece of a document small enough to embed and cite."""

    id: str
    doc_id: str
    text: str = field(repr=False)
    title: str = field(default="", repr=False)
    source: str = ""
    url: str = ""
    meta: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Span:
    """A detected PHI span: text[start:end] is of `kind`, found by `source` with `score`."""

    kind: str
    start: int
    end: int
    score: float = 1.0
    source: str = ""


@dataclass(frozen=True)
class Hit:
    """A retrieval result."""

    chunk_id: str
    score: float
    source: str = ""


@dataclass(frozen=True)
class Question:
    """An evaluation item. `choices` is empty for generative tasks; `answer` is an index or text."""

    id: str
    question: str
    choices: tuple[str, ...] = ()
    answer: int | str = 0
    subject: str = ""
    support_ids: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict, repr=False)
