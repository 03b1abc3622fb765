"""Ages over 89 (Safe Harbor aggregates them as "90 or older"); younger ages are not PHI.

"93-year-old", "93 y/o", "93Y", "age 93", "Age: ninety-two", "turned 95", "she is 102",
"DOB: 04/09/1924 (101)", "in her nineties", "92 F" / "97 M" (age and sex, as header tables
write them), and the cells of a pasted table's "Age" column ("| 106 |").
"""

from __future__ import annotations

import re

from medllm.core import Span
from medllm.privacy.recognizers.base import Pattern, PatternRecognizer, rx

_OLD = r"(?P<phi>(?:9\d|1[0-2]\d)(?:\.\d)?)"
_TENS = r"(?:ninety|(?:one|a)\s+hundred(?:\s+and)?)"
_UNITS = r"(?:[\s\-](?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))?"


_CELL_AGE = re.compile(
    r"\s*(?P<phi>(?:9\d|1[0-2]\d)(?:\.\d)?(?:\s?(?:y|yo|yrs?|years?))?)\s*", re.I
)
_AGE_HEADER = re.compile(r"\s*age(?:\s*\(y(?:ears|rs)?\))?\s*", re.I)


def table_ages(text: str) -> list[Span]:
    """Ages over 89 in the "Age" column of a table pasted with "|" between cells (a header row
    names the column; each later row's cell in that column, up to a row without "|")."""
    spans: list[Span] = []
    column = None
    pos = 0
    for line in text.splitlines(keepends=True):
        cells = line.rstrip("\r\n").split("|")
        if len(cells) < 2:
            column = None
        elif column is None:
            heads = [i for i, c in enumerate(cells) if _AGE_HEADER.fullmatch(c)]
            column = heads[0] if heads else None
        elif column < len(cells) and (m := _CELL_AGE.fullmatch(cells[column])):
            start = pos + sum(len(c) + 1 for c in cells[:column]) + m.start("phi")
            spans.append(Span("AGE", start, start + len(m.group("phi")), 0.85, "age"))
        pos += len(line)
    return spans


