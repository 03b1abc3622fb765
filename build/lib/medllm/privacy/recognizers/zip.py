"""ZIP codes: after a state (code or name), or after "ZIP"/"postal code"; 5 or 9 digits."""

from __future__ import annotations

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

_STATES = (
    r"AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ"
    r"|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
_ZIP = r"(?P<phi>\d{5}(?:-\d{4})?)(?![\w-])"


class ZipRecognizer(PatternRecognizer):
    name = "zip"
    kinds = ("ZIP",)
    patterns = (
        Pattern("ZIP", rx(r"\b(?:" + _STATES + r")\.?,?\s+" + _ZIP), 0.9),
        Pattern("ZIP", rx(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)?,?\s+" + _ZIP), 0.5, None),
        Pattern("ZIP", rx(r"(?i:\bzip(?:\s*code)?|postal\s*code|postcode)[\s:#]*" + _ZIP), 0.95),
    )

    def analyze(self, text: str) -> list[Span]:
        # The "Word 12345" pattern is only a ZIP after a state name; checked against the lexicon.
        from medllm.privacy.resources import lexicon

        states = lexicon().states
        out = []
        for s in super().analyze(text):
            if s.score == 0.5:
                head = text[max(0, s.start - 30) : s.start].rstrip(" ,").rsplit(None, 2)
                words = [" ".join(head[-2:]).lower(), head[-1].lower() if head else ""]
                if not any(w in states and len(w) > 2 for w in words):
                    continue
            out.append(s)
        return out
