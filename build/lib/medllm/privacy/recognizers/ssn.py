"""US Social Security numbers: 123-45-6789 always; 9 bare digits only after "SSN"/"social security"."""

from __future__ import annotations

from medllm.privacy.recognizers.base import SEP, Pattern, PatternRecognizer, digits, rx


def _valid(s: str) -> bool:
    d = digits(s)
    # SSA never issues area 000, 666 or 900-999, group 00 or serial 0000.
    return (
        len(d) == 9
        and d[:3] not in ("000", "666")
        and d[0] != "9"
        and d[3:5] != "00"
        and d[5:] != "0000"
    )


class SsnRecognizer(PatternRecognizer):
    name = "ssn"
    kinds = ("SSN",)
    patterns = (
        Pattern("SSN", rx(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])"), 0.85, _valid),
        Pattern(
            "SSN",
            rx(
                r"(?i:ssn|social\s+security(?:\s+number)?|ss\#)"
                + SEP
                + r"(?P<phi>\d{3}[\s.\-]?\d{2}[\s.\-]?\d{4})\b"
            ),
            0.95,
        ),
    )
