"""Replace each PHI span by its kind in brackets: "Dr. [NAME] saw the patient on [DATE]"."""

from __future__ import annotations

from collections.abc import Sequence

from medllm.core import Span
from medllm.privacy.transforms import replace_spans


class Redact:
    name = "redact"

    def apply(self, text: str, spans: Sequence[Span], *, patient: str = "") -> str:
        return replace_spans(text, spans, lambda s, _: f"[{s.kind}]")
