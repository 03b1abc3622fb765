"""`deidentify`: detect → transform, joined by `Span` records.

from medllm.privacy import deidentify
clean = deidentify("Seen by Dr. Pruett on 03/14/2024.", transform="surrogate").text
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from medllm.core import Span
from medllm.privacy.config import DeidConfig
from medllm.privacy.detect import Analyzer, build_analyzer


@dataclass(frozen=True)
class DeidResult:
    text: str = field(repr=False)
    spans: tuple[Span, ...] = field(repr=False)

    def counts(self) -> Counter[str]:
        return Counter(s.kind for s in self.spans)


class Deidentifier:
    """Recognizers + one transform, built once and applied to many texts."""

    def __init__(self, cfg: DeidConfig | None = None) -> None:
        from medllm.privacy.registry import transforms

        self.cfg = cfg or DeidConfig()
        self.analyzer: Analyzer = build_analyzer(
            self.cfg.recognizer_names(), self.cfg.min_score, self.cfg.fail_safe
        )
        cls = transforms.get(self.cfg.transform)
        self.transform = cls(self.cfg.secret) if self.cfg.transform == "surrogate" else cls()

    def __call__(self, text: str, *, patient: str = "") -> DeidResult:
        spans = self.analyzer.analyze(text)
        return DeidResult(self.transform.apply(text, spans, patient=patient), tuple(spans))

    def window(self, before: str, body: str, after: str, *, patient: str = "") -> DeidResult:
        """De-identify `body`, one window of a long text, detecting in `before + body + after`.
        Every span that touches the body is replaced, clipped to it, so a value across the
        window's edge is replaced on both sides (fail-safe). The result's spans (and counts)
        are those that start in the body, so a span is counted once over all windows."""
        if not before and not after:
            return self(body, patient=patient)
        a, b = len(before), len(before) + len(body)
        found = [
            s for s in self.analyzer.analyze(before + body + after) if s.start < b and s.end > a
        ]
        clipped = [
            Span(s.kind, max(s.start, a) - a, min(s.end, b) - a, s.score, s.source) for s in found
        ]
        text = self.transform.apply(body, clipped, patient=patient)
        return DeidResult(
            text, tuple(c for s, c in zip(found, clipped, strict=True) if s.start >= a)
        )


@lru_cache(maxsize=4)
def _cached(transform: str, secret: str | None) -> Deidentifier:
    return Deidentifier(DeidConfig(transform=transform, secret=secret))


def deidentify(
    text: str, *, transform: str = "redact", patient: str = "", secret: str | None = None
) -> DeidResult:
    """De-identify one text with the default recognizers (cached between calls)."""
    return _cached(transform, secret)(text, patient=patient)
