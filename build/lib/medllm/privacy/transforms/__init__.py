"""PHI transforms: take a text and its disjoint spans, return the text with every span replaced."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from medllm.core import Span


class Transform(Protocol):
    name: str

    def apply(self, text: str, spans: Sequence[Span], *, patient: str = "") -> str: ...


def replace_spans(text: str, spans: Sequence[Span], render: Callable[[Span, str], str]) -> str:
    """Rebuild `text` with each (disjoint, sorted) span replaced by `render(span, original)`."""
    out: list[str] = []
    pos = 0
    for s in sorted(spans, key=lambda s: s.start):
        if s.start < pos:
            raise ValueError("spans overlap; resolve them first (detect.resolve_overlaps)")
        out.append(text[pos : s.start])
        out.append(render(s, text[s.start : s.end]))
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