class AgeRecognizer(PatternRecognizer):
    name = "age"
    kinds = ("AGE",)
    patterns = (
        Pattern(
            "AGE",
            rx(
                r"(?<![\w.])"
                + _OLD
                + r"(?:\s*|-)(?i:y/?o\b|y\.o\.|yo\b|yrs?\b|years?(?:[\s\-]old)?\b"
                r"|year-old|yr-old|-year-old|years\s+of\s+age)"
            ),
            0.9,
        ),
        Pattern("AGE", rx(r"(?i:\bage[sd]?\b\s*(?:of|is|was|:)?\s*)" + _OLD + r"\b"), 0.9),
        # "94 yrs": the number alone (a unit written onto it, "93Y", is matched below)
        Pattern("AGE", rx(r"(?<![\w.])" + _OLD + r"[ \t](?:Y|YO|yr?s?)(?![\w])"), 0.85),
        Pattern(
            "AGE",
            rx(
                r"(?<![\w./\-])(?<!temp[ \t])(?<!Temp[ \t])(?<!T[ \t])(?<!TEMP[ \t])(?<!T:[ \t])"
                r"(?<!Tmax[ \t])(?P<phi>9\d|1[0-2]\d)[ \t]?(?:F|M)(?![\w/])"
            ),
            0.75,
        ),
        Pattern(
            "AGE",
            rx(
                r"(?i:\b(?:turned|turns|turning|will\s+be|is\s+now|aged?|birthday)\s+)"
                + _OLD
                + r"(?![\w%]|\.\d|\s*(?:%|mg|kg|lb|lbs|percent|degrees|mmhg|bpm)\b)"
            ),
            0.85,
        ),
        # dev_h (2026-12-07): "her mother's 95th birthday", "(now 100)"
        Pattern(
            "AGE", rx(r"(?<![\w.])(?P<phi>9\d|1[0-2]\d)(?:st|nd|rd|th)(?=[ \t]+birthday)"), 0.8
        ),
        Pattern("AGE", rx(r"\((?i:now|aged?)[ \t]+(?P<phi>9\d|1[0-2]\d)\)"), 0.8),
        Pattern(
            "AGE", rx(r"(?i:\b(?:in\s+(?:his|her|their)\s+)(?P<phi>(?:nineties|90s|100s)))\b"), 0.8
        ),
        Pattern("AGE", rx(r"(?i:(?P<phi>\b" + _TENS + _UNITS + r")[\s\-]year[\s\-]old)"), 0.85),
        # spelled out before y/o or after "she's" / "turned" (dev_g, 2026-12-07): "one hundred and
        # two y/o F", "my mom (shes ninety six)"; not "is ninety minutes"
        Pattern(
            "AGE",
            rx(r"(?i:(?P<phi>\b" + _TENS + _UNITS + r")\s*(?:y/?o\b|y\.o\.|yrs?\b|years\b))"),
            0.85,
        ),
        Pattern(
            "AGE",
            rx(
                r"(?i:\b(?:s?he'?s|s?hes|turned|turns|aged|now)\s+(?P<phi>"
                + _TENS
                + _UNITS
                + r")\b"
                r"(?!\s*(?:minutes?|mins?|seconds?|percent|%|mg|ml|mmhg|degrees?|days?|hours?|beats"
                r"|bpm|kg|lbs?|pounds|cm|mm|dollars|miles)\b))"
            ),
            0.85,
        ),
        # "93Y", "98yo", "101y": the unit written onto the number is part of its token
        Pattern(
            "AGE",
            rx(r"(?<![\w.])(?P<phi>(?:9\d|1[0-2]\d)(?i:y/o|yo|yrs?|y))(?![\w/])"),
            0.85,
        ),
        # "turned ninety-seven", "aged ninety"
        Pattern(
            "AGE",
            rx(
                r"(?i:\b(?:turned|turns|turning|aged?|is\s+now|will\s+be)\s+)(?P<phi>(?i:"
                + _TENS
                + _UNITS
                + r"))\b"
            ),
            0.85,
        ),
        # "Age: ninety-two"
        Pattern(
            "AGE",
            rx(r"(?i:\bage[sd]?\b\s*(?:of|is|was|:)?\s*(?P<phi>" + _TENS + _UNITS + r"))\b"),
            0.85,
        ),
        # dev_i (2026-12-07): spelled out in a bracket, before a sex or between commas after a
        # name: "DOB: 1933-08-27 (ninety-three y)", "| ninety-four F |", "Mrs Aske, ninety-one,",
        # "ninety-six-y/o", "He is ninety-one"
        Pattern(
            "AGE",
            rx(
                r"(?i:(?:\(|(?<=,[ \t])|(?<=\|[ \t])|\b(?:s?he|pt|patient|who)[ \t]+(?:is|was)[ \t]+)(?P<phi>"
                + _TENS
                + _UNITS
                + r")"
                r"(?=[ \t]*(?:y|yrs?|years)?[ \t]*\)|,|[ \t]+[FM]\b|[ \t]*-[ \t]*y/?o\b|\.[ \t]|;))"
            ),
            0.8,
        ),
        # "DOB: 04/09/1924 (101)": the age after a birth date
        Pattern(
            "AGE",
            rx(r"(?i:\b(?:dob|d\.o\.b\.|born)\b[:\s]*[\d/\-.]{6,10}\s*\()" + _OLD + r"\)"),
            0.85,
        ),
        # "grandmother is 102", "she was 97": a person, then is / was and the age
        Pattern(
            "AGE",
            rx(
                r"(?i:\b(?:grand(?:mother|father|ma|pa)|mother|father|mom|dad|husband|wife|aunt"
                r"|uncle|sister|brother|he|she|pt|patient)\s+(?:is|was|just\s+turned)\s+)"
                + _OLD
                + r"(?![\w%]|\.\d|\s*(?:%|mg|kg|lb|lbs|percent|degrees|mmhg|bpm|/)\b)"
            ),
            0.8,
        ),
    )

    def analyze(self, text: str) -> list[Span]:
        return super().analyze(text) + table_ages(text)
