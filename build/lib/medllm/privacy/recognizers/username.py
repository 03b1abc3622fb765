"""User names and transcriptionist codes: "GPP/church/olinger", "XGT:holmes", "M.D. FB59", "user: jdoe"."""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

# Dictation footers: author initials, then typist / transcriber user names.
_FOOTER = re.compile(
    r"(?m)^[ \t]*[A-Z]{2,4}(?P<rest>(?:[/:](?:[a-z][a-z0-9]{1,15}|[A-Za-z]+\d+)){1,3})[ \t]*$"
)


class UsernameRecognizer(PatternRecognizer):
    name = "username"
    kinds = ("USERNAME",)
    patterns = (
        Pattern(
            "USERNAME",
            rx(
                r"(?i:\b(?:user(?:\s*name)?|username|login|user\s*id|userid|handle)\b)[\s:#=]*(?P<phi>[A-Za-z][\w.\-]{1,30})"
            ),
            0.9,
        ),
        Pattern(
            "USERNAME",
            rx(r"(?:M\.D\.|MD|R\.N\.|RN|N\.P\.|NP|D\.O\.)[,]?[ \t]+(?P<phi>[A-Z]{2,3}\d{1,4})\b"),
            0.85,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        spans = super().analyze(text)
        for m in _FOOTER.finditer(text):
            for part in re.finditer(r"[A-Za-z][A-Za-z0-9]+", m.group("rest")):
                start = m.start("rest") + part.start()
                spans.append(Span("USERNAME", start, start + len(part.group(0)), 0.8, self.name))
        return spans
