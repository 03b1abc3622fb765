"""ZIP and postal codes: a US ZIP (5 or 9 digits) after a state (code or name), after "ZIP" /
"postal code", or after a city at the end of an address line ("Montpelier 05602"); UK postcodes
("SW1A 1AA", "DN11 2HB"); Canadian postal codes ("K1A 0B1")."""

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
        # "Montpelier 05602" closing an address line.
        Pattern(
            "ZIP",
            rx(r"(?m)\b[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?,?[ \t]+" + _ZIP + r"[ \t]*$"),
            0.8,
        ),
        Pattern(
            "ZIP",
            rx(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-HJKPS-UW\d]?)[ \t]?\d[ABD-HJLNP-UW-Z]{2}\b"),
            0.85,
        ),
        Pattern(
            "ZIP",
            rx(r"\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ \t\-]?\d[ABCEGHJ-NPRSTV-Z]\d\b"),
            0.85,
        ),
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
