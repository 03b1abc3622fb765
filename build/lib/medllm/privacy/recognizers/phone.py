"""US phone and fax numbers in their written forms; "fax" before the number makes it FAX.

Also pager / extension numbers after a context word ("pager 84710", "ext. 4312"), which the i2b2
guidelines count as PHONE.
"""

from __future__ import annotations

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, digits, rx

_NUMBER = r"""
    (?<![\w.+-])
    (?:\+?1[\s.\-]?)?                      # country code
    (?:\(\d{3}\)\s?|\d{3}[\s.\-/])         # area code: (617) or 617- / 617. / 617 /
    \d{3}[\s.\-]\d{4}
    (?:\s?(?:x|ext\.?|extension)\s?\d{1,5})?
    (?![\w-])
"""
_BARE = r"(?<![\w.+-])\d{10}(?![\w-])"  # 6175550142 only after a context word


def _valid(s: str) -> bool:
    d = digits(s)
    d = d[1:] if len(d) > 10 and d[0] == "1" else d
    return len(d) >= 10 and d[0] not in "01"


class PhoneRecognizer(PatternRecognizer):
    name = "phone"
    kinds = ("PHONE", "FAX")
    patterns = (
        Pattern("PHONE", rx(_NUMBER), 0.9, _valid),
        Pattern(
            "PHONE",
            rx(
                r"(?i:phone|tel|telephone|cell|mobile|call|pager|beeper|pgr|contact|ph)"
                r"[\s.:#]*(?:(?i:number|no\.?)[\s:#]*)?(?P<phi>"
                + _BARE
                + r"|\d{4,6}(?![\d/\-]|\.\d))"
            ),
            0.8,
        ),
        Pattern("PHONE", rx(r"(?i:ext\.?|extension|x)\s?(?P<phi>\d{3,5})\b"), 0.6),
    )

    def analyze(self, text: str) -> list[Span]:
        out = []
        for s in super().analyze(text):
            before = text[max(0, s.start - 20) : s.start].lower()
            kind = "FAX" if "fax" in before else s.kind
            out.append(Span(kind, s.start, s.end, s.score, s.source))
        return out
