"""Dates in the forms clinical notes use; every element but the year is PHI under Safe Harbor.

2024-03-14, 03/14/2024, 3/14/24, 3-14-24, 14.03.2024, March 14, 2024, Mar 14th, 14 Mar 2024,
14-Mar-2024, March 2024, "in 3/80" (month/year), "on 2/18" (month/day), "since November",
"in 1998", "Spring 2019". Short forms without a year need a context word, since "2/18" can also
be a ratio. Numeric parts are range-checked.
"""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_M = r"(?:" + MONTHS + r"|" + MONTHS.upper() + r")\.?"
_D = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Y = r"(?:1[89]\d{2}|2[01]\d{2})"
_CTX = (
    r"(?i:\b(?:on|in|since|from|until|till|through|thru|to|of|dated|date|before|after|by|with"
    r"|starting|started|last|next|due|around|circa|early|mid|late|between|and|dos|doa|dod|dob)\b)"
    r"[:\s\-]+"
)
_NUMERIC = re.compile(r"(\d{1,4})[/\-.](\d{1,2})(?:[/\-.](\d{2,4}))?$")


def _numeric_ok(s: str) -> bool:
    m = _NUMERIC.match(s)
    if not m:
        return False
    a, b, c = m.group(1), m.group(2), m.group(3)
    if len(a) == 4:  # year-month-day
        return 1 <= int(b) <= 12 and (c is None or 1 <= int(c) <= 31)
    if c is None:  # month/day or month/year
        return 1 <= int(a) <= 12 and (1 <= int(b) <= 31 or len(b) == 2)
    month_first = 1 <= int(a) <= 12 and 1 <= int(b) <= 31
    day_first = 1 <= int(b) <= 12 and 1 <= int(a) <= 31
    return month_first or day_first


_NOT_DATE_NEXT = re.compile(
    r"\s*(?i:pain|strength|murmur|scale|score|vision|tab|tablet|dose|of\b|x\b)"
)


class DateRecognizer(PatternRecognizer):
    name = "date"
    kinds = ("DATE",)
    patterns = (
        Pattern(
            "DATE",
            rx(r"(?<![\w/\-.])" + _Y + r"[/\-.]\d{1,2}[/\-.]\d{1,2}(?![\w/]|-\d|\.\d)"),
            0.95,
            _numeric_ok,
        ),
        Pattern(
            "DATE",
            rx(r"(?<![\w/\-.])\d{1,2}[/\-.]\d{1,2}[/\-.](?:\d{4}|\d{2})(?![\w/]|-\d|\.\d)"),
            0.9,
            _numeric_ok,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:"
                + _M
                + r"\s+"
                + _D
                + r"(?:,?\s+"
                + _Y
                + r")?|"
                + _D
                + r"(?:\s+of)?[\s\-]"
                + _M
                + r"(?:,?[\s\-]"
                + _Y
                + r"|[\s\-]\d{2}(?!\d))?)(?![\w])"
            ),
            0.9,
        ),
        Pattern("DATE", rx(r"(?<![\w])" + _M + r",?\s+" + _Y + r"(?![\w])"), 0.9),
        Pattern(
            "DATE",
            rx(
                r"(?i:\b(?:spring|summer|fall|autumn|winter|christmas|thanksgiving)\s+(?:of\s+)?)"
                + _Y
                + r"\b"
            ),
            0.8,
        ),
        Pattern(
            "DATE", rx(_CTX + r"(?P<phi>\d{1,2}[/\-]\d{2,4})(?![\w/]|-\d|\.\d)"), 0.75, _numeric_ok
        ),
        # "cath 2/18": month/day with a two-digit day and no context; checked in `analyze`.
        Pattern(
            "DATE",
            rx(r"(?<![\w/\-.])(?:1[0-2]|0?[1-9])/(?:0[1-9]|[12]\d|3[01])(?![\w/]|-\d|\.\d)"),
            0.5,
        ),
        Pattern(
            "DATE",
            rx(
                _CTX
                + r"(?P<phi>(?:January|February|March|April|May|June|July|August|September|October|November|December))\b"
            ),
            0.7,
        ),
        Pattern(
            "DATE",
            rx(
                r"(?<![\w])(?:January|February|April|June|July|August|September|October|November|December)(?![\w])"
            ),
            0.6,
        ),
        Pattern(
            "DATE",
            rx(_CTX + r"(?P<phi>" + _Y + r")(?!\s*(?:mg|mcg|ml|units?|cc|g)\b)(?![\w/]|-\d|\.\d)"),
            0.7,
        ),
        Pattern("DATE", rx(r"(?i:\b(?:year|yr)\s*:?\s*)(?P<phi>" + _Y + r")\b"), 0.7),
    )

    def analyze(self, text: str) -> list[Span]:
        out = []
        for s in super().analyze(text):
            short = re.fullmatch(r"\d{1,2}/\d{1,2}", text[s.start : s.end]) is not None
            if short and (
                _NOT_DATE_NEXT.match(text, s.end)
                or "pain" in text[max(0, s.start - 30) : s.start].lower()
            ):
                continue
            out.append(s)
        return out
