"""Replace every non-space character of a PHI span by a mask character; lengths and layout stay."""

from __future__ import annotations

from collections.abc import Sequence

from medllm.core import Span
from medllm.privacy.transforms import replace_spans


class Mask:
    name = "mask"

    def __init__(self, char: str = "*") -> None:
        self.char = char

    def apply(self, text: str, spans: Sequence[Span], *, patient: str = "") -> str:
        return replace_spans(
            text, spans, lambda _, v: "".join(c if c.isspace() else self.char for c in v)
        )
