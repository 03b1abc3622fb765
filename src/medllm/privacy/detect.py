"""Detection: run the recognizers, then resolve overlaps into disjoint spans.

Overlapping or touching-inside spans are merged into their union, so a span never leaves part of
an identifier in clear (fail-safe); the merged span takes the kind of its strongest member (score,
then length).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from medllm.core import Span
from medllm.privacy.fail_safe import FailSafe, Mode
from medllm.privacy.recognizers.base import Recognizer


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Disjoint spans sorted by start; each cluster of overlapping spans becomes one."""
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    out: list[Span] = []
    cluster: list[Span] = []
    end = -1
    for s in ordered:
        if cluster and s.start >= end:
            out.append(_merge(cluster))
            cluster = []
        cluster.append(s)
        end = max(end, s.end) if len(cluster) > 1 else s.end
    if cluster:
        out.append(_merge(cluster))
    return out


def _merge(cluster: list[Span]) -> Span:
    best = max(cluster, key=lambda s: (s.score, s.end - s.start))
    start = min(s.start for s in cluster)
    end = max(s.end for s in cluster)
    return Span(best.kind, start, end, best.score, best.source)


class Analyzer:
    """All recognizers over one text, then the fail-safe layer → disjoint spans."""

    def __init__(
        self,
        recognizers: Sequence[Recognizer],
        min_score: float = 0.0,
        fail_safe: Mode = "balanced",
    ) -> None:
        self.recognizers = list(recognizers)
        self.min_score = min_score
        self.fail_safe = FailSafe(fail_safe)

    def analyze(self, text: str) -> list[Span]:
        found: list[Span] = []
        for rec in self.recognizers:
            found.extend(s for s in rec.analyze(text) if s.score >= self.min_score)
        spans = resolve_overlaps(_whole_words(text, found))
        extra = self.fail_safe.spans(text, spans)
        return resolve_overlaps(spans + extra) if extra else spans


def _whole_words(text: str, spans: Iterable[Span]) -> list[Span]:
    """A span that starts or ends inside a word takes the whole word: "Dr DeShawn" found as
    "De" would leave "Shawn" in clear (fail-safe)."""
    out = []
    for s in spans:
        start, end = s.start, s.end
        while 0 < start < len(text) and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while 0 < end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
        out.append(
            s if (start, end) == (s.start, s.end) else Span(s.kind, start, end, s.score, s.source)
        )
    return out


def build_recognizers(names: Sequence[str]) -> list[Recognizer]:
    """Instantiate recognizers by registry name."""
    from medllm.privacy.registry import recognizers

    return [recognizers.get(n)() for n in names]


def build_analyzer(
    names: Sequence[str] | None = None, min_score: float = 0.0, fail_safe: Mode = "balanced"
) -> Analyzer:
    from medllm.privacy.registry import DEFAULT_RECOGNIZERS

    return Analyzer(build_recognizers(list(names or DEFAULT_RECOGNIZERS)), min_score, fail_safe)
