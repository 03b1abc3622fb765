"""Phone and fax numbers in their written forms; "fax" before the number makes it FAX.

US forms (617-555-0142, (617) 555 0142, 6175550142), international ones with a "+" country code
(+44 20 7946 0321, +1 416 555 0199, +238 991 45 18), UK numbers with a leading 0 (020 7946 0321,
07700 900321), 7-digit local numbers (555-0142), and pager / extension numbers after a context
word ("pager 62395", "pgr 3318804", "ext. 4312", "ext 5-2291"), which the i2b2 guidelines count
as PHONE.
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
_INTL = r"(?<![\w+])\+\d{1,3}(?:[ \t.\-]?(?:\(0\)[ \t]?)?\(?\d{1,5}\)?){2,5}(?![\w\-]|\.\d)"
_UK = r"(?<![\w.+\-])0\d{2,4}[ \t\-]?\d{3,4}[ \t\-]?\d{3,4}(?![\w\-]|\.\d)"
# A trunk code in brackets (Australia "(02) 5550 3318", Ireland "(021) 555 0143"); a two-digit
# one without (New Zealand "04 555 0172"); OCR spacing of a US number ("( 312 ) 555 - 0162")
_TRUNK = (
    r"(?<![\w.+\-])\(0\d{1,4}\)[ \t]?\d{3,4}[ \t\-]?\d{3,4}(?![\w\-]|\.\d)"
    r"|(?<![\w.+\-/(])0\d[ \t]\d{3}[ \t]\d{4}(?![\w\-/]|\.\d)"
    r"|\([ \t]?[2-9]\d{2}[ \t]?\)[ \t]?\d{3}[ \t]?-[ \t]?\d{4}(?![\w\-])"
)
_LOCAL = r"(?<![\w.\-/])[2-9]\d{2}-\d{4}(?![\w\-/]|\.\d)"


def _intl_ok(s: str) -> bool:
    return 7 <= len(digits(s)) <= 15


def _uk_ok(s: str) -> bool:
    return len(digits(s)) in (10, 11)


def _valid(s: str) -> bool:
    d = digits(s)
    d = d[1:] if len(d) > 10 and d[0] == "1" else d
    return len(d) >= 10 and d[0] not in "01"


class PhoneRecognizer(PatternRecognizer):
    name = "phone"
    kinds = ("PHONE", "FAX")
    patterns = (
        Pattern("PHONE", rx(_NUMBER), 0.9, _valid),
        Pattern("PHONE", rx(_INTL), 0.85, _intl_ok),
        Pattern("PHONE", rx(_UK), 0.75, _uk_ok),
        Pattern("PHONE", rx(_TRUNK), 0.75),
        Pattern("PHONE", rx(r"(?<![\w.+\-])[2-9]\d{9}(?![\w\-]|\.\d)"), 0.75),
        Pattern("PHONE", rx(_LOCAL), 0.6),
        Pattern(
            "PHONE",
            rx(
                r"(?i:phone|tel|telephone|cell|mobile|call|pager|page|beeper|bleep|pgr|contact|ph)"
                r"(?:[ \t]+(?i:for|at|on|is|number|no\.?)\b[^\d\n]{0,20})?"
                r"[\s.:#]*(?:(?i:number|no\.?)[\s:#]*)?(?P<phi>"
                + _BARE
                + r"|\d{4,7}(?![\d/\-]|\.\d))"
            ),
            0.8,
        ),
        Pattern("PHONE", rx(r"(?i:ext\.?|extension|x)\s?(?P<phi>\d-\d{4}|\d{3,5})\b"), 0.6),
    )

    def analyze(self, text: str) -> list[Span]:
        out = []
        for s in super().analyze(text):
            before = text[max(0, s.start - 20) : s.start].lower()
            kind = "FAX" if "fax" in before else s.kind
            out.append(Span(kind, s.start, s.end, s.score, s.source))
        return out
